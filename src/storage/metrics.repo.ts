import { sql } from 'kysely';
import type { Db } from './db.ts';

export type JobQueueStats = { task: string; due: number; oldestDueSeconds: number; failedPermanently: number };

/**
 * The job queue per task, as an operator alerts on it: jobs due now (waiting or running), how long the oldest
 * waiting one has been due, and jobs out of attempts (kept by graphile-worker, never run again).
 * One grouped scan of graphile-worker's queue: it stays small (done jobs are deleted).
 */
export async function jobQueueStats(db: Db): Promise<JobQueueStats[]> {
  const { rows } = await sql<{ task: string; due: string; oldest: number | null; failed: string }>`
    select task_identifier as task,
      count(*) filter (where attempts < max_attempts and run_at <= now()) as due,
      extract(epoch from now() - min(run_at) filter (where attempts < max_attempts and run_at <= now() and locked_at is null))::float8 as oldest,
      count(*) filter (where attempts >= max_attempts) as failed
    from graphile_worker.jobs group by task_identifier`.execute(db);
  return rows.map((r) => ({ task: r.task, due: Number(r.due), oldestDueSeconds: Math.max(0, r.oldest ?? 0), failedPermanently: Number(r.failed) }));
}

export type SlaStats = { breachedOpen: number; escalations: number };

/** SLA clocks breached and still running (nobody acted yet), and escalations ever made (append-only). */
export async function slaStats(db: Db): Promise<SlaStats> {
  const { rows } = await sql<{ breached: string; escalations: string }>`
    select (select count(*) from sla_clock where state = 'breached' and stopped_at is null) as breached,
      (select count(*) from sla_escalation) as escalations`.execute(db);
  return { breachedOpen: Number(rows[0]?.breached ?? 0), escalations: Number(rows[0]?.escalations ?? 0) };
}
