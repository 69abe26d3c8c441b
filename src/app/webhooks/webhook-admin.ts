import { fail, ok, type Result } from '../../core/result.ts';
import { subscribableBy, type WebhookEventType } from '../../core/webhooks/event-types.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import {
  deleteWebhook, getWebhook, getWebhookDelivery, insertWebhook, pageWebhookDeliveries, pageWebhooks, lockWebhook, updateWebhook,
  type Webhook, type WebhookDelivery, type WebhookKind, type WebhookPatch,
} from '../../storage/webhooks.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { DELIVER_WEBHOOK_EVENT, WEBHOOK_EVENT_MAX_ATTEMPTS } from './publish.ts';
import { checkTarget } from '../outbound/safe-target.ts';
import { newSigningSecret } from '../outbound/signing.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

/** Alert deliveries keep their own job and attempt budget (src/app/handoff). */
const ALERT_JOB = 'deliver-alert';
const ALERT_MAX_ATTEMPTS = 8;
/** How long a rotated-out secret keeps signing when the caller does not say: a day to deploy the new one. */
export const DEFAULT_OVERLAP_HOURS = 24;
export const MAX_OVERLAP_HOURS = 24 * 7;

/** What the audit log keeps of an endpoint: never its secrets (the rotation entry says when, not what). */
const audited = (w: Webhook) => ({
  name: w.name, kind: w.kind, url: w.url, active: w.active, event_types: w.eventTypes,
  previous_secret_expires_at: w.previousSecretExpiresAt?.toISOString() ?? null,
});

const notFound = (id: string) => fail('NotFound', `Webhook ${id} not found in this workspace.`);

function checkEventTypes(kind: WebhookKind, types: readonly WebhookEventType[]): Result<WebhookEventType[]> {
  const allowed = subscribableBy(kind);
  const wrong = types.filter((t) => !allowed.includes(t));
  if (wrong.length) {
    return fail('ValidationFailed', `A Slack webhook posts messages for people, so it takes alert.created only; ${wrong.join(', ')} need a JSON endpoint (kind "json").`,
      [{ path: 'body.event_types', message: `only ${allowed.join(', ')} for kind ${kind}` }]);
  }
  if (types.length === 0) return fail('ValidationFailed', 'Subscribe to at least one event type, or pause the webhook instead.', [{ path: 'body.event_types', message: 'at least one event type' }]);
  return ok([...new Set(types)]);
}

/**
 * Adds an endpoint with a fresh Standard Webhooks secret (returned with it, once). The URL is resolved
 * and judged now: an internal address (loopback, private, link-local, metadata) is refused with a 400
 * and nothing is stored. Without `eventTypes` the endpoint gets alerts only, as before lifecycle events.
 */
export async function createWebhook(deps: AppDeps, actor: Principal, input: { name: string; kind: WebhookKind; url: string; eventTypes?: WebhookEventType[] }): Promise<Result<Webhook>> {
  const url = await checkTarget(input.url, deps.outbound);
  if (!url.ok) return url;
  const types = checkEventTypes(input.kind, input.eventTypes ?? ['alert.created']);
  if (!types.ok) return types;
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const webhook = await insertWebhook(trx, actor.workspaceId, {
      name: input.name, kind: input.kind, url: url.value, secret: newSigningSecret(), active: true, createdAt: at, eventTypes: types.value,
    });
    await recordAudit(trx, { workspaceId: actor.workspaceId, actor, action: 'webhook.created', object: { type: 'webhook', id: webhook.id }, after: audited(webhook), at });
    return ok(webhook);
  });
}

