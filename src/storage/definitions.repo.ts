import { sql, type Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { LeadDefinitionTable } from './schema.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type DefinitionStatus = 'draft' | 'proposed' | 'approved' | 'active' | 'retired';
export type LeadDefinitionRecord = {
  id: string; version: number; name: string; status: DefinitionStatus; document: Record<string, unknown>; schemaVersion: number;
  createdBy: string | null; createdAt: Date; proposedAt: Date | null; approvedAt: Date | null; activatedAt: Date | null;
  retiredAt: Date | null; backtest: Record<string, unknown> | null;
  /** Saved documents so far (an edit adds one) and the revision the kept backtest replayed. */
  revision: number; backtestRevision: number | null;
  /** The side whose draft it is (null: an admin's or a machine key's). */
  ownerSide: 'marketing' | 'sales' | null;
  /** A pending request to retire this active version. */
  retireRequest: { at: Date; by: string; reason: string } | null;
};

export const toDefinition = (r: Selectable<LeadDefinitionTable>): LeadDefinitionRecord => ({
  id: r.id, version: r.version, name: r.name, status: r.status as DefinitionStatus, document: r.document,
  schemaVersion: r.schema_version, createdBy: r.created_by, createdAt: r.created_at, proposedAt: r.proposed_at,
  approvedAt: r.approved_at, activatedAt: r.activated_at, retiredAt: r.retired_at, backtest: r.backtest,
  revision: r.revision, backtestRevision: r.backtest_revision, ownerSide: r.owner_side as LeadDefinitionRecord['ownerSide'],
  retireRequest: r.retire_requested_at && r.retire_requested_by ? { at: r.retire_requested_at, by: r.retire_requested_by, reason: r.retire_reason ?? '' } : null,
});

/** Inserts a new draft with the next version number (serialized by locking the workspace's definitions). */
export async function insertDefinitionDraft(trx: Trx, workspaceId: string, input: { name: string; document: Record<string, unknown>; createdBy: string | null; ownerSide: 'marketing' | 'sales' | null; at: Date }): Promise<LeadDefinitionRecord> {
  await trx.selectFrom('workspace').select('id').where('id', '=', workspaceId).forUpdate().execute();
  const max = await trx.selectFrom('lead_definition').select((eb) => eb.fn.max<number>('version').as('v')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  const row = await trx.insertInto('lead_definition').values({
    workspace_id: workspaceId, id: newId(input.at.getTime()), version: (max?.v ?? 0) + 1, name: input.name, status: 'draft',
    document: JSON.stringify(input.document), created_by: input.createdBy, created_at: input.at, owner_side: input.ownerSide,
    proposed_at: null, approved_at: null, activated_at: null, retired_at: null,
  } as any).returningAll().executeTakeFirstOrThrow();
  return toDefinition(row);
}

export async function getDefinition(db: DbOrTrx, workspaceId: string, id: string): Promise<LeadDefinitionRecord | null> {
  const row = await db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toDefinition(row) : null;
}

export async function getActiveDefinition(db: DbOrTrx, workspaceId: string): Promise<LeadDefinitionRecord | null> {
  const row = await db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId).where('status', '=', 'active').executeTakeFirst();
  return row ? toDefinition(row) : null;
}

export async function listDefinitions(db: DbOrTrx, workspaceId: string): Promise<LeadDefinitionRecord[]> {
  const rows = await db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId).orderBy('version', 'desc').execute();
  return rows.map(toDefinition);
}

const definitionKeyset: Keyset<Selectable<LeadDefinitionTable>> = { id: 'id', idOf: (r) => r.id, direction: 'desc', sort: { column: 'version', type: 'integer' } };

const historyKeyset: Keyset<Selectable<LeadDefinitionTable>> = { ...definitionKeyset, direction: 'asc' };

/**
 * A page of definition versions, oldest version first (the history), and the version just before the page's first:
 * each entry says what changed from the one before it, so the page's first needs its predecessor too.
 */
export async function pageDefinitionHistory(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<LeadDefinitionRecord> & { before: LeadDefinitionRecord | null }> {
  const q = db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId);
  const result = keysetPage(await keysetQuery(q, historyKeyset, page).execute(), historyKeyset, page.limit, toDefinition);
  const first = result.data[0];
  const before = first
    ? await db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId)
      .where(sql<boolean>`(version, id) < (${first.version}, cast(${first.id} as uuid))`).orderBy('version', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
    : undefined;
  return { ...result, before: before ? toDefinition(before) : null };
}

/** A page of definition versions, newest version first. */
export async function pageDefinitions(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<LeadDefinitionRecord>> {
  const q = db.selectFrom('lead_definition').selectAll().where('workspace_id', '=', workspaceId);
  return keysetPage(await keysetQuery(q, definitionKeyset, page).execute(), definitionKeyset, page.limit, toDefinition);
}
