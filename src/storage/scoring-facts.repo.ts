import type { DbOrTrx } from './db.ts';
import { toAccount, type Account } from './accounts.repo.ts';
import { toContact, type Contact } from './contacts.repo.ts';
import { toContentAsset, type ContentAsset } from './content.repo.ts';
import { toActivity, type Activity } from './activities.repo.ts';

/** Batch loads for scoring: a few queries per batch of activities, never one per activity. */

export async function contactsByIds(db: DbOrTrx, workspaceId: string, ids: string[]): Promise<Map<string, Contact>> {
  const out = new Map<string, Contact>();
  if (!ids.length) return out;
  const rows = await db.selectFrom('contact').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)]).execute();
  for (const r of rows) out.set(r.id, toContact(r));
  return out;
}

export async function accountsByIds(db: DbOrTrx, workspaceId: string, ids: string[]): Promise<Map<string, Account>> {
  const out = new Map<string, Account>();
  if (!ids.length) return out;
  const rows = await db.selectFrom('account').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)]).execute();
  for (const r of rows) out.set(r.id, toAccount(r));
  return out;
}

export async function contentByIds(db: DbOrTrx, workspaceId: string, ids: string[]): Promise<Map<string, ContentAsset>> {
  const out = new Map<string, ContentAsset>();
  if (!ids.length) return out;
  const rows = await db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)]).execute();
  for (const r of rows) out.set(r.id, toContentAsset(r));
  return out;
}

/** Contact ids with at least one activity or score row, after a cursor (recompute jobs page through them). */
export async function scoredContactIds(db: DbOrTrx, workspaceId: string, afterId: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom('contact').select('id').where('workspace_id', '=', workspaceId).where('status', '!=', 'merged');
  if (afterId) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Every activity of these contacts, by contact then time (a full re-score replays them). */
export async function activitiesOfContacts(db: DbOrTrx, workspaceId: string, contactIds: string[]): Promise<Activity[]> {
  if (!contactIds.length) return [];
  const rows = await db.selectFrom('activity').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', 'in', contactIds)
    .orderBy('contact_id').orderBy('occurred_at').orderBy('id').execute();
  return rows.map(toActivity);
}

export async function allContent(db: DbOrTrx, workspaceId: string): Promise<ContentAsset[]> {
  const rows = await db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId).execute();
  return rows.map(toContentAsset);
}

export async function activityByIdempotencyKey(db: DbOrTrx, workspaceId: string, key: string): Promise<Activity | null> {
  const row = await db.selectFrom('activity').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toActivity(row) : null;
}
