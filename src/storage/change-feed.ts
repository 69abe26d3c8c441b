import { sql, type SelectQueryBuilder } from 'kysely';
import { encodeChangeCursor, type ChangePosition } from '../core/change-cursor.ts';
import type { DbOrTrx } from './db.ts';
import type { Page } from './page.ts';

/**
 * Polling by change, for n8n/Zapier-style integrations: rows in the order they were last written
 * (`change_xid`, the writing transaction's id, then `id`), from `updatedSince` or after a cursor.
 * Only rows written by transactions older than every transaction still running in this database are
 * listed, so a change committed after a poll is never behind that poll's cursor (migration 2026-12-03-61).
 */
export type ChangeRequest = { updatedSince?: Date | null; after?: ChangePosition | null };

/**
 * The change position below which every writer has ended: the oldest transaction id still running in
 * this database (or the next id to be assigned). Read in its own statement, before the rows' statement
 * takes its snapshot, so whatever ended before this read is visible there. Only this database's
 * transactions count: a long transaction elsewhere on the cluster (a report, another tenant database)
 * cannot write these tables and must not stall the feed. (pg_stat_activity shows 32-bit xids; the epoch
 * is taken from the next id, one epoch back for ids above its low bits.)
 */
async function settledBound(db: DbOrTrx): Promise<string> {
  const r = await sql<{ bound: string }>`
    WITH cur AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::numeric AS xmax),
    running AS (SELECT backend_xid::text::numeric AS x FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid())
    SELECT COALESCE(min(CASE WHEN running.x <= cur.xmax % 4294967296 THEN cur.xmax - cur.xmax % 4294967296 + running.x
                             ELSE cur.xmax - cur.xmax % 4294967296 - 4294967296 + running.x END), min(cur.xmax))::text AS bound
    FROM cur LEFT JOIN running ON true`.execute(db);
  return r.rows[0]!.bound;
}

/**
 * Runs `query` (already filtered to one workspace and the caller's filters) as a change page. The
 * next cursor is always given (where to continue: the last row, or the request's own position when
 * nothing new was visible), with `hasMore` saying whether to ask again now.
 */
export async function changePage<DB, TB extends keyof DB, R extends { id: string }, T>(
  db: DbOrTrx, query: SelectQueryBuilder<DB, TB, R>, table: string, request: ChangeRequest, limit: number, map: (row: R) => T,
): Promise<Page<T>> {
  const col = (c: string) => sql.ref(`${table}.${c}`);
  const bound = await settledBound(db);
  let q = query.where(sql<boolean>`${col('change_xid')} < ${bound}::xid8`);
  if (request.updatedSince) q = q.where(sql<boolean>`${col('updated_at')} >= ${request.updatedSince}`);
  if (request.after) q = q.where(sql<boolean>`(${col('change_xid')}, ${col('id')}) > (${request.after.xid}::xid8, ${request.after.id}::uuid)`);
  const rows = await q.select(sql<string>`${col('change_xid')}::text`.as('change_position'))
    .orderBy(sql`${col('change_xid')}`).orderBy(sql`${col('id')}`).limit(limit + 1).execute() as (R & { change_position: string })[];
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  const position = last ? { xid: last.change_position, id: last.id } : request.after ?? null;
  // With nothing seen yet (no cursor, no rows) the poller starts over from updated_since next time.
  return { data: kept.map(map), nextCursor: position ? encodeChangeCursor(position) : null, hasMore };
}
