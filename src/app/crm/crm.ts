import {
  defaultHubspotMapping, defaultSalesforceMapping, hubspotMappingSchema, salesforceMappingSchema, type HubspotMapping, type SalesforceMapping,
} from '../../core/crm/crm-mapping.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import {
  finishSyncRun, getCrmConnection, insertSyncRun, listActiveCrmConnections, listCrmConnections, pausedCrmConnectionCounts, pageCrmConnections, pageCrmMappingVersions, listSyncLog, listSyncRuns, saveCrmMapping,
  updateCrmConnectionState, upsertCrmConnection, type CrmConnection, type CrmMappingVersion, type CrmProvider, type CrmSyncLogEntry,
  type CrmSyncRun, type NewSyncLogEntry, type SyncLogFilter,
} from '../../storage/crm.repo.ts';
import type { Page, PageRequest } from '../../storage/page.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import { recordAudit } from '../audit.ts';
import { TargetRefused } from '../outbound/safe-target.ts';
import type { AppDeps } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { openCredentials, sealCredentials, type SecretKey } from './credentials.ts';
import { connectHubspot, type HubspotCredentials } from './hubspot/hubspot-client.ts';
import { syncHubspot } from './hubspot/hubspot-sync.ts';
import { CrmApiError, connectSalesforce, type SalesforceCredentials, type SalesforceJwtCredentials } from './salesforce/salesforce-client.ts';
import { syncSalesforce } from './salesforce/salesforce-sync.ts';
import { SyncContext, type SyncCounts } from './sync-context.ts';

/**
 * CRM connectors as use cases: connect (credentials checked by signing in, then sealed), configure
 * the versioned mapping, run a sync (or a dry run), read the runs and the per-record sync log.
 * Expired or revoked credentials pause the connector with the vendor's message; a paused connector
 * makes no calls until it is connected again.
 */
export type ConnectInput =
  | { provider: 'salesforce'; credentials: SalesforceJwtCredentials; pushSince?: Date | null }
  | { provider: 'hubspot'; credentials: HubspotCredentials; pushSince?: Date | null };

export type ConnectionView = Omit<CrmConnection, 'credentials'> & { account: string | null };

const label = (p: CrmProvider) => (p === 'salesforce' ? 'Salesforce' : 'HubSpot');

export function viewOf(c: CrmConnection): ConnectionView {
  const { credentials: _secret, ...rest } = c;
  const account = typeof c.settings.username === 'string' ? c.settings.username : typeof c.settings.portal === 'string' ? c.settings.portal : null;
  return { ...rest, account };
}

function defaultMapping(provider: CrmProvider): SalesforceMapping | HubspotMapping {
  return provider === 'salesforce' ? defaultSalesforceMapping() : defaultHubspotMapping();
}

/** Signs in with the given credentials (so a typo is refused now, not at 3 a.m.), then stores them sealed. */
export async function connectCrm(deps: AppDeps, workspaceId: string, secret: Result<SecretKey>, input: ConnectInput, actor: Actor): Promise<Result<ConnectionView>> {
  if (!secret.ok) return secret;
  const now = deps.clock.now();
  let settings: Record<string, unknown>;
  try {
    if (input.provider === 'salesforce') {
      const api = await connectSalesforce(input.credentials, Date.now(), deps.outbound);
      settings = { login_url: input.credentials.loginUrl, client_id: input.credentials.clientId, username: input.credentials.username, instance_url: api.instanceUrl };
    } else {
      const api = await connectHubspot(input.credentials, deps.outbound);
      const portal = await api.check();
      settings = { base_path: input.credentials.basePath ?? null, portal };
    }
  } catch (e) {
    if (e instanceof TargetRefused) return refusedConnection(input.provider, e);
    const err = e instanceof CrmApiError ? e : new CrmApiError('unavailable', 'UNKNOWN', e instanceof Error ? e.message : String(e));
    return fail('ValidationFailed', `${label(input.provider)} refused the connection (${err.code}): ${err.message}. Check the credentials and try again; nothing was saved.`, [{ path: 'credentials', message: err.code }]);
  }
  return ok(await storeConnection(deps, workspaceId, secret.value, { provider: input.provider, credentials: input.credentials, settings, pushSince: input.pushSince ?? now }, actor));
}

/**
 * An integration address the outgoing-address rule refuses: a 400 naming the field, the address and
 * how an operator allows it — never anything the target answered (nothing was sent to it).
 */
export function refusedConnection(provider: CrmProvider, e: TargetRefused): Result<never> {
  return fail('ValidationFailed', `${label(provider)} was not connected; nothing was saved. ${e.message}`, e.details);
}

/**
 * Stores checked credentials sealed (a reconnect replaces them and clears a pause) and records the
 * admin action in the audit log, in one transaction. The audit row names the account and the flow,
 * never a secret.
 */
