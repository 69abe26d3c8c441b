import { sql, type RawBuilder } from 'kysely';
import { waterfallRank } from '../../core/lifecycle.ts';
import type { DbOrTrx, Trx } from '../db.ts';

/** What every report query is scoped by: one workspace, a half-open period [from, to), a grouping. */
export type GroupBy = 'source' | 'campaign' | 'owner' | 'month' | 'definition_version';
export type ReportScope = { workspaceId: string; from: Date; to: Date; by: GroupBy };

/** The waterfall rank (src/core/lifecycle.ts waterfallRank) of a stage column, as SQL; stages outside the table rank 0. */
const rankWhens = Object.entries(waterfallRank).filter(([, r]) => r > 0).map(([stage, r]) => `WHEN '${stage}' THEN ${r}`).join(' ');
export const stageRankCase = (column: string): RawBuilder<number> => sql.raw(`(CASE ${column} ${rankWhens} ELSE 0 END)`);

/**
 * The group a lead falls in; `l` is the lead, `u` its owner (joined by cohortCte). Month = UTC month entered.
 * Definition version = the version recorded on the lead's first `→ mql` transition (the one that decided
 * it; not lead.definition_id, which activation rewrites on every open lead): '1', '2'…, '(by hand)' for
 * an MQL made without a definition, '(not mql)' for a lead that never reached MQL.
 */
export function groupKeySql(by: GroupBy): RawBuilder<string> {
  switch (by) {
    case 'month': return sql.raw(`to_char(l.opened_at AT TIME ZONE 'UTC', 'YYYY-MM')`);
    case 'source': return sql.raw(`coalesce(nullif(l.source, ''), 'unknown')`);
    case 'campaign': return sql.raw(`coalesce(nullif(l.campaign, ''), '(none)')`);
    case 'owner': return sql.raw(`coalesce(u.email, l.owner_id::text, '(unassigned)')`);
    case 'definition_version': return sql.raw(`coalesce((SELECT coalesce(d.version::text, '(by hand)') FROM stage_transition m
      LEFT JOIN lead_definition d ON d.workspace_id = m.workspace_id AND d.id = m.definition_id
      WHERE m.workspace_id = l.workspace_id AND m.lead_id = l.id AND m.to_stage = 'mql' ORDER BY m.at, m.id LIMIT 1), '(not mql)')`);
  }
}

/**
 * The mean of a duration in days given as a double, exact whatever order the rows come in: each value is
 * rounded to whole microseconds (what a timestamp difference holds) and summed as integers. avg() over the
 * doubles themselves depends on the summation order in its last bits, which a parallel plan changes from run
 * to run, enough to flip a mean at the third decimal (-8.4375 days reported as -8.437 or -8.438).
 */
export const meanDaysSql = (days: string): RawBuilder<number> => sql.raw(`(avg(round((${days}) * 86400000000)::bigint) / 86400000000)`);

/**
 * The cohort: leads that entered the funnel (opened_at) in the period, with their group key.
 * Selected columns: id, contact_id, stage, opened_at, closed_at, first_touch_at, recycle_count, owner_id, key.
 */
export function cohortCte(scope: ReportScope): RawBuilder<unknown> {
  return sql`SELECT l.id, l.contact_id, l.stage, l.opened_at, l.closed_at, l.first_touch_at, l.recycle_count, l.owner_id, l.stage_entered_at,
      l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at, l.history_won_at,
      l.history_after_sal_at, l.contact_first_at, ${groupKeySql(scope.by)} AS key
    FROM lead l LEFT JOIN app_user u ON u.workspace_id = l.workspace_id AND u.id = l.owner_id
    WHERE l.workspace_id = ${scope.workspaceId} AND l.opened_at >= ${scope.from} AND l.opened_at < ${scope.to}`;
}

/**
 * Per cohort lead: the furthest waterfall rank reached (history or current stage), detour flags and
 * first stage times (after_sal_at: the first transition into sql, opportunity or won), read from the
 * lead row's copy of its stage-history summary (history_*: lead_stage_summary, kept by triggers on
 * stage_transition, see migration 2026-11-22-20-lead-summary, copied onto the lead by migration
 * 2026-12-08-20). Reading them from the cohort's own rows spares every report a join of the cohort with
 * a second table as large (at 1M leads: the funnel counts in 0.25 s instead of 1.0 s).
 * Selected columns: those of cohortCte but the history_* ones, and reached, mql_events, disqualified,
 * nurtured, mql_at, sal_at, won_at, after_sal_at (contact_first_at passes through for time to sales-ready).
 */
