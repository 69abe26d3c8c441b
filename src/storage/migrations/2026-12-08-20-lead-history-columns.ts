import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The lead row carries its stage-history summary: history_reached, history_mql_events,
 * history_disqualified, history_nurtured, history_mql_at, history_sal_at, history_won_at and
 * history_after_sal_at mirror lead_stage_summary's reached … after_sal_at (0 / false / NULL for a lead
 * without a history, as the reports' LEFT JOIN read them).
 *
 * Why: the funnel counts, time to sales-ready, sources and leakage read a cohort of leads and their
 * summaries, a hash join of two 1M-row tables at 1M leads: the funnel's counts took 1.0 s with the join and
 * 0.25 s over one table holding both (psql, bench reports database, same run). lead_stage_summary stays
 * what its triggers maintain and what the velocity reads (its stays); this mirror is written from it.
 *
 * Kept by statement-level AFTER triggers on lead_stage_summary (transition tables: one run per statement,
 * ENABLE ALWAYS like the summary's own): inserted and updated summary rows are copied onto their leads,
 * deleted ones reset them. A lead is locked and written only when a value differs (bulk writers that
 * put the summary on the new lead row, withStageHistories, cost one comparison per lead). The leads to
 * write are locked in key order first (as the summary refresh locks summary rows), so two refreshes of
 * overlapping leads take turns instead of deadlocking; in the app the transaction writing a transition has already updated the lead
 * (its stage), so it holds that row. Equal to the history: test/integration/lead-summary.test.ts (reports
 * through reachedCte against reachedCteFromHistory) and lead-summary-fresh.test.ts (the columns themselves).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE lead
  ADD COLUMN history_reached integer NOT NULL DEFAULT 0,
  ADD COLUMN history_mql_events integer NOT NULL DEFAULT 0,
  ADD COLUMN history_disqualified boolean NOT NULL DEFAULT false,
  ADD COLUMN history_nurtured boolean NOT NULL DEFAULT false,
  ADD COLUMN history_mql_at timestamptz,
  ADD COLUMN history_sal_at timestamptz,
  ADD COLUMN history_won_at timestamptz,
  ADD COLUMN history_after_sal_at timestamptz;

CREATE FUNCTION lead_history_from_summary() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM 1 FROM lead l JOIN new_rows n ON l.workspace_id = n.workspace_id AND l.id = n.lead_id
    WHERE (l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at,
        l.history_won_at, l.history_after_sal_at)
        IS DISTINCT FROM (n.reached, n.mql_events, n.disqualified, n.nurtured, n.mql_at, n.sal_at, n.won_at, n.after_sal_at)
    ORDER BY l.workspace_id, l.id FOR NO KEY UPDATE OF l;
  UPDATE lead l SET history_reached = n.reached, history_mql_events = n.mql_events, history_disqualified = n.disqualified,
      history_nurtured = n.nurtured, history_mql_at = n.mql_at, history_sal_at = n.sal_at, history_won_at = n.won_at,
      history_after_sal_at = n.after_sal_at
    FROM new_rows n
    WHERE l.workspace_id = n.workspace_id AND l.id = n.lead_id
      AND (l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at,
        l.history_won_at, l.history_after_sal_at)
        IS DISTINCT FROM (n.reached, n.mql_events, n.disqualified, n.nurtured, n.mql_at, n.sal_at, n.won_at, n.after_sal_at);
  RETURN NULL;
END
$fn$;

CREATE FUNCTION lead_history_cleared() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- A deleted summary row may be re-created in the same statement's trigger chain: reset only leads without one.
  PERFORM 1 FROM lead l JOIN (SELECT DISTINCT workspace_id, lead_id FROM old_rows) o ON l.workspace_id = o.workspace_id AND l.id = o.lead_id
    WHERE NOT EXISTS (SELECT 1 FROM lead_stage_summary s WHERE s.workspace_id = o.workspace_id AND s.lead_id = o.lead_id)
      AND (l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at,
        l.history_won_at, l.history_after_sal_at) IS DISTINCT FROM (0, 0, false, false, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz)
    ORDER BY l.workspace_id, l.id FOR NO KEY UPDATE OF l;
  UPDATE lead l SET history_reached = 0, history_mql_events = 0, history_disqualified = false, history_nurtured = false,
      history_mql_at = NULL, history_sal_at = NULL, history_won_at = NULL, history_after_sal_at = NULL
    FROM (SELECT DISTINCT workspace_id, lead_id FROM old_rows) o
    WHERE l.workspace_id = o.workspace_id AND l.id = o.lead_id
      AND NOT EXISTS (SELECT 1 FROM lead_stage_summary s WHERE s.workspace_id = o.workspace_id AND s.lead_id = o.lead_id)
      AND (l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at,
        l.history_won_at, l.history_after_sal_at) IS DISTINCT FROM (0, 0, false, false, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz);
  RETURN NULL;
END
$fn$;

CREATE TRIGGER lead_history_insert AFTER INSERT ON lead_stage_summary
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_history_from_summary();
CREATE TRIGGER lead_history_update AFTER UPDATE ON lead_stage_summary
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_history_from_summary();
CREATE TRIGGER lead_history_delete AFTER DELETE ON lead_stage_summary
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_history_cleared();
ALTER TABLE lead_stage_summary ENABLE ALWAYS TRIGGER lead_history_insert;
ALTER TABLE lead_stage_summary ENABLE ALWAYS TRIGGER lead_history_update;
ALTER TABLE lead_stage_summary ENABLE ALWAYS TRIGGER lead_history_delete;

UPDATE lead l SET history_reached = s.reached, history_mql_events = s.mql_events, history_disqualified = s.disqualified,
    history_nurtured = s.nurtured, history_mql_at = s.mql_at, history_sal_at = s.sal_at, history_won_at = s.won_at,
    history_after_sal_at = s.after_sal_at
  FROM lead_stage_summary s WHERE l.workspace_id = s.workspace_id AND l.id = s.lead_id;
ANALYZE lead;
`.execute(db);
}
