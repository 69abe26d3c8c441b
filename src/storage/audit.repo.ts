import { sql, type Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page } from './page.ts';
import type { AuditLogTable } from './schema-audit.ts';
import './schema-audit.ts';

export type AuditActorKind = 'user' | 'api_key' | 'system';

export type AuditRow = {
  id: string;
  at: Date;
  actor: { kind: AuditActorKind; id: string | null; keyId: string | null; label: string };
  action: string;
  object: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
};

export type NewAuditRow = {
  at: Date;
  actorKind: AuditActorKind;
  actorId: string | null;
  actorKeyId: string | null;
  /** null: the label is looked up from the user (name <email>) or the key (its name) in the same statement. */
  actorLabel: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
};

const toAuditRow = (r: Selectable<AuditLogTable>): AuditRow => ({
  id: r.id, at: r.at,
  actor: { kind: r.actor_kind as AuditActorKind, id: r.actor_id, keyId: r.actor_key_id, label: r.actor_label },
  action: r.action, object: { type: r.object_type, id: r.object_id },
  before: r.before ?? null, after: r.after ?? null, reason: r.reason, requestId: r.request_id, ip: r.ip,
});

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** Appends one audit row inside the caller's transaction (it commits or rolls back with the change it records). */
export async function insertAuditRow(trx: Trx, workspaceId: string, e: NewAuditRow): Promise<AuditRow> {
  const label = e.actorLabel !== null ? sql<string>`${e.actorLabel}::text` : e.actorKind === 'system'
    ? sql<string>`'system'`
    : sql<string>`coalesce(
        (SELECT u.name || ' <' || u.email || '>' FROM app_user u WHERE u.workspace_id = ${workspaceId} AND u.id = ${e.actorId}),
        (SELECT 'API key ' || k.name || ' (' || k.prefix || '…)' FROM api_key k WHERE k.workspace_id = ${workspaceId} AND k.id = ${e.actorKeyId ?? e.actorId}),
        ${e.actorKind}::text)`;
  const row = await trx.insertInto('audit_log').values({
    workspace_id: workspaceId, id: newId(e.at.getTime()), at: e.at,
    actor_kind: e.actorKind, actor_id: e.actorId, actor_key_id: e.actorKeyId, actor_label: label as any,
    action: e.action, object_type: e.objectType, object_id: e.objectId,
    before: json(e.before), after: json(e.after), reason: e.reason, request_id: e.requestId, ip: e.ip,
  }).returningAll().executeTakeFirstOrThrow();
  return toAuditRow(row);
}

export type AuditFilter = {
  actorId?: string | null;
  actorKind?: AuditActorKind | null;
  objectType?: string | null;
  objectId?: string | null;
  /** An exact action (`definition.activated`) or a prefix ending in a dot (`definition.`). */
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
};

/** Newest first; the cursor is the last id seen (ids are minted from `at`, so id order is time order). */
export async function listAuditRows(db: DbOrTrx, workspaceId: string, f: AuditFilter, page: { limit: number; cursor?: string | null }): Promise<Page<AuditRow>> {
  let q = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  if (f.actorId) q = q.where((eb) => eb.or([eb('actor_id', '=', f.actorId!), eb('actor_key_id', '=', f.actorId!)]));
  if (f.actorKind) q = q.where('actor_kind', '=', f.actorKind);
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.action) {
    q = f.action.endsWith('.')
      ? q.where('action', 'like', `${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : q.where('action', '=', f.action);
  }
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toAuditRow);
}