export async function storeConnection(deps: AppDeps, workspaceId: string, secret: SecretKey, input: { provider: CrmProvider; credentials: object; settings: Record<string, unknown>; pushSince: Date }, actor: Actor): Promise<ConnectionView> {
  const now = deps.clock.now();
  const sealed = sealCredentials(secret, workspaceId, input.provider, input.credentials as Record<string, unknown>);
  return withTransaction(deps, async (trx) => {
    const before = await getCrmConnection(trx, workspaceId, input.provider);
    const conn = await upsertCrmConnection(trx, workspaceId, {
      provider: input.provider, settings: input.settings, credentials: sealed, mapping: defaultMapping(input.provider) as Record<string, unknown>,
      pushSince: input.pushSince, at: now, actor,
    });
    await recordAudit(trx, {
      workspaceId, action: before ? 'integration.reconnected' : 'integration.connected', object: { type: 'crm_connection', id: conn.id }, at: now,
      ...(before ? { before: { provider: before.provider, status: before.status, settings: before.settings } } : {}),
      after: { provider: conn.provider, status: conn.status, settings: conn.settings },
    });
    return viewOf(conn);
  });
}

export async function listConnections(deps: AppDeps, workspaceId: string): Promise<ConnectionView[]> {
  return (await listCrmConnections(deps.db, workspaceId)).map(viewOf);
}

