import type pg from 'pg';
import { quoteIdent } from '../../src/storage/db.ts';

export type RowCounts = Record<string, number>;

/** `count(*)` of every table of the test database (all schemas but the system ones), in one statement. */
export async function snapshotRowCounts(pool: pg.Pool): Promise<RowCounts> {
  const tables = await pool.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
  const parts = tables.rows.map((r, i) => `SELECT $${i + 1}::text AS name, count(*)::int AS n FROM ${quoteIdent(r.s)}.${quoteIdent(r.t)}`);
  const result = await pool.query<{ name: string; n: number }>(parts.join(' UNION ALL '), tables.rows.map((r) => `${r.s}.${r.t}`));
  return Object.fromEntries(result.rows.map((r) => [r.name, r.n]));
}

/** Tables whose count differs, as { table: [before, after] }. */
export function changedCounts(before: RowCounts, after: RowCounts): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if ((before[name] ?? 0) !== (after[name] ?? 0)) out[name] = [before[name] ?? 0, after[name] ?? 0];
  }
  return out;
}
