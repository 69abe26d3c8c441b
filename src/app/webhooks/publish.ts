import type { WebhookEventType } from '../../core/webhooks/event-types.ts';
import type { Trx } from '../../storage/db.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { insertWebhookEvents, subscribedEndpoints } from '../../storage/webhook-events.repo.ts';

/** Attempts per lifecycle delivery; graphile-worker waits exp(min(attempt, 10)) s between them: ~16 hours in all. */
export const WEBHOOK_EVENT_MAX_ATTEMPTS = 12;
export const DELIVER_WEBHOOK_EVENT = 'deliver-webhook-event';

export type LifecycleEvent = { type: WebhookEventType; at: Date; data: Record<string, unknown> };

type Endpoints = { id: string; eventTypes: string[] }[];
/**
 * The workspace's active JSON endpoints, read once per transaction: ingestion publishes a
 * ContactCreated per new visitor, and a batch of a hundred must not cost a hundred lookups.
 */
const endpointsByTrx = new WeakMap<Trx, Map<string, Promise<Endpoints>>>();
function endpointsOf(trx: Trx, workspaceId: string): Promise<Endpoints> {
  let byWorkspace = endpointsByTrx.get(trx);
  if (!byWorkspace) endpointsByTrx.set(trx, byWorkspace = new Map());
  let found = byWorkspace.get(workspaceId);
  if (!found) byWorkspace.set(workspaceId, found = subscribedEndpoints(trx, workspaceId, null));
  return found;
}

/**
 * Publishes lifecycle events to the endpoints subscribed to them, in the caller's transaction (an
 * outbox): the event row and one delivery job per endpoint commit with the change that caused them,
 * so a rolled-back change sends nothing and a committed one is delivered even if the process dies
 * right after. Events nobody subscribed to are not stored. Returns how many deliveries were queued.
 */
export async function publishWebhookEvents(trx: Trx, workspaceId: string, events: readonly LifecycleEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const types = new Set<string>(events.map((e) => e.type));
  const endpoints = (await endpointsOf(trx, workspaceId)).filter((w) => w.eventTypes.some((t) => types.has(t)));
  if (endpoints.length === 0) return 0;
  const wanted = events.filter((e) => endpoints.some((w) => w.eventTypes.includes(e.type)));
  const stored = await insertWebhookEvents(trx, workspaceId, wanted.map((e) => ({ type: e.type, at: e.at, payload: { type: e.type, timestamp: e.at.toISOString(), data: e.data } })));
  let queued = 0;
  for (const event of stored) {
    for (const endpoint of endpoints.filter((w) => w.eventTypes.includes(event.type))) {
      // Due from when the fact happened (business time), so simulated clocks deliver in step with the change.
      await enqueue(trx, DELIVER_WEBHOOK_EVENT, { workspaceId, eventId: event.id, webhookId: endpoint.id },
        { jobKey: `whe:${event.id}:${endpoint.id}`, maxAttempts: WEBHOOK_EVENT_MAX_ATTEMPTS, runAt: event.createdAt });
      queued++;
    }
  }
  return queued;
}
