import { fail, ok, type Result } from '../core/result.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { withTransaction } from './transaction.ts';

/**
 * Bulk actions on leads (`POST /api/v1/leads/bulk`), with per-lead results: each lead goes through
 * the same permission check and use case as its single-lead endpoint, in its own transaction, so a
 * lead the user may not touch (or that cannot move) is reported and the others still change — the
 * list screen shows "n of m" and why the rest did not. The bulk action itself is one audit row (who,
 * what, how many, every lead asked for, which changed and which were refused); each changed lead
 * keeps its own history (stage transitions, owner changes and their audit rows) as it would alone.
 * The audit row is written after the leads, in its own transaction.
 */
export type BulkLeadStep = (leadId: string) => Promise<Result<unknown>>;
export type BulkLeadResult = { leadId: string; ok: true } | { leadId: string; ok: false; code: string; message: string };
export type BulkLeadOutcome = { results: BulkLeadResult[]; succeeded: number; failed: number; auditId: string };

export async function runBulkLeadAction(
  deps: AppDeps, workspaceId: string, input: { action: string; leadIds: readonly string[]; parameters: Record<string, unknown> }, step: BulkLeadStep,
): Promise<Result<BulkLeadOutcome>> {
  if (new Set(input.leadIds).size !== input.leadIds.length) return fail('ValidationFailed', 'Name each lead once.', [{ path: 'body.lead_ids', message: 'duplicates' }]);
  const results: BulkLeadResult[] = [];
  for (const leadId of input.leadIds) {
    const r = await step(leadId);
    results.push(r.ok ? { leadId, ok: true } : { leadId, ok: false, code: r.code, message: r.message });
  }
  const changed = results.filter((r) => r.ok).map((r) => r.leadId);
  const refused = results.filter((r): r is Extract<BulkLeadResult, { ok: false }> => !r.ok).map((r) => ({ lead_id: r.leadId, code: r.code }));
  const row = await withTransaction(deps, (trx) => recordAudit(trx, {
    workspaceId, action: `lead.bulk_${input.action}`, object: { type: 'lead', id: null }, at: deps.clock.now(),
    after: { action: input.action, ...input.parameters, count: input.leadIds.length, lead_ids: [...input.leadIds], changed, refused },
  }));
  return ok({ results, succeeded: changed.length, failed: refused.length, auditId: row.id });
}
