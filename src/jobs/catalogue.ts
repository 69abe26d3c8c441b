import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import { deliverAlertPayload } from '../app/handoff/alert-delivery.ts';
import { governanceNotifyPayload } from '../app/definitions/governance-notify.ts';
import { deliverWebhookEventPayload } from '../app/webhooks/deliver-event.ts';
import { eraseInCrmPayload } from '../app/crm/erase-in-crm.ts';

/**
 * The job catalogue: every graphile-worker job Leadloop queues, by name, with its payload schema.
 *
 * The names and payload types are declared to graphile-worker as `GraphileWorker.Tasks` (below), so
 * a job's name and payload are checked at both ends:
 * - the enqueuing end: `enqueue(trx, name, payload, options)` (src/storage/jobs.repo.ts, re-exported
 *   here) accepts only catalogue names with their payload type, and adds the job in the caller's
 *   transaction (outbox semantics: a rolled-back change leaves no job behind);
 * - the running end: `JobHandlers` must handle every catalogue name with a handler typed by its
 *   payload (src/jobs/tasks.ts), and `toTaskList` validates each payload against its schema before
 *   the handler runs (payloads come back from the database as JSON).
 * A new job is one line here plus its handler; a typo in a name fails typecheck at either end.
 * Cron jobs get graphile-worker's `_cron` payload.
 */
const cronPayload = z.object({ _cron: z.object({ ts: z.string(), backfilled: z.boolean().optional() }).optional() });

export const jobPayloads = {
  /** Cron (daily): delete expired web sessions. */
  'purge-sessions': cronPayload,
  /** Cron (10 min): rebuild the contacts queued for attribution's touch summary, in every workspace. */
  'refresh-touch-summaries': cronPayload,
  /** Cron (hourly): decay engagement to now; ratings drop without qualifying anyone. */
  'refresh-decay': cronPayload,
  /** After an activation: every contact re-scored under the new active version (job_key recompute-definition:<workspaceId>). */
  'recompute-definition': z.object({ workspaceId: z.uuid(), definitionId: z.uuid() }),
  /** A lead's SLA timer (job_key sla:<leadId>, run_at = the core's nextWakeUp). */
  'sla-check': z.object({ workspaceId: z.string(), leadId: z.string() }),
  /** One alert delivery: a webhook or the owner's email (job_key alert:<user>:<lead>:<kind>:<channel>). */
  'deliver-alert': deliverAlertPayload,
  /** One lifecycle event to one endpoint, Standard Webhooks signed (job_key whe:<eventId>:<webhookId>, or replay:<deliveryId>). */
  'deliver-webhook-event': deliverWebhookEventPayload,
  /** Cron (10 min): safety net for SLA timers lost to a restore or a purge. */
  'sla-sweep': cronPayload,
  /** One enrollment's next nurture step (job_key nurture:<enrollmentId>, run_at = when it is due). */
  'nurture-tick': z.object({ workspaceId: z.uuid(), enrollmentId: z.uuid() }),
  /** Cron (15 min): enroll eligible leads, then run whatever is due. */
  'nurture-enroll': cronPayload,
  /** A marketer's test send of a nurture template, through the worker's mailer (the real SMTP path). */
  'nurture-test-send': z.object({ workspaceId: z.uuid(), to: z.email(), subject: z.string(), template: z.string(), assetTitle: z.string(), assetUrl: z.string(), firstName: z.string().nullable() }),
  /** Push a workspace's pending MQLs and stage changes to one CRM (job_key crm-push:<workspaceId>:<provider>; enqueued on LeadTransitioned). */
  'crm-push': z.object({ workspaceId: z.uuid(), provider: z.enum(['salesforce', 'hubspot']) }),
  /** Cron (15 min): a full sync (push, then incremental pull) of every active CRM connection. */
  'crm-sync': cronPayload,
  /** Re-predict people who just acted (enqueued on ActivitiesStored when the workspace has a model). */
  'predict-contacts': z.object({ workspaceId: z.uuid(), contactIds: z.array(z.uuid()).min(1).max(1000) }),
  /** Cron (daily): every workspace with a model re-predicts everyone (recency ages without activity). */
  'refresh-predictions': cronPayload,
  /** Delete an erased person's records in one CRM (job_key crm-erase:<connectionId>:<contactId>; enqueued on ContactErased). */
  'crm-erase': eraseInCrmPayload,
  /** Mail to both sides' approvers: a retirement request or an admin's emergency stop. */
  'governance-notify': governanceNotifyPayload,
  /** Cron (daily): delete what each workspace's retention settings say has expired (src/app/privacy/retention.ts). */
  'privacy-retention': cronPayload,
  /** Double opt-in confirmation emails (transactional) for requests the consent write just opened (src/app/privacy/double-opt-in.ts). */
  'consent-confirmation': z.object({ workspaceId: z.uuid(), requestIds: z.array(z.uuid()).min(1).max(1000) }),
} as const satisfies Record<string, z.ZodType>;

type CataloguePayloads = { [K in keyof typeof jobPayloads]: z.infer<(typeof jobPayloads)[K]> };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace GraphileWorker {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Tasks extends CataloguePayloads {}
  }
}

export type JobName = keyof GraphileWorker.Tasks & keyof typeof jobPayloads;
export type JobPayload<K extends JobName> = GraphileWorker.Tasks[K];

export type JobInfo = { attempts: number; maxAttempts: number };
/** A task body independent of graphile-worker, so tests can run due jobs with a simulated clock (run-due-jobs.ts). */
export type JobHandler<K extends JobName> = (payload: JobPayload<K>, job: JobInfo, helpers?: JobHelpers) => Promise<void>;
/** Every catalogue job's handler: the worker's task list must cover the whole catalogue. */
export type JobHandlers = { [K in JobName]: JobHandler<K> };

/** Validates a payload read back from the queue against its catalogue schema. */
export function parseJobPayload<K extends JobName>(name: K, payload: unknown): JobPayload<K> {
  return jobPayloads[name].parse(payload ?? {}) as JobPayload<K>;
}

/** Runs `handler` for a raw queued payload (validated first). */
export function runJob<K extends JobName>(name: K, handler: JobHandler<K>, payload: unknown, job: JobInfo, helpers?: JobHelpers): Promise<void> {
  return handler(parseJobPayload(name, payload), job, helpers);
}

/** The handlers as graphile-worker tasks. */
export function toTaskList(handlers: JobHandlers): TaskList {
  const list: Record<string, Task> = {};
  for (const name of Object.keys(handlers) as JobName[]) {
    const handler = handlers[name] as JobHandler<JobName>;
    list[name] = (payload, helpers) => runJob(name, handler, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts }, helpers);
  }
  return list;
}

export { enqueue, removeJob, type EnqueueOptions } from '../storage/jobs.repo.ts';
