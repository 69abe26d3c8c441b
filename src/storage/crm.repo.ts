import { sql } from 'kysely';
import type { Stage } from '../core/lifecycle.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { keyKeysetPage, keyKeysetQuery, toPage, type KeyKeyset, type Page, type PageRequest } from './page.ts';
import './schema-crm.ts';
import type { CrmConnectionTable, CrmRecordLinkTable, CrmSyncLogTable } from './schema-crm.ts';

export type CrmProvider = CrmConnectionTable['provider'];
export type CrmConnection = {
  id: string; workspaceId: string; provider: CrmProvider; status: 'active' | 'paused'; pausedReason: string | null; pausedAt: Date | null;
  settings: Record<string, unknown>; credentials: string; mapping: Record<string, unknown>; mappingVersion: number;
  cursors: Record<string, string>; pushSince: Date; lastSyncAt: Date | null; apiUsage: Record<string, unknown> | null;
  createdAt: Date; updatedAt: Date;
};

const toConnection = (r: any): CrmConnection => ({
  id: r.id, workspaceId: r.workspace_id, provider: r.provider, status: r.status, pausedReason: r.paused_reason, pausedAt: r.paused_at,
  settings: r.settings, credentials: r.credentials, mapping: r.mapping, mappingVersion: r.mapping_version, cursors: r.cursors,
  pushSince: r.push_since, lastSyncAt: r.last_sync_at, apiUsage: r.api_usage, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function getCrmConnection(db: DbOrTrx, workspaceId: string, provider: CrmProvider): Promise<CrmConnection | null> {
  const r = await db.selectFrom('crm_connection').selectAll().where('workspace_id', '=', workspaceId).where('provider', '=', provider).executeTakeFirst();
  return r ? toConnection(r) : null;
}

export async function listCrmConnections(db: DbOrTrx, workspaceId: string): Promise<CrmConnection[]> {
  const rows = await db.selectFrom('crm_connection').selectAll().where('workspace_id', '=', workspaceId).orderBy('provider').execute();
  return rows.map(toConnection);
}

const connectionKeyset: KeyKeyset = { keys: [{ expr: sql.ref('provider'), type: 'text' }], direction: 'asc' };

/** A page of the connections by provider (unique in a workspace); cursor key1 [provider]. */
export async function pageCrmConnections(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<CrmConnection>> {
  const q = db.selectFrom('crm_connection').selectAll().where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, connectionKeyset, page).execute(), connectionKeyset, page.limit, toConnection);
}

export type CrmConnectionInput = {
  provider: CrmProvider; settings: Record<string, unknown>; credentials: string; mapping: Record<string, unknown>; pushSince: Date; at: Date;
  actor: { type: string; id: string | null };
};

/** Creates the connection, or replaces its settings and credentials (reconnect): a reconnect clears the pause. */
export async function upsertCrmConnection(db: DbOrTrx, workspaceId: string, input: CrmConnectionInput): Promise<CrmConnection> {
  const existing = await getCrmConnection(db, workspaceId, input.provider);
  if (existing) {
    const r = await db.updateTable('crm_connection').set({
      settings: JSON.stringify(input.settings), credentials: input.credentials, status: 'active', paused_reason: null, paused_at: null, updated_at: input.at,
    }).where('workspace_id', '=', workspaceId).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    return toConnection(r);
  }
  const r = await db.insertInto('crm_connection').values({
    workspace_id: workspaceId, id: newId(input.at.getTime()), provider: input.provider, status: 'active', paused_reason: null, paused_at: null,
    settings: JSON.stringify(input.settings), credentials: input.credentials, mapping: JSON.stringify(input.mapping), mapping_version: 1,
    cursors: '{}', push_since: input.pushSince, last_sync_at: null, api_usage: null, created_at: input.at, updated_at: input.at,
  }).returningAll().executeTakeFirstOrThrow();
  await db.insertInto('crm_mapping_version').values({
    workspace_id: workspaceId, connection_id: r.id, version: 1, mapping: JSON.stringify(input.mapping), created_at: input.at,
    actor_type: input.actor.type, actor_id: input.actor.id,
  }).execute();
  return toConnection(r);
}

/** Saves a new mapping version (the previous ones stay readable). */
export async function saveCrmMapping(db: DbOrTrx, workspaceId: string, connectionId: string, mapping: Record<string, unknown>, at: Date, actor: { type: string; id: string | null }): Promise<number> {
  const r = await db.updateTable('crm_connection').set({ mapping: JSON.stringify(mapping), mapping_version: sql<number>`mapping_version + 1`, updated_at: at })
    .where('workspace_id', '=', workspaceId).where('id', '=', connectionId).returning('mapping_version').executeTakeFirstOrThrow();
  await db.insertInto('crm_mapping_version').values({
    workspace_id: workspaceId, connection_id: connectionId, version: r.mapping_version, mapping: JSON.stringify(mapping), created_at: at,
    actor_type: actor.type, actor_id: actor.id,
  }).execute();
  return r.mapping_version;
}

export type CrmMappingVersion = { version: number; mapping: Record<string, unknown>; createdAt: Date; actorType: string; actorId: string | null };
export async function listCrmMappingVersions(db: DbOrTrx, workspaceId: string, connectionId: string): Promise<CrmMappingVersion[]> {
  const rows = await db.selectFrom('crm_mapping_version').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId)
    .orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, mapping: r.mapping as unknown as Record<string, unknown>, createdAt: r.created_at, actorType: r.actor_type, actorId: r.actor_id }));
}

