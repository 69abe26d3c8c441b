import type { Task } from 'graphile-worker';
import { deliverWebhookEvent } from '../app/webhooks/deliver-event.ts';
import { DELIVER_WEBHOOK_EVENT } from '../app/webhooks/publish.ts';
import type { JobDeps, JobHandler } from './handoff.tasks.ts';

/** Lifecycle webhook deliveries (one event to one endpoint per job; failures throw and are retried with backoff). */
export function webhookHandlers(deps: JobDeps): Record<string, JobHandler> {
  return { [DELIVER_WEBHOOK_EVENT]: (payload, job) => deliverWebhookEvent(deps, payload, job) };
}

export function webhookTasks(deps: JobDeps): Record<string, Task> {
  return Object.fromEntries(Object.entries(webhookHandlers(deps)).map(([name, handler]) => [
    name, ((payload, helpers) => handler(payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts })) satisfies Task,
  ]));
}
