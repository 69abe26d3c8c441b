import { deliverWebhookEvent } from '../app/webhooks/deliver-event.ts';
import type { JobHandlers } from './catalogue.ts';
import type { JobDeps } from './handoff.tasks.ts';

export type WebhookJob = 'deliver-webhook-event';

/** Lifecycle webhook deliveries (one event to one endpoint per job; failures throw and are retried with backoff). */
export function webhookHandlers(deps: JobDeps): Pick<JobHandlers, WebhookJob> {
  return { 'deliver-webhook-event': (p, job) => deliverWebhookEvent(deps, p, job) };
}