const mappingVersionKeyset: KeyKeyset = { keys: [{ expr: sql.ref('version'), type: 'integer' }], direction: 'desc' };

/** A page of a connection's mapping versions, newest first (the version is unique per connection); cursor key1 [version]. */
export async function pageCrmMappingVersions(db: DbOrTrx, workspaceId: string, connectionId: string, page: PageRequest): Promise<Page<CrmMappingVersion>> {
  const q = db.selectFrom('crm_mapping_version').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId);
  return keyKeysetPage(await keyKeysetQuery(q, mappingVersionKeyset, page).execute(), mappingVersionKeyset, page.limit,
    (r) => ({ version: r.version, mapping: r.mapping as unknown as Record<string, unknown>, createdAt: r.created_at, actorType: r.actor_type, actorId: r.actor_id }));
}

export async function updateCrmConnectionState(db: DbOrTrx, workspaceId: string, connectionId: string, patch: {
  status?: 'active' | 'paused'; pausedReason?: string | null; pausedAt?: Date | null; cursors?: Record<string, string>;
  lastSyncAt?: Date; apiUsage?: Record<string, unknown> | null; at: Date;
}): Promise<void> {
  await db.updateTable('crm_connection').set({
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.pausedReason !== undefined ? { paused_reason: patch.pausedReason } : {}),
    ...(patch.pausedAt !== undefined ? { paused_at: patch.pausedAt } : {}),
    ...(patch.cursors !== undefined ? { cursors: JSON.stringify(patch.cursors) } : {}),
    ...(patch.lastSyncAt !== undefined ? { last_sync_at: patch.lastSyncAt } : {}),
    ...(patch.apiUsage !== undefined ? { api_usage: patch.apiUsage === null ? null : JSON.stringify(patch.apiUsage) } : {}),
    updated_at: patch.at,
  }).where('workspace_id', '=', workspaceId).where('id', '=', connectionId).execute();
}

export type CrmRecordLink = {
  objectType: string; externalId: string; localKind: CrmRecordLinkTable['local_kind']; localId: string;
  remoteStamp: string | null; pushedAt: Date | null; pushedState: Record<string, unknown> | null;
  /** What the CRM record last looked like (pulled), so only a CRM user's change moves anything. */
  remoteState?: Record<string, unknown> | null;
};
const toLink = (r: any): CrmRecordLink => ({
  objectType: r.object_type, externalId: r.external_id, localKind: r.local_kind, localId: r.local_id,
  remoteStamp: r.remote_stamp, pushedAt: r.pushed_at, pushedState: r.pushed_state, remoteState: r.remote_state ?? null,
});