export function reachedCte(_scope: ReportScope): RawBuilder<unknown> {
  return sql`SELECT c.id, c.key, c.stage, c.recycle_count, c.contact_id, c.opened_at, c.closed_at, c.first_touch_at, c.stage_entered_at,
      greatest(c.history_reached, ${stageRankCase('c.stage')}) AS reached,
      c.history_mql_events AS mql_events, c.history_disqualified AS disqualified, c.history_nurtured AS nurtured,
      c.history_mql_at AS mql_at, c.history_sal_at AS sal_at, c.history_won_at AS won_at, c.history_after_sal_at AS after_sal_at,
      c.contact_first_at
    FROM cohort c`;
}

/**
 * The definition `reachedCte` must equal: the same columns aggregated from the cohort's
 * stage_transition rows on every call. Kept as the reference for the equivalence test
 * (test/integration/lead-summary.test.ts, which swaps it in for reachedCte); reports never use it.
 */
export function reachedCteFromHistory(scope: ReportScope): RawBuilder<unknown> {
  return sql`SELECT c.id, c.key, c.stage, c.recycle_count, c.contact_id, c.opened_at, c.closed_at, c.first_touch_at, c.stage_entered_at,
      greatest(coalesce(t.reached, 0), ${stageRankCase('c.stage')}) AS reached,
      coalesce(t.mql_events, 0) AS mql_events,
      coalesce(t.disqualified, false) AS disqualified, coalesce(t.nurtured, false) AS nurtured,
      t.mql_at, t.sal_at, t.won_at, t.after_sal_at, c.contact_first_at
    FROM cohort c LEFT JOIN (
      SELECT st.lead_id, max(${stageRankCase('st.to_stage')}) AS reached,
        count(*) FILTER (WHERE st.to_stage = 'mql')::int AS mql_events,
        bool_or(st.to_stage = 'disqualified') AS disqualified, bool_or(st.to_stage = 'nurture') AS nurtured,
        min(st.at) FILTER (WHERE st.to_stage = 'mql') AS mql_at, min(st.at) FILTER (WHERE st.to_stage = 'sal') AS sal_at,
        min(st.at) FILTER (WHERE st.to_stage = 'won') AS won_at,
        min(st.at) FILTER (WHERE st.to_stage IN ('sql', 'opportunity', 'won')) AS after_sal_at
      FROM cohort c2 JOIN stage_transition st ON st.workspace_id = ${scope.workspaceId} AND st.lead_id = c2.id
      GROUP BY st.lead_id
    ) t ON t.lead_id = c.id`;
}

/**
 * Runs one report query with more sort/hash memory than the default 4 MB, for its own transaction
 * only (SET LOCAL). At 300k leads the cohort's per-lead history aggregate, its hash joins and the
 * velocity sort all spilled to disk (EXPLAIN ANALYZE: external merge, hash batches 4–21). Inside a
 * caller's transaction the setting would outlive the query, so there the query runs as it is.
 */
export async function withReportMemory<T>(db: DbOrTrx, work: (db: DbOrTrx) => Promise<T>, workMem = '128MB'): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(async (trx: Trx) => {
    // No JIT either: compiling a 1M-lead report query took 1-4 s, the Markov path query at 100k leads spent 4.2 of
    // 6.7 s in JIT (EXPLAIN ANALYZE), longer than the query runs without it.
    // Cheaper parallel workers: a report reads most of a period's rows and hands few rows up, yet with the default
    // costs (setup 1000, 0.1 a tuple) the planner kept the funnel's velocity query (1M leads joined with their
    // summaries, 1.4M stays sorted) in one process: 19 s under EXPLAIN ANALYZE, 4.7 s with two workers (bench, 1M leads).
    await sql`SELECT set_config('work_mem', ${workMem}, true), set_config('jit', 'off', true),
      set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.01', true)`.execute(trx);
    return work(trx);
  });
}

export type DefinitionVersion = { id: string; version: number; name: string; status: string };

/**
 * Lead definitions that decided a stage change in the period: the version recorded on the transition
 * (`→ inquiry` by the inquiry rule, `→ mql` by qualification). Not lead.definition_id: activation
 * rewrites it on every open lead, so it names the version active now, not the one that decided.
 * Existence checks per definition: there are few.
 */
export async function definitionVersionsInScope(db: DbOrTrx, workspaceId: string, from: Date, to: Date): Promise<DefinitionVersion[]> {
  const { rows } = await sql<DefinitionVersion>`SELECT d.id, d.version, d.name, d.status FROM lead_definition d
    WHERE d.workspace_id = ${workspaceId}
      AND EXISTS (SELECT 1 FROM stage_transition st WHERE st.workspace_id = d.workspace_id AND st.definition_id = d.id AND st.at >= ${from} AND st.at < ${to})
    ORDER BY d.version`.execute(db);
  return rows;
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
