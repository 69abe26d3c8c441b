import { z } from 'zod';
import { getCrmConnection, finishSyncRun, insertSyncRun, markLinkErased, updateCrmConnectionState, type CrmConnection } from '../../storage/crm.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Result } from '../../core/result.ts';
import { openCredentials, type SecretKey } from './credentials.ts';
import { connectHubspot, classifyHubspotError, type HubspotCredentials } from './hubspot/hubspot-client.ts';
import { CrmApiError, connectSalesforce, type SalesforceCredentials } from './salesforce/salesforce-client.ts';
import { SyncContext } from './sync-context.ts';

/**
 * Erasure propagation (privacy requests): the `crm-erase` job deletes, in one CRM, the records that
 * stand for an erased person — Salesforce Leads (and the Tasks Leadloop put on existing Contacts) by
 * sObject delete, HubSpot contacts by the GDPR delete endpoint (`POST /crm/v3/objects/contacts/gdpr-delete`,
 * which also blocks the address) — with a sync run and one sync-log entry per record. The payload
 * holds CRM ids only (queued jobs outlive the erased data and must not carry it). Idempotent: a
 * record already gone counts as erased, so retries and replays are safe. Records Leadloop did not
 * create (a Salesforce Contact it only put a Task on) are left to the CRM's own privacy process and
 * say so in the log.
 */
export const eraseInCrmPayload = z.object({
  workspaceId: z.uuid(), provider: z.enum(['salesforce', 'hubspot']), contactId: z.uuid(), requestId: z.string().max(100).nullable(),
  records: z.array(z.object({ objectType: z.string().min(1).max(40), externalId: z.string().min(1).max(100) })).max(1000),
});
export type EraseInCrmPayload = z.infer<typeof eraseInCrmPayload>;

/** Thrown so the worker retries later (paused connector, CRM unreachable, a record that failed). */
export class CrmErasureDeferred extends Error {}

const label = (p: CrmConnection['provider']) => (p === 'salesforce' ? 'Salesforce' : 'HubSpot');
const salesforceErasable = new Set(['Lead', 'Task']);

export async function eraseInCrm(deps: AppDeps, p: EraseInCrmPayload, secret: Result<SecretKey>): Promise<void> {
  const conn = await getCrmConnection(deps.db, p.workspaceId, p.provider);
  if (!conn) return; // disconnected since: Leadloop no longer reaches that CRM
  if (conn.status === 'paused') throw new CrmErasureDeferred(`${label(p.provider)} is paused (${conn.pausedReason ?? 'paused'}); the erasure waits until it is reconnected.`);
  if (!secret.ok) throw new CrmErasureDeferred(secret.message);
  const creds = openCredentials<SalesforceCredentials & HubspotCredentials>(secret.value, p.workspaceId, p.provider, conn.credentials);
  if (!creds.ok) throw new CrmErasureDeferred(creds.message);
  const run = await insertSyncRun(deps.db, p.workspaceId, conn.id, false, deps.clock.now());
  const ctx = new SyncContext(deps, p.workspaceId, conn, run.id, false, false, 'push');
  const why = `privacy erasure${p.requestId ? ` (request ${p.requestId})` : ''}`;
  let error: string | null = null;
  try {
    if (!p.records.length) {
      await ctx.log({ direction: 'push', objectType: 'contact', externalId: null, localId: p.contactId, action: `${why}: no ${label(p.provider)} record stands for this person`, outcome: 'unchanged', error: null });
    } else if (p.provider === 'salesforce') {
      await eraseInSalesforce(ctx, creds.value, p, why);
    } else {
      await eraseInHubspot(ctx, creds.value, p, why);
    }
  } catch (e) {
    const err = e instanceof CrmApiError ? e : new CrmApiError('unavailable', 'UNKNOWN', e instanceof Error ? e.message : String(e));
    error = `${label(p.provider)} erasure stopped (${err.code}): ${err.message}`;
    if (err.kind === 'auth') {
      const at = deps.clock.now();
      await updateCrmConnectionState(deps.db, p.workspaceId, conn.id, { status: 'paused', pausedReason: `${label(p.provider)} refused the stored credentials (${err.code}: ${err.message}). The connector is paused; reconnect in Settings › Integrations.`, pausedAt: at, at });
    }
  }
  const failed = ctx.counts.failed > 0;
  await finishSyncRun(deps.db, p.workspaceId, run.id, { outcome: error ? 'failed' : failed ? 'partial' : 'ok', counts: { ...ctx.counts }, error: error ?? (failed ? 'some records were not erased; retried' : null), at: deps.clock.now() });
  if (error) throw new CrmErasureDeferred(error);
  if (failed) throw new CrmErasureDeferred(`${ctx.counts.failed} ${label(p.provider)} record(s) not erased yet (see the sync log); retried.`);
}

async function eraseInSalesforce(ctx: SyncContext, creds: SalesforceCredentials, p: EraseInCrmPayload, why: string): Promise<void> {
  const api = await connectSalesforce(creds, Date.now(), ctx.deps.outbound);
  for (const r of p.records) {
    const key = { direction: 'push' as const, objectType: r.objectType, externalId: r.externalId, localId: p.contactId };
    if (!salesforceErasable.has(r.objectType)) {
      await ctx.log({ ...key, action: `${why}: ${r.objectType} ${r.externalId} was not created by Leadloop; erase it with Salesforce's own privacy tools`, outcome: 'skipped', error: null });
      continue;
    }
    const out = await api.destroy(r.objectType, r.externalId);
    if (!out.ok) { await ctx.log({ ...key, action: `${why}: delete ${r.objectType}`, outcome: 'failed', error: `${out.code}: ${out.message}` }); continue; }
    await markLinkErased(ctx.deps.db, ctx.workspaceId, ctx.connection.id, r.objectType, r.externalId, ctx.now());
    await ctx.log({ ...key, action: `${why}: ${r.objectType} deleted`, outcome: 'changed', error: null });
  }
}

async function eraseInHubspot(ctx: SyncContext, creds: HubspotCredentials, p: EraseInCrmPayload, why: string): Promise<void> {
  const api = await connectHubspot(creds, ctx.deps.outbound);
  for (const r of p.records) {
    const key = { direction: 'push' as const, objectType: r.objectType, externalId: r.externalId, localId: p.contactId };
    if (r.objectType !== 'contact') {
      await ctx.log({ ...key, action: `${why}: HubSpot ${r.objectType} ${r.externalId} is not a person; left as it is`, outcome: 'skipped', error: null });
      continue;
    }
    try {
      await api.client.crm.contacts.basicApi.purge({ objectId: r.externalId });
    } catch (e) {
      // Already gone (a rep deleted it, or an earlier attempt did): erased.
      if ((e as { code?: unknown }).code !== 404) {
        const err = classifyHubspotError(e);
        if (err.kind !== 'record') throw err;
        await ctx.log({ ...key, action: `${why}: GDPR delete`, outcome: 'failed', error: `${err.code}: ${err.message}` });
        continue;
      }
    }
    await markLinkErased(ctx.deps.db, ctx.workspaceId, ctx.connection.id, r.objectType, r.externalId, ctx.now());
    await ctx.log({ ...key, action: `${why}: contact permanently deleted (HubSpot GDPR delete)`, outcome: 'changed', error: null });
  }
}