export async function findLinkByExternal(db: DbOrTrx, workspaceId: string, connectionId: string, objectType: string, externalId: string): Promise<CrmRecordLink | null> {
  const r = await db.selectFrom('crm_record_link').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType).where('external_id', '=', externalId).executeTakeFirst();
  return r ? toLink(r) : null;
}

export async function findLinkByLocal(db: DbOrTrx, workspaceId: string, connectionId: string, localKind: CrmRecordLink['localKind'], localId: string): Promise<CrmRecordLink | null> {
  const r = await db.selectFrom('crm_record_link').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId)
    .where('local_kind', '=', localKind).where('local_id', '=', localId).orderBy('object_type').executeTakeFirst();
  return r ? toLink(r) : null;
}

export async function upsertLink(db: DbOrTrx, workspaceId: string, connectionId: string, link: Omit<CrmRecordLink, 'pushedAt' | 'pushedState' | 'remoteState'> & { pushedAt?: Date | null; pushedState?: Record<string, unknown> | null; remoteState?: Record<string, unknown> }): Promise<void> {
  const pushed = {
    ...(link.pushedAt !== undefined ? { pushed_at: link.pushedAt, pushed_state: link.pushedState ? JSON.stringify(link.pushedState) : null } : {}),
    ...(link.remoteState !== undefined ? { remote_state: JSON.stringify(link.remoteState) } : {}),
  };
  await db.insertInto('crm_record_link').values({
    workspace_id: workspaceId, connection_id: connectionId, object_type: link.objectType, external_id: link.externalId,
    local_kind: link.localKind, local_id: link.localId, remote_stamp: link.remoteStamp, pushed_at: null, pushed_state: null, ...pushed,
  }).onConflict((oc) => oc.columns(['workspace_id', 'connection_id', 'object_type', 'external_id']).doUpdateSet({
    local_kind: link.localKind, local_id: link.localId, ...(link.remoteStamp !== null ? { remote_stamp: link.remoteStamp } : {}), ...pushed,
  })).execute();
}

/** A lead for the push: what the CRM record is made of. */
export type CrmPushLead = {
  leadId: string; stage: Stage; mqlAt: Date | null; stageEnteredAt: Date; source: string | null; campaign: string | null; rating: string | null;
  fitScore: number | null; engagementScore: number | null; contactId: string; email: string | null; firstName: string | null; lastName: string | null;
  title: string | null; phone: string | null; accountName: string | null; ownerEmail: string | null; why: string | null;
  /** The CRM record already made for this lead, if any. */
  externalId: string | null; externalType: string | null; pushedAt: Date | null; pushedState: Record<string, unknown> | null;
};

/**
 * Leads the push should look at: those that reached MQL since `since` and have no CRM record yet,
 * and those with a CRM record whose stage changed after the last push (oldest first).
 */
