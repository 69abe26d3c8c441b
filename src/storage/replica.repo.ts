import { sql } from 'kysely';
import type { Db } from './db.ts';

/** Which server answered a read, and how far a standby's replay is behind its primary. */
export type ReadSource = { database: 'primary' | 'replica'; replicaLagSeconds: number | null };

/**
 * Asked of the database a report read from. A standby that has replayed everything it received is 0 s behind
 * (pg_last_xact_replay_timestamp alone would grow while the primary is idle); otherwise the lag is the age of
 * the last transaction it replayed.
 */
export async function readSource(db: Db): Promise<ReadSource> {
  const { rows } = await sql<{ standby: boolean; lag: string | null }>`
    SELECT pg_is_in_recovery() AS standby,
      CASE WHEN NOT pg_is_in_recovery() THEN NULL
           WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
           ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END AS lag`.execute(db);
  const row = rows[0]!;
  return { database: row.standby ? 'replica' : 'primary', replicaLagSeconds: row.lag === null ? null : Number(row.lag) };
}
