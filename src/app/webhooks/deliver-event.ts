import { z } from 'zod';
import { getWebhookEvent } from '../../storage/webhook-events.repo.ts';
import { getWebhook, insertWebhookDelivery } from '../../storage/webhooks.repo.ts';
import { systemClock, type AppDeps, type Clock } from '../context.ts';
import { describeFailure, postToTarget } from '../outbound/safe-target.ts';
import { signingSecrets, standardWebhookHeaders } from '../outbound/signing.ts';

export const deliverWebhookEventPayload = z.object({
  workspaceId: z.string(), eventId: z.string(), webhookId: z.string(), replay: z.boolean().optional(),
});
export type DeliverWebhookEventPayload = z.infer<typeof deliverWebhookEventPayload>;

export type WebhookDeliveryDeps = AppDeps & {
  webhookTimeoutMs?: number;
  /**
   * The clock of the attempt itself (`webhook-timestamp`): the wall clock by default, because receivers
   * compare it with theirs to refuse replays; business time (deps.clock) dates the event and the log.
   */
  sendClock?: Clock;
};

export const DEFAULT_TIMEOUT_MS = 5000;

/** Thrown to make graphile-worker retry the job with its exponential backoff. */
export class WebhookDeliveryFailed extends Error {}

/**
 * The `deliver-webhook-event` job: one event to one endpoint, signed per Standard Webhooks (with both
 * secrets during a rotation's overlap). Every attempt is logged; a failure throws so the worker retries.
 */
export async function deliverWebhookEvent(deps: WebhookDeliveryDeps, rawPayload: unknown, job: { attempts: number }): Promise<void> {
  const p = deliverWebhookEventPayload.parse(rawPayload);
  const [event, webhook] = await Promise.all([getWebhookEvent(deps.db, p.workspaceId, p.eventId), getWebhook(deps.db, p.workspaceId, p.webhookId)]);
  if (!event || !webhook) return;
  // Paused or unsubscribed after the event was queued: nothing is sent (a replay is explicit).
  if (!p.replay && (!webhook.active || !webhook.eventTypes.includes(event.type))) return;
  const body = JSON.stringify(event.payload);
  const sentAt = (deps.sendClock ?? systemClock).now();
  const timeoutMs = deps.webhookTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  let responseCode: number | null = null;
  let responseSnippet: string | null = null;
  let error: string | null = null;
  try {
    const outcome = await postToTarget(webhook.url, {
      body, timeoutMs, allow: deps.outbound,
      headers: {
        'content-type': 'application/json', 'user-agent': 'Leadloop-Webhook/1',
        ...standardWebhookHeaders(signingSecrets(webhook, deps.clock.now()), event.id, sentAt, body),
      },
    });
    responseCode = outcome.status;
    responseSnippet = outcome.snippet;
    if (outcome.status < 200 || outcome.status > 299) error = `receiver answered HTTP ${outcome.status}`;
  } catch (e) {
    error = describeFailure(e, timeoutMs);
  }
  await insertWebhookDelivery(deps.db, p.workspaceId, {
    webhookId: webhook.id, alertId: null, eventId: event.id, attempt: job.attempts, status: error ? 'failed' : 'success', responseCode,
    durationMs: Math.round(performance.now() - started), error, at: deps.clock.now(), responseSnippet,
  });
  if (error) throw new WebhookDeliveryFailed(`webhook ${webhook.name}: ${error}`);
}
