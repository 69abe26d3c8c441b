import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import type { WebhookDeliveryTable, WebhookTable } from './schema-handoff.ts';

export type WebhookKind = 'slack' | 'json';
export type Webhook = { id: string; name: string; kind: WebhookKind; url: string; secret: string; active: boolean; createdAt: Date };
export type WebhookDelivery = {
  id: string; webhookId: string; alertId: string; attempt: number; status: 'success' | 'failed'; responseCode: number | null;
  durationMs: number; error: string | null; at: Date;
  /** The start of the receiver's answer (untrusted text). */
  responseSnippet: string | null;
};

const toWebhook = (r: Selectable<WebhookTable>): Webhook => ({
  id: r.id, name: r.name, kind: r.kind as WebhookKind, url: r.url, secret: r.secret, active: r.active, createdAt: r.created_at,
});
const toDelivery = (r: Selectable<WebhookDeliveryTable>): WebhookDelivery => ({
  id: r.id, webhookId: r.webhook_id, alertId: r.alert_id, attempt: r.attempt, status: r.status as WebhookDelivery['status'],
  responseCode: r.response_code, durationMs: r.duration_ms, error: r.error, at: r.at,
  responseSnippet: r.response_snippet,
});

export async function insertWebhook(db: DbOrTrx, workspaceId: string, w: Omit<Webhook, 'id'>): Promise<Webhook> {
  const row = await db.insertInto('webhook').values({
    workspace_id: workspaceId, id: newId(w.createdAt.getTime()), name: w.name, kind: w.kind, url: w.url, secret: w.secret, active: w.active, created_at: w.createdAt,
  }).returningAll().executeTakeFirstOrThrow();
  return toWebhook(row);
}

export async function listWebhooks(db: DbOrTrx, workspaceId: string, filter: { active?: boolean } = {}): Promise<Webhook[]> {
  let q = db.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active);
  return (await q.orderBy('id').execute()).map(toWebhook);
}

export async function getWebhook(db: DbOrTrx, workspaceId: string, id: string): Promise<Webhook | null> {
  const row = await db.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row) : null;
}

export async function updateWebhook(db: DbOrTrx, workspaceId: string, id: string, patch: { name?: string; url?: string; active?: boolean }): Promise<Webhook | null> {
  const row = await db.updateTable('webhook').set({
    ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toWebhook(row) : null;
}

export async function deleteWebhook(db: DbOrTrx, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertWebhookDelivery(db: DbOrTrx, workspaceId: string, d: Omit<WebhookDelivery, 'id'>): Promise<WebhookDelivery> {
  const row = await db.insertInto('webhook_delivery').values({
    workspace_id: workspaceId, id: newId(d.at.getTime()), webhook_id: d.webhookId, alert_id: d.alertId, attempt: d.attempt, status: d.status,
    response_code: d.responseCode, duration_ms: d.durationMs, error: d.error, at: d.at, response_snippet: d.responseSnippet,
  }).returningAll().executeTakeFirstOrThrow();
  return toDelivery(row);
}

export async function listWebhookDeliveries(db: DbOrTrx, workspaceId: string, webhookId: string, limit = 100): Promise<WebhookDelivery[]> {
  const rows = await db.selectFrom('webhook_delivery').selectAll().where('workspace_id', '=', workspaceId).where('webhook_id', '=', webhookId)
    .orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toDelivery);
}

export async function getWebhookDelivery(db: DbOrTrx, workspaceId: string, id: string): Promise<WebhookDelivery | null> {
  const row = await db.selectFrom('webhook_delivery').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toDelivery(row) : null;
}