export async function leadsToPush(db: DbOrTrx, workspaceId: string, connectionId: string, since: Date, limit: number): Promise<CrmPushLead[]> {
  const rows = await db.selectFrom('lead as l')
    .innerJoin('contact as c', (j) => j.onRef('c.workspace_id', '=', 'l.workspace_id').onRef('c.id', '=', 'l.contact_id'))
    .leftJoin('account as a', (j) => j.onRef('a.workspace_id', '=', 'l.workspace_id').onRef('a.id', '=', 'l.account_id'))
    .leftJoin('app_user as u', (j) => j.onRef('u.workspace_id', '=', 'l.workspace_id').onRef('u.id', '=', 'l.owner_id'))
    .leftJoin('crm_record_link as k', (j) => j.onRef('k.workspace_id', '=', 'l.workspace_id').on('k.connection_id', '=', connectionId)
      .on('k.local_kind', '=', 'lead').onRef('k.local_id', '=', 'l.id'))
    .select([
      'l.id as lead_id', 'l.stage', 'l.mql_at', 'l.stage_entered_at', 'l.source', 'l.campaign', 'l.rating', 'l.fit_score', 'l.engagement_score',
      'c.id as contact_id', 'c.email', 'c.first_name', 'c.last_name', 'c.title', 'c.phone', sql<string | null>`coalesce(a.name, c.attributes->>'company')`.as('account_name'), 'u.email as owner_email',
      'k.external_id', 'k.object_type', 'k.pushed_at', 'k.pushed_state',
      (eb) => eb.selectFrom('stage_transition as t').select('t.note')
        .whereRef('t.workspace_id', '=', 'l.workspace_id').whereRef('t.lead_id', '=', 'l.id').where('t.to_stage', '=', 'mql')
        .orderBy('t.at', 'desc').orderBy('t.id', 'desc').limit(1).as('why'),
    ])
    .where('l.workspace_id', '=', workspaceId)
    .where((eb) => eb.or([
      eb.and([eb('k.external_id', 'is', null), eb('l.mql_at', '>=', since)]),
      eb.and([eb('k.external_id', 'is not', null), eb('l.stage_entered_at', '>', eb.ref('k.pushed_at'))]),
    ]))
    .orderBy('l.stage_entered_at').orderBy('l.id').limit(limit).execute();
  return rows.map((r) => ({
    leadId: r.lead_id, stage: r.stage as Stage, mqlAt: r.mql_at, stageEnteredAt: r.stage_entered_at, source: r.source, campaign: r.campaign,
    rating: r.rating, fitScore: r.fit_score === null ? null : Number(r.fit_score), engagementScore: r.engagement_score === null ? null : Number(r.engagement_score),
    contactId: r.contact_id, email: r.email, firstName: r.first_name, lastName: r.last_name, title: r.title, phone: r.phone,
    accountName: r.account_name, ownerEmail: r.owner_email, why: r.why ?? null,
    externalId: r.external_id ?? null, externalType: r.object_type ?? null, pushedAt: r.pushed_at ?? null, pushedState: (r.pushed_state as any) ?? null,
  }));
}

export type CrmSyncRun = { id: string; dryRun: boolean; startedAt: Date; finishedAt: Date | null; outcome: string | null; counts: Record<string, number>; error: string | null };
const toRun = (r: any): CrmSyncRun => ({ id: r.id, dryRun: r.dry_run, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome, counts: r.counts, error: r.error });

