import { api } from '../../api/client.ts';
import type { BulkLeadInput, BulkLeadOutcomeDto } from '../../../../src/server/contract/leads-bulk.contract.ts';

/** The outcome of one bulk action: how many of how many went through, and why the others did not. */
export type BulkOutcome = { done: number; total: number; failures: { label: string; message: string }[] };

/** The most leads one `POST /api/v1/leads/bulk` takes (a larger selection goes in several requests). */
const PER_REQUEST = 500;

/**
 * Runs one bulk action on the server (`POST /api/v1/leads/bulk`): the server checks each lead's
 * permission, changes each as its own endpoint would and records the bulk action in the audit log;
 * it answers per-lead results, shown as "n of m done" with the reasons for the others.
 */
export async function runBulkOnServer<T extends { id: string }>(items: readonly T[], body: Omit<BulkLeadInput, 'lead_ids'>, label: (item: T) => string, onProgress: (finished: number) => void): Promise<BulkOutcome> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const failures: BulkOutcome['failures'] = [];
  let finished = 0;
  for (let start = 0; start < items.length; start += PER_REQUEST) {
    const part = items.slice(start, start + PER_REQUEST);
    try {
      const out = await api<BulkLeadOutcomeDto>('POST', '/api/v1/leads/bulk', { ...body, lead_ids: part.map((i) => i.id) });
      for (const r of out.results) if (!r.ok) failures.push({ label: label(byId.get(r.lead_id)!), message: r.error?.message ?? 'not changed' });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      for (const item of part) failures.push({ label: label(item), message });
    }
    finished += part.length;
    onProgress(finished);
  }
  return { done: items.length - failures.length, total: items.length, failures };
}
