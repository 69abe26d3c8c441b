import { completeQueuedJob, failQueuedJob, listDueJobs, lockQueuedJob } from '../storage/job-queue.repo.ts';
import { runJob, type JobHandler, type JobName } from './catalogue.ts';
import { handoffHandlers, type JobDeps } from './handoff.tasks.ts';
import { webhookHandlers } from './webhooks.tasks.ts';
import { governanceHandlers } from './governance.tasks.ts';
import { privacyHandlers } from './privacy.tasks.ts';

export type RanJob = { task: string; key: string | null; attempt: number; ok: boolean; error: string | null };

/**
 * Runs, in run_at order, every queued job due by `until` on the caller's clock, with the same
 * handlers the worker uses. graphile-worker compares run_at with the database's now(), which a
 * simulated clock cannot move; this lets scenario tests and simulations run SLA timers and
 * deliveries to the minute without sleeping. A failed job is released with graphile-worker's
 * backoff (exp(min(attempts, 10)) seconds) counted from deps.clock.
 */
export async function runDueJobs(deps: JobDeps, until: Date, options: { tasks?: readonly JobName[]; keyPrefix?: string; maxJobs?: number; handlers?: Partial<Record<JobName, JobHandler<any>>> } = {}): Promise<RanJob[]> {
  const handlers: Partial<Record<JobName, JobHandler<any>>> = { ...handoffHandlers(deps), ...webhookHandlers(deps), ...governanceHandlers(deps), 'consent-confirmation': privacyHandlers(deps)['consent-confirmation'], ...options.handlers };
  const handled = (task: string): task is JobName => task in handlers;
  const ran: RanJob[] = [];
  const maxJobs = options.maxJobs ?? 1000;
  while (ran.length < maxJobs) {
    const due = (await listDueJobs(deps.db, until, 100)).filter((j) => handled(j.task)
      && (!options.tasks || options.tasks.includes(j.task as JobName)) && (!options.keyPrefix || j.key?.startsWith(options.keyPrefix)));
    const job = due[0];
    if (!job) break;
    const task = job.task as JobName;
    const handler = handlers[task] as JobHandler<JobName>;
    await lockQueuedJob(deps.db, job.id);
    const attempt = job.attempts + 1;
    try {
      await runJob(task, handler, job.payload, { attempts: attempt, maxAttempts: job.maxAttempts });
      await completeQueuedJob(deps.db, job.id);
      ran.push({ task: job.task, key: job.key, attempt, ok: true, error: null });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const next = new Date(deps.clock.now().getTime() + Math.exp(Math.min(attempt, 10)) * 1000);
      await failQueuedJob(deps.db, job.id, next, error);
      ran.push({ task: job.task, key: job.key, attempt, ok: false, error });
    }
  }
  return ran;
}