export async function insertSyncRun(db: DbOrTrx, workspaceId: string, connectionId: string, dryRun: boolean, at: Date): Promise<CrmSyncRun> {
  const r = await db.insertInto('crm_sync_run').values({
    workspace_id: workspaceId, id: newId(at.getTime()), connection_id: connectionId, dry_run: dryRun, started_at: at, finished_at: null, outcome: null, counts: '{}', error: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toRun(r);
}

export async function finishSyncRun(db: DbOrTrx, workspaceId: string, runId: string, patch: { outcome: NonNullable<CrmSyncRun['outcome']>; counts: Record<string, number>; error: string | null; at: Date }): Promise<CrmSyncRun> {
  const r = await db.updateTable('crm_sync_run').set({ outcome: patch.outcome as any, counts: JSON.stringify(patch.counts), error: patch.error, finished_at: patch.at })
    .where('workspace_id', '=', workspaceId).where('id', '=', runId).returningAll().executeTakeFirstOrThrow();
  return toRun(r);
}

export async function listSyncRuns(db: DbOrTrx, workspaceId: string, connectionId: string, page: PageRequest): Promise<Page<CrmSyncRun>> {
  let q = db.selectFrom('crm_sync_run').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  return toPage(await q.orderBy('id', 'desc').limit(page.limit + 1).execute(), page.limit, toRun);
}

export type CrmSyncLogEntry = {
  id: string; runId: string; direction: CrmSyncLogTable['direction']; objectType: string; externalId: string | null; localId: string | null;
  action: string; outcome: CrmSyncLogTable['outcome']; error: string | null; attempt: number; at: Date;
};
export type NewSyncLogEntry = Omit<CrmSyncLogEntry, 'id'>;
const toLog = (r: any): CrmSyncLogEntry => ({
  id: r.id, runId: r.run_id, direction: r.direction, objectType: r.object_type, externalId: r.external_id, localId: r.local_id,
  action: r.action, outcome: r.outcome, error: r.error, attempt: r.attempt, at: r.at,
});

export async function insertSyncLog(db: DbOrTrx, workspaceId: string, connectionId: string, entry: NewSyncLogEntry): Promise<void> {
  await db.insertInto('crm_sync_log').values({
    workspace_id: workspaceId, id: newId(entry.at.getTime()), connection_id: connectionId, run_id: entry.runId, direction: entry.direction,
    object_type: entry.objectType, external_id: entry.externalId, local_id: entry.localId, action: entry.action, outcome: entry.outcome,
    error: entry.error, attempt: entry.attempt, at: entry.at,
  }).execute();
}

/** How many times the record failed in a row since it last went through (the next attempt's number is this + 1). */
export async function failedAttempts(db: DbOrTrx, workspaceId: string, connectionId: string, key: { localId?: string | null; externalId?: string | null }): Promise<number> {
  let q = db.selectFrom('crm_sync_log').select(['outcome']).where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId);
  if (key.localId) q = q.where('local_id', '=', key.localId);
  else if (key.externalId) q = q.where('external_id', '=', key.externalId);
  else return 0;
  const rows = await q.orderBy('seq', 'desc').limit(50).execute();
  let n = 0;
  for (const r of rows) { if (r.outcome !== 'failed') break; n++; }
  return n;
}

export type SyncLogFilter = { runId?: string; outcome?: CrmSyncLogTable['outcome']; localId?: string; externalId?: string };
export async function listSyncLog(db: DbOrTrx, workspaceId: string, connectionId: string, filter: SyncLogFilter, page: PageRequest): Promise<Page<CrmSyncLogEntry>> {
  let q = db.selectFrom('crm_sync_log').selectAll().where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId);
  if (filter.runId) q = q.where('run_id', '=', filter.runId);
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
  if (filter.localId) q = q.where('local_id', '=', filter.localId);
  if (filter.externalId) q = q.where('external_id', '=', filter.externalId);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  return toPage(await q.orderBy('id', 'desc').limit(page.limit + 1).execute(), page.limit, toLog);
}

/** A deal already carrying this external id (a CSV import of the same CRM, or an earlier sync). */
export async function findOpportunityIdByExternalId(db: DbOrTrx, workspaceId: string, externalId: string): Promise<string | null> {
  const r = await db.selectFrom('opportunity').select('id').where('workspace_id', '=', workspaceId).where('external_id', '=', externalId).executeTakeFirst();
  return r?.id ?? null;
}

/** Leadloop contacts by email (lower-cased), for the CRM's contact roles and owners. */
export async function contactIdsByEmail(db: DbOrTrx, workspaceId: string, emails: readonly string[]): Promise<Map<string, string>> {
  if (!emails.length) return new Map();
  const rows = await db.selectFrom('contact').select(['id', 'email']).where('workspace_id', '=', workspaceId)
    .where(sql<string>`lower(email)`, 'in', emails.map((e) => e.toLowerCase())).where('merged_into_id', 'is', null).execute();
  return new Map(rows.map((r) => [r.email!.toLowerCase(), r.id]));
}

export async function userIdsByEmail(db: DbOrTrx, workspaceId: string, emails: readonly string[]): Promise<Map<string, string>> {
  if (!emails.length) return new Map();
  const rows = await db.selectFrom('app_user').select(['id', 'email']).where('workspace_id', '=', workspaceId)
    .where(sql<string>`lower(email)`, 'in', emails.map((e) => e.toLowerCase())).execute();
  return new Map(rows.map((r) => [r.email.toLowerCase(), r.id]));
}

/** Active connections of every workspace (the periodic sync). */
export async function listActiveCrmConnections(db: DbOrTrx): Promise<CrmConnection[]> {
  const rows = await db.selectFrom('crm_connection').selectAll().where('status', '=', 'active').orderBy('workspace_id').orderBy('provider').execute();
  return rows.map(toConnection);
}

/** The workspace's active connections' providers (read inside the transaction that moved a lead). */
export async function activeCrmProviders(db: DbOrTrx, workspaceId: string): Promise<CrmProvider[]> {
  const rows = await db.selectFrom('crm_connection').select('provider').where('workspace_id', '=', workspaceId).where('status', '=', 'active').execute();
  return rows.map((r) => r.provider);
}

