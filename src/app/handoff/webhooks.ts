import { randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../../core/result.ts';
import { enqueueJob } from '../../storage/jobs.repo.ts';
import {
  deleteWebhook, getWebhook, getWebhookDelivery, insertWebhook, listWebhookDeliveries, listWebhooks, updateWebhook,
  type Webhook, type WebhookDelivery, type WebhookKind,
} from '../../storage/webhooks.repo.ts';
import type { AppDeps } from '../context.ts';
import { WEBHOOK_MAX_ATTEMPTS } from './handoff-deps.ts';

function checkUrl(url: string): Result<string> {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    return ok(u.toString());
  } catch {
    return fail('ValidationFailed', `'${url}' is not an http(s) URL.`, [{ path: 'body.url', message: 'an http or https URL' }]);
  }
}

/** Creates a webhook with a fresh signing secret (returned with the webhook; keep it to verify signatures). */
export async function createWebhook(deps: AppDeps, workspaceId: string, input: { name: string; kind: WebhookKind; url: string }): Promise<Result<Webhook>> {
  const url = checkUrl(input.url);
  if (!url.ok) return url;
  return ok(await insertWebhook(deps.db, workspaceId, {
    name: input.name, kind: input.kind, url: url.value, secret: `whsec_${randomBytes(24).toString('hex')}`, active: true, createdAt: deps.clock.now(), eventTypes: ['alert.created'],
  }));
}

export async function webhooksOf(deps: AppDeps, workspaceId: string): Promise<Webhook[]> {
  return listWebhooks(deps.db, workspaceId);
}

export async function changeWebhook(deps: AppDeps, workspaceId: string, id: string, patch: { name?: string; url?: string; active?: boolean }): Promise<Result<Webhook>> {
  if (patch.url !== undefined) {
    const url = checkUrl(patch.url);
    if (!url.ok) return url;
    patch = { ...patch, url: url.value };
  }
  const updated = await updateWebhook(deps.db, workspaceId, id, patch);
  return updated ? ok(updated) : fail('NotFound', `Webhook ${id} not found in this workspace.`);
}

export async function removeWebhook(deps: AppDeps, workspaceId: string, id: string): Promise<Result<{ id: string }>> {
  return (await deleteWebhook(deps.db, workspaceId, id)) ? ok({ id }) : fail('NotFound', `Webhook ${id} not found in this workspace.`);
}

export async function webhookDeliveries(deps: AppDeps, workspaceId: string, id: string): Promise<Result<WebhookDelivery[]>> {
  if (!(await getWebhook(deps.db, workspaceId, id))) return fail('NotFound', `Webhook ${id} not found in this workspace.`);
  return ok(await listWebhookDeliveries(deps.db, workspaceId, id));
}

/** Sends a logged delivery's alert to its webhook again, as a new job with its own retries. */
export async function replayDelivery(deps: AppDeps, workspaceId: string, deliveryId: string): Promise<Result<{ queued: true; webhookId: string; alertId: string }>> {
  const delivery = await getWebhookDelivery(deps.db, workspaceId, deliveryId);
  if (!delivery?.alertId) return fail('NotFound', `Webhook delivery ${deliveryId} not found in this workspace.`);
  await enqueueJob(deps.db, 'deliver-alert', { workspaceId, alertId: delivery.alertId, channel: 'webhook', webhookId: delivery.webhookId, replay: true },
    { jobKey: `replay:${deliveryId}`, maxAttempts: WEBHOOK_MAX_ATTEMPTS });
  return ok({ queued: true, webhookId: delivery.webhookId, alertId: delivery.alertId });
}