export async function webhooksOf(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<Webhook>> {
  return pageWebhooks(deps.db, workspaceId, page);
}

export async function changeWebhook(deps: AppDeps, actor: Principal, id: string, input: { name?: string; url?: string; active?: boolean; eventTypes?: WebhookEventType[] }): Promise<Result<Webhook>> {
  const workspaceId = actor.workspaceId;
  const current = await getWebhook(deps.db, workspaceId, id);
  if (!current) return notFound(id);
  const patch: WebhookPatch = { name: input.name, active: input.active };
  if (input.url !== undefined) {
    const url = await checkTarget(input.url, deps.outbound);
    if (!url.ok) return url;
    patch.url = url.value;
  }
  if (input.eventTypes !== undefined) {
    const types = checkEventTypes(current.kind, input.eventTypes);
    if (!types.ok) return types;
    patch.eventTypes = types.value;
  }
  return inTransaction(deps, async (trx) => {
    const before = await lockWebhook(trx, workspaceId, id);
    if (!before) return notFound(id);
    const updated = await updateWebhook(trx, workspaceId, id, patch);
    if (!updated) return notFound(id);
    const action = input.active === false && before.active ? 'webhook.paused' : input.active === true && !before.active ? 'webhook.resumed' : 'webhook.changed';
    await recordAudit(trx, { workspaceId, actor, action, object: { type: 'webhook', id }, before: audited(before), after: audited(updated), at: deps.clock.now() });
    return ok(updated);
  });
}

/**
 * Replaces the signing secret. The old one keeps signing beside the new one for `overlapHours`
 * (both signatures in `webhook-signature`), so receivers switch without dropping a delivery;
 * 0 ends it at once (a leaked secret). Returns the webhook with the new secret, shown once.
 */
export async function rotateWebhookSecret(deps: AppDeps, actor: Principal, id: string, input: { overlapHours?: number; reason?: string | null }): Promise<Result<Webhook>> {
  const workspaceId = actor.workspaceId;
  const hours = input.overlapHours ?? DEFAULT_OVERLAP_HOURS;
  return inTransaction(deps, async (trx) => {
    const current = await lockWebhook(trx, workspaceId, id);
    if (!current) return notFound(id);
    const now = deps.clock.now();
    const updated = await updateWebhook(trx, workspaceId, id, {
      secret: newSigningSecret(), secretRotatedAt: now,
      previousSecret: hours > 0 ? current.secret : null,
      previousSecretExpiresAt: hours > 0 ? new Date(now.getTime() + hours * 3_600_000) : null,
    });
    if (!updated) return notFound(id);
    await recordAudit(trx, {
      workspaceId, actor, action: 'webhook.secret_rotated', object: { type: 'webhook', id }, before: audited(current), after: { ...audited(updated), overlap_hours: hours },
      reason: input.reason ?? null, at: now,
    });
    return ok(updated);
  });
}

export async function removeWebhook(deps: AppDeps, actor: Principal, id: string): Promise<Result<{ id: string }>> {
  const workspaceId = actor.workspaceId;
  return inTransaction(deps, async (trx) => {
    const before = await lockWebhook(trx, workspaceId, id);
    if (!before || !(await deleteWebhook(trx, workspaceId, id))) return notFound(id);
    await recordAudit(trx, { workspaceId, actor, action: 'webhook.deleted', object: { type: 'webhook', id }, before: audited(before), at: deps.clock.now() });
    return ok({ id });
  });
}

export async function webhookDeliveries(deps: AppDeps, workspaceId: string, id: string, page: PageRequest): Promise<Result<Page<WebhookDelivery>>> {
  if (!(await getWebhook(deps.db, workspaceId, id))) return notFound(id);
  return ok(await pageWebhookDeliveries(deps.db, workspaceId, id, page));
}

/**
 * Sends a logged delivery's alert or event to its webhook again, as a new job with its own retries.
 * An event keeps its `webhook-id`, so a receiver that already processed it can tell.
 */
export async function replayDelivery(deps: AppDeps, workspaceId: string, deliveryId: string): Promise<Result<{ queued: true; webhookId: string; alertId: string | null; eventId: string | null }>> {
  const delivery = await getWebhookDelivery(deps.db, workspaceId, deliveryId);
  if (!delivery) return fail('NotFound', `Webhook delivery ${deliveryId} not found in this workspace.`);
  const jobKey = `replay:${deliveryId}`;
  if (delivery.eventId) {
    await enqueue(deps.db, DELIVER_WEBHOOK_EVENT, { workspaceId, eventId: delivery.eventId, webhookId: delivery.webhookId, replay: true },
      { jobKey, maxAttempts: WEBHOOK_EVENT_MAX_ATTEMPTS, runAt: deps.clock.now() });
  } else if (delivery.alertId) {
    await enqueue(deps.db, ALERT_JOB, { workspaceId, alertId: delivery.alertId, channel: 'webhook', webhookId: delivery.webhookId, replay: true },
      { jobKey, maxAttempts: ALERT_MAX_ATTEMPTS });
  }
  return ok({ queued: true, webhookId: delivery.webhookId, alertId: delivery.alertId, eventId: delivery.eventId });
}
