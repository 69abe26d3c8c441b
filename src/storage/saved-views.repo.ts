import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import './schema-lists.ts';
import type { SavedViewTable } from './schema-lists.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type SavedView = { id: string; entity: string; name: string; team: string | null; query: string; createdBy: string; createdAt: Date };

const toSavedView = (r: Selectable<SavedViewTable>): SavedView => ({
  id: r.id, entity: r.entity, name: r.name, team: r.team, query: r.query, createdBy: r.created_by, createdAt: r.created_at,
});

/** Views of one list that a member of `team` sees: the workspace-wide ones and their team's (all of them for `team: '*'`). */
const viewKeyset: Keyset<Selectable<SavedViewTable>> = { id: 'id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'name', type: 'text' } };

/** A page of a list's saved views, by name (then id). */
export async function listSavedViews(db: DbOrTrx, ws: string, entity: string, team: string | null | '*', page: PageRequest): Promise<Page<SavedView>> {
  let q = db.selectFrom('saved_view').selectAll().where('workspace_id', '=', ws).where('entity', '=', entity);
  if (team !== '*') q = q.where((eb) => (team === null ? eb('team', 'is', null) : eb.or([eb('team', 'is', null), eb('team', '=', team)])));
  return keysetPage(await keysetQuery(q, viewKeyset, page).execute(), viewKeyset, page.limit, toSavedView);
}

export async function insertSavedView(db: DbOrTrx, ws: string, v: Omit<SavedView, 'id' | 'createdAt'>): Promise<SavedView> {
  const row = await db.insertInto('saved_view').values({
    workspace_id: ws, id: newId(), entity: v.entity, name: v.name, team: v.team, query: v.query, created_by: v.createdBy,
  }).returningAll().executeTakeFirstOrThrow();
  return toSavedView(row);
}

export async function getSavedView(db: DbOrTrx, ws: string, id: string): Promise<SavedView | null> {
  const row = await db.selectFrom('saved_view').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
  return row ? toSavedView(row) : null;
}

export async function deleteSavedView(db: DbOrTrx, ws: string, id: string): Promise<void> {
  await db.deleteFrom('saved_view').where('workspace_id', '=', ws).where('id', '=', id).execute();
}
