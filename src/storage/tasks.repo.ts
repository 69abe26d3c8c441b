import type { Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { SalesTaskTable } from './schema-tasks.ts';
import './schema-tasks.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type SalesTask = {
  id: string; contactId: string; leadId: string | null; ownerId: string; title: string; dueAt: Date; doneAt: Date | null;
  createdBy: string | null; createdAt: Date;
};

const toTask = (r: Selectable<SalesTaskTable>): SalesTask => ({
  id: r.id, contactId: r.contact_id, leadId: r.lead_id, ownerId: r.owner_id, title: r.title, dueAt: r.due_at, doneAt: r.done_at,
  createdBy: r.created_by, createdAt: r.created_at,
});

export type NewTask = { contactId: string; leadId: string | null; ownerId: string; title: string; dueAt: Date; createdBy: string | null };

export async function insertTask(trx: Trx, workspaceId: string, t: NewTask, at: Date): Promise<SalesTask> {
  const row = await trx.insertInto('sales_task').values({
    workspace_id: workspaceId, id: newId(), contact_id: t.contactId, lead_id: t.leadId, owner_id: t.ownerId, title: t.title,
    due_at: t.dueAt, done_at: null, created_by: t.createdBy, created_at: at,
  }).returningAll().executeTakeFirstOrThrow();
  return toTask(row);
}

export async function getTask(db: DbOrTrx, workspaceId: string, id: string): Promise<SalesTask | null> {
  const row = await db.selectFrom('sales_task').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toTask(row) : null;
}

export async function lockTask(trx: Trx, workspaceId: string, id: string): Promise<SalesTask | null> {
  const row = await trx.selectFrom('sales_task').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toTask(row) : null;
}

export async function updateTask(trx: Trx, workspaceId: string, id: string, p: { title?: string; dueAt?: Date; doneAt?: Date | null; ownerId?: string }): Promise<SalesTask> {
  const row = await trx.updateTable('sales_task').set({
    ...(p.title !== undefined ? { title: p.title } : {}), ...(p.dueAt !== undefined ? { due_at: p.dueAt } : {}),
    ...(p.doneAt !== undefined ? { done_at: p.doneAt } : {}), ...(p.ownerId !== undefined ? { owner_id: p.ownerId } : {}),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toTask(row);
}

export type TaskFilter = { ownerId?: string; leadId?: string; contactId?: string; open?: boolean };

/** Tasks by due time (soonest first); open ones of an owner come from the partial index. */
const taskKeyset: Keyset<Selectable<SalesTaskTable>> = { id: 'id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'due_at', type: 'timestamptz' } };

/** A page of tasks by due time (then id). */
export async function listTasks(db: DbOrTrx, workspaceId: string, f: TaskFilter, page: PageRequest): Promise<Page<SalesTask>> {
  let q = db.selectFrom('sales_task').selectAll().where('workspace_id', '=', workspaceId);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.leadId) q = q.where('lead_id', '=', f.leadId);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  if (f.open === true) q = q.where('done_at', 'is', null);
  if (f.open === false) q = q.where('done_at', 'is not', null);
  return keysetPage(await keysetQuery(q, taskKeyset, page).execute(), taskKeyset, page.limit, toTask);
}
