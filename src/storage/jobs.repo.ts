import type {} from 'graphile-worker'; // its global GraphileWorker.Tasks, which src/jobs/catalogue.ts fills
import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';

export type EnqueueOptions = { jobKey?: string; runAt?: Date; maxAttempts?: number; queueName?: string; priority?: number };

/**
 * Enqueues a graphile-worker job in the caller's transaction, so a job exists if and only if the
 * business change that caused it committed (outbox semantics: pass the transaction that makes the
 * change). A `jobKey` replaces a pending job with the same key (how SLA timers are reset at every
 * stage change). `task` and `payload` are checked against the job catalogue (src/jobs/catalogue.ts
 * declares them as graphile-worker's `GraphileWorker.Tasks`).
 */
export async function enqueue<K extends keyof GraphileWorker.Tasks>(db: DbOrTrx, task: K, payload: GraphileWorker.Tasks[K], options: EnqueueOptions = {}): Promise<void> {
  await sql`SELECT graphile_worker.add_job(
    ${task}::text,
    ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    priority => ${options.priority ?? null}::int
  )`.execute(db);
}

export async function removeJob(db: DbOrTrx, jobKey: string): Promise<void> {
  await sql`SELECT graphile_worker.remove_job(${jobKey}::text)`.execute(db);
}
