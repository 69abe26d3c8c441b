import { sql, type Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { WebhookDeliveryTable, WebhookTable } from './schema-handoff.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type WebhookKind = 'slack' | 'json';
export type Webhook = {
  id: string; name: string; kind: WebhookKind; url: string; secret: string; active: boolean; createdAt: Date;
  /** Event types the endpoint subscribed to (`alert.created`, `lead.stage_changed`, ...). */
  eventTypes: string[];
  /** The secret before the last rotation, still signing beside the new one until `previousSecretExpiresAt`. */
  previousSecret: string | null; previousSecretExpiresAt: Date | null; secretRotatedAt: Date | null;
};
export type WebhookDelivery = {
  id: string; webhookId: string;
  /** What was delivered: an alert (alert webhooks) or a lifecycle event; exactly one is set. */
  alertId: string | null; eventId: string | null; attempt: number; status: 'success' | 'failed'; responseCode: number | null;
  durationMs: number; error: string | null; at: Date;
  /** The start of the receiver's answer (untrusted text). */
  responseSnippet: string | null;
};

const toWebhook = (r: Selectable<WebhookTable>): Webhook => ({
  id: r.id, name: r.name, kind: r.kind as WebhookKind, url: r.url, secret: r.secret, active: r.active, createdAt: r.created_at,
  eventTypes: r.event_types, previousSecret: r.previous_secret, previousSecretExpiresAt: r.previous_secret_expires_at, secretRotatedAt: r.secret_rotated_at,
});
const toDelivery = (r: Selectable<WebhookDeliveryTable>): WebhookDelivery => ({
  id: r.id, webhookId: r.webhook_id, alertId: r.alert_id, eventId: r.event_id, attempt: r.attempt, status: r.status as WebhookDelivery['status'],
  responseCode: r.response_code, durationMs: r.duration_ms, error: r.error, at: r.at,
  responseSnippet: r.response_snippet,
});

export async function insertWebhook(db: DbOrTrx, workspaceId: string, w: Omit<Webhook, 'id' | 'previousSecret' | 'previousSecretExpiresAt' | 'secretRotatedAt'>): Promise<Webhook> {
  const row = await db.insertInto('webhook').values({
    workspace_id: workspaceId, id: newId(w.createdAt.getTime()), name: w.name, kind: w.kind, url: w.url, secret: w.secret, active: w.active, created_at: w.createdAt,
    event_types: w.eventTypes,
  }).returningAll().executeTakeFirstOrThrow();
  return toWebhook(row);
}

/** `eventType`: only endpoints subscribed to it (alert deliveries ask for `alert.created`). */
export async function listWebhooks(db: DbOrTrx, workspaceId: string, filter: { active?: boolean; eventType?: string } = {}): Promise<Webhook[]> {
  let q = db.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active);
  if (filter.eventType !== undefined) q = q.where(sql<boolean>`${filter.eventType}::text = ANY(event_types)`);
  return (await q.orderBy('id').execute()).map(toWebhook);
}

/** The webhook row locked for a change (secret rotation reads and writes it in one transaction). */
export async function lockWebhook(trx: Trx, workspaceId: string, id: string): Promise<Webhook | null> {
  const row = await trx.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toWebhook(row) : null;
}

export async function getWebhook(db: DbOrTrx, workspaceId: string, id: string): Promise<Webhook | null> {
  const row = await db.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row) : null;
}

export type WebhookPatch = {
  name?: string; url?: string; active?: boolean; eventTypes?: string[];
  secret?: string; previousSecret?: string | null; previousSecretExpiresAt?: Date | null; secretRotatedAt?: Date | null;
};

export async function updateWebhook(db: DbOrTrx, workspaceId: string, id: string, patch: WebhookPatch): Promise<Webhook | null> {
  const row = await db.updateTable('webhook').set({
    ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(patch.eventTypes !== undefined ? { event_types: patch.eventTypes } : {}),
    ...(patch.secret !== undefined ? { secret: patch.secret } : {}),
    ...(patch.previousSecret !== undefined ? { previous_secret: patch.previousSecret } : {}),
    ...(patch.previousSecretExpiresAt !== undefined ? { previous_secret_expires_at: patch.previousSecretExpiresAt } : {}),
    ...(patch.secretRotatedAt !== undefined ? { secret_rotated_at: patch.secretRotatedAt } : {}),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toWebhook(row) : null;
}

export async function deleteWebhook(db: DbOrTrx, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertWebhookDelivery(db: DbOrTrx, workspaceId: string, d: Omit<WebhookDelivery, 'id'>): Promise<WebhookDelivery> {
  const row = await db.insertInto('webhook_delivery').values({
    workspace_id: workspaceId, id: newId(d.at.getTime()), webhook_id: d.webhookId, alert_id: d.alertId, event_id: d.eventId, attempt: d.attempt, status: d.status,
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

const webhookKeyset: Keyset<Selectable<WebhookTable>> = { id: 'id', idOf: (r) => r.id, direction: 'asc' };
const deliveryKeyset: Keyset<Selectable<WebhookDeliveryTable>> = { id: 'id', idOf: (r) => r.id, direction: 'desc' };

/** A page of the workspace's webhooks, oldest first. */
export async function pageWebhooks(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<Webhook>> {
  const q = db.selectFrom('webhook').selectAll().where('workspace_id', '=', workspaceId);
  return keysetPage(await keysetQuery(q, webhookKeyset, page).execute(), webhookKeyset, page.limit, toWebhook);
}

/** A page of a webhook's deliveries, newest first. */
export async function pageWebhookDeliveries(db: DbOrTrx, workspaceId: string, webhookId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
  const q = db.selectFrom('webhook_delivery').selectAll().where('workspace_id', '=', workspaceId).where('webhook_id', '=', webhookId);
  return keysetPage(await keysetQuery(q, deliveryKeyset, page).execute(), deliveryKeyset, page.limit, toDelivery);
}
