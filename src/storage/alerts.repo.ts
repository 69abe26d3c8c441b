import type { Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { AlertTable } from './schema-handoff.ts';

export type Alert = {
  id: string; userId: string; leadId: string; kind: string; title: string; body: string; context: Record<string, unknown>;
  createdAt: Date; readAt: Date | null; deliveredAt: Date | null; emailStatus: string | null; emailDetail: string | null;
};

const toAlert = (r: Selectable<AlertTable>): Alert => ({
  id: r.id, userId: r.user_id, leadId: r.lead_id, kind: r.kind, title: r.title, body: r.body, context: r.context, createdAt: r.created_at,
  readAt: r.read_at, deliveredAt: r.delivered_at, emailStatus: r.email_status, emailDetail: r.email_detail,
});

export type NewAlert = { userId: string; leadId: string; kind: string; title: string; body: string; context: Record<string, unknown>; at: Date };

export async function insertAlert(trx: Trx, workspaceId: string, a: NewAlert): Promise<Alert> {
  const row = await trx.insertInto('alert').values({
    workspace_id: workspaceId, id: newId(a.at.getTime()), user_id: a.userId, lead_id: a.leadId, kind: a.kind, title: a.title,
    body: a.body, context: JSON.stringify(a.context), created_at: a.at, read_at: null, delivered_at: null, email_status: null, email_detail: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toAlert(row);
}

/** Whether the user already got this kind of alert about this lead since `since` (burst dedupe). */
export async function recentAlertExists(db: DbOrTrx, workspaceId: string, userId: string, leadId: string, kind: string, since: Date): Promise<boolean> {
  const row = await db.selectFrom('alert').select('id').where('workspace_id', '=', workspaceId).where('user_id', '=', userId)
    .where('lead_id', '=', leadId).where('kind', '=', kind).where('created_at', '>', since).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function getAlert(db: DbOrTrx, workspaceId: string, id: string): Promise<Alert | null> {
  const row = await db.selectFrom('alert').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toAlert(row) : null;
}

export async function listAlerts(db: DbOrTrx, workspaceId: string, userId: string, filter: { unread?: boolean }, page: PageRequest): Promise<Page<Alert>> {
  let q = db.selectFrom('alert').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
  if (filter.unread === true) q = q.where('read_at', 'is', null);
  if (filter.unread === false) q = q.where('read_at', 'is not', null);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toAlert);
}

export async function markAlertRead(db: DbOrTrx, workspaceId: string, userId: string, id: string, at: Date): Promise<Alert | null> {
  const row = await db.updateTable('alert').set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(at)) }))
    .where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toAlert(row) : null;
}

/** The first delivery to any channel marks the alert delivered (the end of the system's part of the hand-off). */
export async function markAlertDelivered(db: DbOrTrx, workspaceId: string, id: string, at: Date): Promise<void> {
  await db.updateTable('alert').set((eb) => ({ delivered_at: eb.fn.coalesce('delivered_at', eb.val(at)) }))
    .where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function setAlertEmailStatus(db: DbOrTrx, workspaceId: string, id: string, status: string, detail: string | null): Promise<void> {
  await db.updateTable('alert').set({ email_status: status, email_detail: detail }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export type RecentActivity = { type: string; occurredAt: Date; contentTitle: string | null; url: string | null };

/** What the person did lately, with the titles of the content they read. */
export async function recentActivitiesWithContent(db: DbOrTrx, workspaceId: string, contactId: string, limit: number): Promise<RecentActivity[]> {
  const rows = await db.selectFrom('activity as a')
    .leftJoin('content_asset as c', (j) => j.onRef('c.workspace_id', '=', 'a.workspace_id').onRef('c.id', '=', 'a.content_id'))
    .select(['a.type', 'a.occurred_at', 'a.url', 'c.title']).where('a.workspace_id', '=', workspaceId).where('a.contact_id', '=', contactId)
    .orderBy('a.occurred_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ type: r.type, occurredAt: r.occurred_at, contentTitle: r.title, url: r.url }));
}