/** Connectors paused by provider, over every workspace (the metric). */
export async function pausedCrmConnectionCounts(db: DbOrTrx): Promise<{ provider: CrmProvider; paused: number }[]> {
  const rows = await db.selectFrom('crm_connection').select(['provider', (eb) => eb.fn.countAll<string>().as('n')]).where('status', '=', 'paused').groupBy('provider').execute();
  return rows.map((r) => ({ provider: r.provider, paused: Number(r.n) }));
}

/** Does a CRM record stand for this lead (its stage changes are pushed)? */
export async function hasCrmRecord(db: DbOrTrx, workspaceId: string, leadId: string): Promise<boolean> {
  const r = await db.selectFrom('crm_record_link').select('local_id').where('workspace_id', '=', workspaceId).where('local_kind', '=', 'lead').where('local_id', '=', leadId).executeTakeFirst();
  return Boolean(r);
}

/** Leadloop accounts by domain (lower-cased), for the CRM's companies. */
export async function accountIdsByDomain(db: DbOrTrx, workspaceId: string, domains: readonly string[]): Promise<Map<string, string>> {
  if (!domains.length) return new Map();
  const rows = await db.selectFrom('account').select(['id', 'domain']).where('workspace_id', '=', workspaceId)
    .where(sql<string>`lower(domain)`, 'in', domains.map((d) => d.toLowerCase())).execute();
  return new Map(rows.map((r) => [r.domain!.toLowerCase(), r.id]));
}

/** One CRM record standing for a person: every link of the contact and of its leads, on every connection. */
export type PersonCrmLink = { connectionId: string; provider: CrmProvider; objectType: string; externalId: string; localKind: CrmRecordLink['localKind']; localId: string };

/** The CRM records that stand for a contact (its leads' records and its own), for erasure. */
export async function crmLinksOfContact(db: DbOrTrx, workspaceId: string, contactId: string): Promise<PersonCrmLink[]> {
  const rows = await db.selectFrom('crm_record_link as k')
    .innerJoin('crm_connection as c', (j) => j.onRef('c.workspace_id', '=', 'k.workspace_id').onRef('c.id', '=', 'k.connection_id'))
    .select(['k.connection_id', 'c.provider', 'k.object_type', 'k.external_id', 'k.local_kind', 'k.local_id'])
    .where('k.workspace_id', '=', workspaceId)
    .where((eb) => eb.or([
      eb.and([eb('k.local_kind', '=', 'contact'), eb('k.local_id', '=', contactId)]),
      eb.and([eb('k.local_kind', '=', 'lead'), eb('k.local_id', 'in',
        eb.selectFrom('lead').select('lead.id').where('lead.workspace_id', '=', workspaceId).where('lead.contact_id', '=', contactId))]),
    ]))
    .orderBy('k.connection_id').orderBy('k.object_type').orderBy('k.external_id')
    .execute();
  return rows.map((r) => ({ connectionId: r.connection_id, provider: r.provider, objectType: r.object_type, externalId: r.external_id, localKind: r.local_kind, localId: r.local_id }));
}

/** After a privacy erasure no push may come later than this: the lead is never sent again. */
export const erasedPushedAt = new Date('9999-12-31T00:00:00.000Z');

/**
 * Marks a CRM record as erased there (privacy request). The link stays, so the erased person's lead
 * is never pushed again (its stage time is never after `erasedPushedAt`) and nothing personal is kept:
 * only the CRM id and when it was erased.
 */
export async function markLinkErased(db: DbOrTrx, workspaceId: string, connectionId: string, objectType: string, externalId: string, at: Date): Promise<void> {
  await db.updateTable('crm_record_link')
    .set({ pushed_at: erasedPushedAt, pushed_state: JSON.stringify({ erased: true }), remote_state: JSON.stringify({ erased_at: at.toISOString() }) })
    .where('workspace_id', '=', workspaceId).where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType).where('external_id', '=', externalId).execute();
}

