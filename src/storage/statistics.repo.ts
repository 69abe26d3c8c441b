import { sql } from 'kysely';
import type { Db, Trx } from './db.ts';
import type { Database } from './schema.ts';

/**
 * Planner statistics: ANALYZE inside a bulk load's transactions (`analyzeTables`, the CSV import) and, for a server
 * whose autovacuum is off, the statistics keeper's rounds (ANALYZE and dead-row cleanup of grown tables).
 *
 * Why: PostgreSQL plans from statistics that autovacuum's ANALYZE keeps. With autovacuum off, a table created
 * empty is never analyzed, and the planner's never-analyzed defaults tie indexes that serve a lookup very
 * differently: on a fresh database the foreign-key check `contact (workspace_id, id)` was planned with
 * `contact_list_name (workspace_id, lower(name), id)` instead of the primary key, and the connection kept that
 * plan for its life, so every stored activity scanned the workspace's whole name index (ingest fell from
 * ~5,800 to ~750 events/s as the table grew; measured 2026-12-03). ANALYZE also invalidates cached plans,
 * foreign-key checks included, so a refreshed table is planned again with real numbers.
 */

/**
 * ANALYZE of the named tables inside a transaction: fresh planner statistics in the middle of a bulk
 * write. It samples the transaction's own uncommitted rows too (PostgreSQL counts rows inserted by
 * the current transaction as live), and it invalidates every backend's cached plans of those tables
 * (foreign-key checks and trigger functions' statements included), so they are planned again.
 * Why it is needed: with autovacuum off, or before autovacuum gets to a table a bulk load is filling,
 * a never-analyzed table is planned from defaults (a tie between indexes goes to the newest one), and
 * per-row lookups into it can scan a whole workspace's range: quadratic in the rows loaded.
 * `quick`: a tenth of the usual sample (3,000 rows a table instead of 30,000), enough to choose
 * between indexes while the load runs; measured on a contacts import's ten tables, the full sample
 * costs ~770 ms of backend CPU (every expression and trigram index is evaluated over each sampled
 * row), the quick one a tenth of it. The loader ANALYZEs at full size once it is done.
 * Locks: ANALYZE takes SHARE UPDATE EXCLUSIVE on each table until the transaction ends (writers are
 * not blocked; another ANALYZE or VACUUM of those tables waits for the caller's commit). So the keeper
 * below ANALYZEs outside a transaction block, one table at a time with SKIP_LOCKED, never several
 * tables in one transaction (its lock order could deadlock with an import's).
 */
export async function analyzeTables(trx: Trx, tables: readonly (keyof Database)[], options: { quick?: boolean } = {}): Promise<void> {
  if (tables.length === 0) return;
  const before = options.quick ? (await sql<{ v: string }>`SELECT current_setting('default_statistics_target') AS v`.execute(trx)).rows[0]!.v : null;
  if (before !== null) await sql`SELECT set_config('default_statistics_target', '10', true)`.execute(trx);
  await sql`ANALYZE ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
  if (before !== null) await sql`SELECT set_config('default_statistics_target', ${before}, true)`.execute(trx);
}

/** Same thresholds as autovacuum's defaults (50 rows + 10% for ANALYZE, 50 rows + 20% for VACUUM). */
export type TableDue = { table: string; action: 'analyze' | 'vacuum' };

export async function autovacuumIsOn(db: Db): Promise<boolean> {
  const { rows } = await sql<{ on: boolean }>`SELECT current_setting('autovacuum') = 'on' AS on`.execute(db);
  return rows[0]?.on ?? true;
}

/**
 * Tables of our schema whose changes since their last ANALYZE (or dead rows since their last VACUUM) pass
 * autovacuum's default thresholds; a never-analyzed table with rows is due at once. Reads the cumulative
 * statistics, which backends report up to a second after their transactions end.
 */
export async function tablesDueForMaintenance(db: Db): Promise<TableDue[]> {
  const { rows } = await sql<{ table: string; vacuum: boolean }>`
    SELECT s.relname AS table,
           s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) AS vacuum
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema()
      AND (s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
           OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
           OR (c.reltuples < 0 AND s.n_live_tup > 0))
    ORDER BY s.relname`.execute(db);
  return rows.map((r) => ({ table: r.table, action: r.vacuum ? 'vacuum' : 'analyze' }));
}

/**
 * Runs `fn` only if no other process holds the maintenance lock (session-level advisory lock on one connection,
 * released at the end): several `serve` and `work` processes share one database, and one ANALYZE per table is enough.
 */
export async function withMaintenanceLock<T>(db: Db, fn: (conn: Db) => Promise<T>): Promise<T | null> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ got: boolean }>`SELECT pg_try_advisory_lock(hashtext('leadloop:table-maintenance')) AS got`.execute(conn);
    if (!rows[0]?.got) return null;
    try {
      return await fn(conn as Db);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext('leadloop:table-maintenance'))`.execute(conn);
    }
  });
}

/** ANALYZE (or VACUUM (ANALYZE)) one table; SKIP_LOCKED, so a table busy with DDL is left for the next round. */
export async function maintainTable(conn: Db, due: TableDue): Promise<void> {
  const table = sql.id(due.table);
  if (due.action === 'vacuum') await sql`VACUUM (ANALYZE, SKIP_LOCKED) ${table}`.execute(conn);
  else await sql`ANALYZE (SKIP_LOCKED) ${table}`.execute(conn);
}
