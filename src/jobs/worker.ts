import { run, runMigrations, runOnce, type Logger as WorkerLogger, Logger, parseCrontab, type Runner } from 'graphile-worker';
import type pg from 'pg';
import type { JobDeps } from './handoff.tasks.ts';
import { crontab, taskList } from './tasks.ts';

const quietLogger = new Logger(() => (level: string, message: string) => {
  if (level === 'error' || level === 'warning') console.error(`[worker] ${level}: ${message}`);
});

/** Creates graphile-worker's own schema (idempotent); part of every migrate. */
export async function migrateJobQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, logger: quietLogger });
}

export async function startWorker(pool: pg.Pool, deps: JobDeps, concurrency: number): Promise<Runner> {
  return run({
    pgPool: pool, taskList: taskList(deps), parsedCronItems: parseCrontab(crontab), concurrency,
    noHandleSignals: true, pollInterval: 1000, logger: quietLogger as WorkerLogger,
  });
}

/**
 * Runs every job that is due now, then returns: how tests drain the queue deterministically.
 * graphile-worker deletes a finished job without awaiting it unless completions are batched; batched ones are
 * awaited before runOnce resolves. Without the batch delay, the last job's row could still be in the table when
 * this returned (CI saw it once: a drained queue counted 1 job).
 */
export async function drainJobs(pool: pg.Pool, deps: JobDeps): Promise<void> {
  await runOnce({
    pgPool: pool, taskList: taskList(deps), logger: quietLogger as WorkerLogger,
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
}
