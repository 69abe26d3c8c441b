import { sql, type Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { WebhookEventTable } from './schema-handoff.ts';

export type StoredWebhookEvent = { id: string; type: string; payload: Record<string, unknown>; createdAt: Date };

const toEvent = (r: Selectable<WebhookEventTable>): StoredWebhookEvent => ({ id: r.id, type: r.type, payload: r.payload, createdAt: r.created_at });

/** Active JSON endpoints subscribed to any of `types` (null: all of them), with the types each one takes. */
export async function subscribedEndpoints(trx: Trx, workspaceId: string, types: readonly string[] | null): Promise<{ id: string; eventTypes: string[] }[]> {
  if (types && types.length === 0) return [];
  let q = trx.selectFrom('webhook').select(['id', 'event_types']).where('workspace_id', '=', workspaceId).where('active', '=', true).where('kind', '=', 'json');
  if (types) q = q.where(sql<boolean>`event_types && ${sql.val([...types])}::text[]`);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, eventTypes: r.event_types }));
}

/** Stores published events (one multi-row insert); ids are minted here and returned in input order. */
export async function insertWebhookEvents(trx: Trx, workspaceId: string, events: readonly { type: string; payload: Record<string, unknown>; at: Date }[]): Promise<StoredWebhookEvent[]> {
  if (events.length === 0) return [];
  const rows = await trx.insertInto('webhook_event').values(events.map((e) => ({
    workspace_id: workspaceId, id: newId(e.at.getTime()), type: e.type, payload: JSON.stringify(e.payload), created_at: e.at,
  }))).returningAll().execute();
  return rows.map(toEvent);
}

export async function getWebhookEvent(db: DbOrTrx, workspaceId: string, id: string): Promise<StoredWebhookEvent | null> {
  const row = await db.selectFrom('webhook_event').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toEvent(row) : null;
}
