import { sql } from 'kysely';
import type { Db } from './db.ts';

export type QueuedJob = { id: string; task: string; payload: unknown; runAt: Date; attempts: number; maxAttempts: number; key: string | null; lastError: string | null };

/**
 * Jobs due by `until` by the caller's clock (not the database's now()), earliest first: how
 * scenario tests and simulations run timers deterministically. Skips jobs a worker holds or that used up their attempts.
 */
export async function listDueJobs(db: Db, until: Date, limit = 100): Promise<QueuedJob[]> {
  const r = await sql<{ id: string; task_identifier: string; payload: unknown; run_at: Date; attempts: number; max_attempts: number; key: string | null; last_error: string | null }>`
    SELECT j.id::text, t.identifier AS task_identifier, j.payload, j.run_at, j.attempts, j.max_attempts, j.key, j.last_error
    FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    WHERE j.run_at <= ${until} AND j.locked_at IS NULL AND j.attempts < j.max_attempts ORDER BY j.run_at, j.id LIMIT ${limit}`.execute(db);
  return r.rows.map((j) => ({ id: j.id, task: j.task_identifier, payload: j.payload, runAt: j.run_at, attempts: j.attempts, maxAttempts: j.max_attempts, key: j.key, lastError: j.last_error }));
}

/** All pending jobs, for assertions and diagnostics. */
export async function listPendingJobs(db: Db): Promise<QueuedJob[]> {
  return listDueJobs(db, new Date('9999-12-31T00:00:00Z'), 10_000);
}

/**
 * Takes the job like a worker would (locked), so a handler that re-adds a job with the same key
 * (an SLA timer rescheduling itself) gets a new job instead of updating the running one.
 */
export async function lockQueuedJob(db: Db, id: string): Promise<void> {
  await sql`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'run-due-jobs', attempts = attempts + 1 WHERE id = ${id}::bigint`.execute(db);
}

export async function completeQueuedJob(db: Db, id: string): Promise<void> {
  await sql`SELECT graphile_worker.complete_jobs(ARRAY[${id}::bigint])`.execute(db);
}

/** Releases a failed job with the time of its next attempt (graphile-worker's own backoff uses the DB clock). */
export async function failQueuedJob(db: Db, id: string, nextRunAt: Date, error: string): Promise<void> {
  await sql`UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL, run_at = ${nextRunAt}, last_error = ${error}
    WHERE id = ${id}::bigint`.execute(db);
}

/** Drops a workspace's queued jobs of the given tasks (not those a worker holds); returns how many. */
export async function dropQueuedJobs(db: Db, workspaceId: string, tasks: readonly string[]): Promise<number> {
  if (!tasks.length) return 0;
  const r = await sql`DELETE FROM graphile_worker._private_jobs j USING graphile_worker._private_tasks t
    WHERE t.id = j.task_id AND t.identifier = ANY(${[...tasks]}::text[]) AND j.locked_at IS NULL AND j.payload->>'workspaceId' = ${workspaceId}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