/** A page of the connections, by provider. */
export async function connectionsPage(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<ConnectionView>> {
  const connections = await pageCrmConnections(deps.db, workspaceId, page);
  return { data: connections.data.map(viewOf), nextCursor: connections.nextCursor };
}

async function connectionOf(deps: AppDeps, workspaceId: string, provider: CrmProvider): Promise<Result<CrmConnection>> {
  const conn = await getCrmConnection(deps.db, workspaceId, provider);
  return conn ? ok(conn) : fail('NotFound', `${label(provider)} is not connected in this workspace. Connect it first: POST /api/v1/integrations/${provider}/connect.`);
}

/** Saves a new mapping version after checking it; answers the version number. */
export async function configureCrm(deps: AppDeps, workspaceId: string, provider: CrmProvider, mapping: unknown, actor: Actor): Promise<Result<{ version: number; mapping: Record<string, unknown> }>> {
  const conn = await connectionOf(deps, workspaceId, provider);
  if (!conn.ok) return conn;
  const parsed = (provider === 'salesforce' ? salesforceMappingSchema : hubspotMappingSchema).safeParse(mapping);
  if (!parsed.success) {
    return fail('ValidationFailed', `The ${label(provider)} mapping is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`,
      parsed.error.issues.map((i) => ({ path: ['mapping', ...i.path].join('.'), message: i.message })));
  }
  const version = await saveCrmMapping(deps.db, workspaceId, conn.value.id, parsed.data as Record<string, unknown>, deps.clock.now(), actor);
  return ok({ version, mapping: parsed.data as Record<string, unknown> });
}

/** A page of the connection's saved mapping versions, newest first. */
export async function mappingVersions(deps: AppDeps, workspaceId: string, provider: CrmProvider, page: PageRequest): Promise<Result<Page<CrmMappingVersion>>> {
  const conn = await connectionOf(deps, workspaceId, provider);
  if (!conn.ok) return conn;
  return ok(await pageCrmMappingVersions(deps.db, workspaceId, conn.value.id, page));
}

export type SyncReport = {
  runId: string | null; provider: CrmProvider; dryRun: boolean; outcome: 'ok' | 'partial' | 'failed' | 'paused';
  message: string | null; counts: SyncCounts; entries: NewSyncLogEntry[]; apiUsage: { used: number; limit: number } | null;
};

const emptyCounts = (): SyncCounts => ({ changed: 0, unchanged: 0, failed: 0, skipped: 0, would_change: 0, ignored: 0 });

/**
 * One sync run: push, then pull. Per-record failures are logged and the rest goes on; expired or
 * revoked credentials pause the connector (no further calls until reconnected); an API budget or
 * rate limit ends the run early (`partial`), the cursors keeping the place. Replaying changes nothing.
 */
export async function syncCrm(deps: AppDeps, workspaceId: string, provider: CrmProvider, options: { dryRun: boolean; backfill?: boolean; secret: Result<SecretKey>; scope?: 'all' | 'push' }): Promise<Result<SyncReport>> {
  const found = await connectionOf(deps, workspaceId, provider);
  if (!found.ok) return found;
  const conn = found.value;
  const base = { provider, dryRun: options.dryRun, counts: emptyCounts(), entries: [], apiUsage: null };
  if (conn.status === 'paused') {
    return ok({ ...base, runId: null, outcome: 'paused', message: `${label(provider)} sync is paused: ${conn.pausedReason ?? 'paused'}. Reconnect in Settings › Integrations.` });
  }
  if (!options.secret.ok) return options.secret;
  const creds = openCredentials<SalesforceCredentials & HubspotCredentials>(options.secret.value, workspaceId, provider, conn.credentials);
  if (!creds.ok) {
    await pause(deps, workspaceId, conn.id, creds.message);
    return ok({ ...base, runId: null, outcome: 'paused', message: creds.message });
  }
  const parsedMapping = (provider === 'salesforce' ? salesforceMappingSchema : hubspotMappingSchema).safeParse(conn.mapping);
  if (!parsedMapping.success) return fail('Conflict', `The stored ${label(provider)} mapping (version ${conn.mappingVersion}) no longer parses; save it again.`);
  const run = await insertSyncRun(deps.db, workspaceId, conn.id, options.dryRun, deps.clock.now());
  const ctx = new SyncContext(deps, workspaceId, conn, run.id, options.dryRun, options.backfill ?? false, options.scope ?? 'all');
  let outcome: SyncReport['outcome'] = 'ok';
  let message: string | null = null;
  let apiUsage: SyncReport['apiUsage'] = null;
  try {
    if (provider === 'salesforce') {
      const api = await connectSalesforce(creds.value, Date.now(), deps.outbound);
      try {
        await syncSalesforce(ctx, api, parsedMapping.data as SalesforceMapping);
      } finally {
        apiUsage = api.apiUsage();
      }
    } else {
      const api = await connectHubspot(creds.value, deps.outbound);
      await syncHubspot(ctx, api, parsedMapping.data as HubspotMapping);
    }
  } catch (e) {
    const err = e instanceof CrmApiError ? e : new CrmApiError('unavailable', e instanceof TargetRefused ? 'REFUSED_TARGET' : 'UNKNOWN', e instanceof Error ? e.message : String(e));
    if (err.kind === 'auth') {
      outcome = 'paused';
      message = `${label(provider)} refused the stored credentials (${err.code}: ${err.message}). The connector is paused; reconnect in Settings › Integrations.`;
      await pause(deps, workspaceId, conn.id, message);
    } else if (err.kind === 'limit') {
      outcome = 'partial';
      message = ctx.stoppedEarly ?? `${label(provider)} API limit reached (${err.code}: ${err.message}); the rest syncs on a later run.`;
    } else {
      outcome = 'failed';
      message = `${label(provider)} sync stopped (${err.code}): ${err.message}`;
    }
  }
  if (outcome === 'ok' && ctx.counts.failed > 0) {
    outcome = 'partial';
    message = `${ctx.counts.failed} record(s) failed; they are retried on the next sync (see the sync log).`;
  }
  const at = deps.clock.now();
  await finishSyncRun(deps.db, workspaceId, run.id, { outcome, counts: { ...ctx.counts }, error: message, at });
  if (!options.dryRun) {
    await updateCrmConnectionState(deps.db, workspaceId, conn.id, { cursors: ctx.cursors, lastSyncAt: at, apiUsage, at });
  }
  return ok({ runId: run.id, provider, dryRun: options.dryRun, outcome, message, counts: ctx.counts, entries: ctx.entries, apiUsage });
}

async function pause(deps: AppDeps, workspaceId: string, connectionId: string, reason: string): Promise<void> {
  const at = deps.clock.now();
  await updateCrmConnectionState(deps.db, workspaceId, connectionId, { status: 'paused', pausedReason: reason, pausedAt: at, at });
}

export async function syncRuns(deps: AppDeps, workspaceId: string, provider: CrmProvider, page: PageRequest): Promise<Result<Page<CrmSyncRun>>> {
  const conn = await connectionOf(deps, workspaceId, provider);
  if (!conn.ok) return conn;
  return ok(await listSyncRuns(deps.db, workspaceId, conn.value.id, page));
}

export async function syncLog(deps: AppDeps, workspaceId: string, provider: CrmProvider, filter: SyncLogFilter, page: PageRequest): Promise<Result<Page<CrmSyncLogEntry>>> {
  const conn = await connectionOf(deps, workspaceId, provider);
  if (!conn.ok) return conn;
  return ok(await listSyncLog(deps.db, workspaceId, conn.value.id, filter, page));
}

/** Every active connection of every workspace, synced one after the other (the 15-minute cron). */
export async function syncAllCrm(deps: AppDeps, secret: Result<SecretKey>): Promise<SyncReport[]> {
  const reports: SyncReport[] = [];
  for (const c of await listActiveCrmConnections(deps.db)) {
    const r = await syncCrm(deps, c.workspaceId, c.provider, { dryRun: false, secret });
    if (r.ok) reports.push(r.value);
  }
  return reports;
}

/** Paused connectors by provider, over every workspace (the `leadloop_crm_connectors_paused` metric). */
export function pausedConnectorCounts(deps: AppDeps): Promise<{ provider: CrmProvider; paused: number }[]> {
  return pausedCrmConnectionCounts(deps.db);
}
