import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A per-lead summary of the stage history, for the funnel, sources and process reports.
 *
 * Those reports aggregated every cohort lead's stage_transition rows (GROUP BY lead, plus a window
 * over each lead's history for time in stage) on every request: ~18-21 s at 1M leads. The summary
 * holds exactly what they derived, one row per lead that has a history:
 *   reached      max waterfall rank of the history's to_stage (see stageRankCase in report-sql.ts)
 *   mql_events   number of transitions into mql
 *   disqualified / nurtured  whether the history went into disqualified / nurture
 *   mql_at, sal_at, won_at   first transition into mql / sal / won
 *   stay_stages, stay_seconds  the completed stays in (at, id) order: to_stage and the seconds until
 *                the lead's next transition (extract(epoch FROM next.at - at)); the last stay is open.
 *
 * Kept by statement-level AFTER triggers on stage_transition with transition tables, so every writer
 * (app transitions, CSV/Olist imports, demo bulk loads, raw SQL) is covered in its own transaction,
 * set-based: one trigger run per statement, whatever its row count. A run recomputes the affected
 * leads from their whole history (a few rows each, by stage_transition_lead), so inserts in any time
 * order, updates and deletes all end right. Before recomputing it locks the leads' summary rows
 * (inserting empty ones first), in key order: concurrent writers of one lead take turns and the second
 * one's recompute (a new statement, a new snapshot under READ COMMITTED) sees the first one's rows.
 * ENABLE ALWAYS: loaders that set session_replication_role = replica (to skip foreign-key triggers)
 * still maintain the summary. A lead without transitions has no row (reports LEFT JOIN it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE lead_stage_summary (
  workspace_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  reached integer NOT NULL DEFAULT 0,
  mql_events integer NOT NULL DEFAULT 0,
  disqualified boolean NOT NULL DEFAULT false,
  nurtured boolean NOT NULL DEFAULT false,
  mql_at timestamptz,
  sal_at timestamptz,
  won_at timestamptz,
  stay_stages text[] NOT NULL DEFAULT '{}',
  stay_seconds numeric[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (workspace_id, lead_id)
);

-- Recomputes the summary rows of the given leads (parallel arrays) from their whole history.
-- Leads without any transition left lose their row.
CREATE FUNCTION lead_stage_summary_refresh(ws uuid[], leads uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM 1 FROM lead_stage_summary s
    WHERE (s.workspace_id, s.lead_id) IN (SELECT k.w, k.l FROM unnest(ws, leads) AS k(w, l))
    ORDER BY s.workspace_id, s.lead_id FOR UPDATE;
  WITH k AS (SELECT DISTINCT k.w, k.l FROM unnest(ws, leads) AS k(w, l)),
  h AS (
    SELECT st.workspace_id, st.lead_id, st.to_stage, st.at, st.id,
      lead(st.at) OVER (PARTITION BY st.workspace_id, st.lead_id ORDER BY st.at, st.id) AS next_at
    FROM k JOIN stage_transition st ON st.workspace_id = k.w AND st.lead_id = k.l),
  a AS (
    SELECT workspace_id, lead_id,
      max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
        WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END) AS reached,
      count(*) FILTER (WHERE to_stage = 'mql')::int AS mql_events,
      bool_or(to_stage = 'disqualified') AS disqualified, bool_or(to_stage = 'nurture') AS nurtured,
      min(at) FILTER (WHERE to_stage = 'mql') AS mql_at, min(at) FILTER (WHERE to_stage = 'sal') AS sal_at,
      min(at) FILTER (WHERE to_stage = 'won') AS won_at,
      coalesce(array_agg(to_stage ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_stages,
      coalesce(array_agg(extract(epoch FROM next_at - at) ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_seconds
    FROM h GROUP BY workspace_id, lead_id),
  u AS (
    UPDATE lead_stage_summary s SET reached = a.reached, mql_events = a.mql_events, disqualified = a.disqualified, nurtured = a.nurtured,
      mql_at = a.mql_at, sal_at = a.sal_at, won_at = a.won_at, stay_stages = a.stay_stages, stay_seconds = a.stay_seconds
    FROM a WHERE s.workspace_id = a.workspace_id AND s.lead_id = a.lead_id)
  DELETE FROM lead_stage_summary s USING k
    WHERE s.workspace_id = k.w AND s.lead_id = k.l
      AND NOT EXISTS (SELECT 1 FROM stage_transition st WHERE st.workspace_id = k.w AND st.lead_id = k.l);
END
$fn$;

CREATE FUNCTION lead_stage_summary_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; leads uuid[];
BEGIN
  SELECT array_agg(w ORDER BY w, l), array_agg(l ORDER BY w, l) INTO ws, leads
    FROM (SELECT DISTINCT workspace_id AS w, lead_id AS l FROM new_rows) k;
  IF ws IS NULL THEN RETURN NULL; END IF;
  INSERT INTO lead_stage_summary (workspace_id, lead_id) SELECT * FROM unnest(ws, leads) ON CONFLICT DO NOTHING;
  PERFORM lead_stage_summary_refresh(ws, leads);
  RETURN NULL;
END
$fn$;

-- Only rows whose lead, stage, time or id changed matter (bulk loads set definition_id afterwards).
CREATE FUNCTION lead_stage_summary_after_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; leads uuid[];
BEGIN
  WITH changed AS (
    SELECT o.workspace_id, o.lead_id FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n
      WHERE n.workspace_id = o.workspace_id AND n.id = o.id AND n.lead_id = o.lead_id AND n.to_stage = o.to_stage AND n.at = o.at)
    UNION
    SELECT n.workspace_id, n.lead_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o
      WHERE n.workspace_id = o.workspace_id AND n.id = o.id AND n.lead_id = o.lead_id AND n.to_stage = o.to_stage AND n.at = o.at))
  SELECT array_agg(workspace_id ORDER BY workspace_id, lead_id), array_agg(lead_id ORDER BY workspace_id, lead_id) INTO ws, leads FROM changed;
  IF ws IS NULL THEN RETURN NULL; END IF;
  INSERT INTO lead_stage_summary (workspace_id, lead_id)
    SELECT DISTINCT n.workspace_id, n.lead_id FROM new_rows n JOIN unnest(ws, leads) AS k(w, l) ON n.workspace_id = k.w AND n.lead_id = k.l
    ORDER BY 1, 2 ON CONFLICT DO NOTHING;
  PERFORM lead_stage_summary_refresh(ws, leads);
  RETURN NULL;
END
$fn$;

CREATE FUNCTION lead_stage_summary_after_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; leads uuid[];
BEGIN
  SELECT array_agg(w ORDER BY w, l), array_agg(l ORDER BY w, l) INTO ws, leads
    FROM (SELECT DISTINCT workspace_id AS w, lead_id AS l FROM old_rows) k;
  IF ws IS NULL THEN RETURN NULL; END IF;
  PERFORM lead_stage_summary_refresh(ws, leads);
  RETURN NULL;
END
$fn$;

CREATE FUNCTION lead_stage_summary_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM lead_stage_summary;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER lead_stage_summary_insert AFTER INSERT ON stage_transition
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_stage_summary_after_insert();
CREATE TRIGGER lead_stage_summary_update AFTER UPDATE ON stage_transition
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_stage_summary_after_update();
CREATE TRIGGER lead_stage_summary_delete AFTER DELETE ON stage_transition
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_stage_summary_after_delete();
CREATE TRIGGER lead_stage_summary_truncate AFTER TRUNCATE ON stage_transition
  FOR EACH STATEMENT EXECUTE FUNCTION lead_stage_summary_after_truncate();
ALTER TABLE stage_transition ENABLE ALWAYS TRIGGER lead_stage_summary_insert;
ALTER TABLE stage_transition ENABLE ALWAYS TRIGGER lead_stage_summary_update;
ALTER TABLE stage_transition ENABLE ALWAYS TRIGGER lead_stage_summary_delete;
ALTER TABLE stage_transition ENABLE ALWAYS TRIGGER lead_stage_summary_truncate;

-- Backfill: every lead with a history, in one pass (same expressions as the refresh).
INSERT INTO lead_stage_summary (workspace_id, lead_id, reached, mql_events, disqualified, nurtured, mql_at, sal_at, won_at, stay_stages, stay_seconds)
SELECT workspace_id, lead_id,
  max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
    WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END),
  count(*) FILTER (WHERE to_stage = 'mql')::int, bool_or(to_stage = 'disqualified'), bool_or(to_stage = 'nurture'),
  min(at) FILTER (WHERE to_stage = 'mql'), min(at) FILTER (WHERE to_stage = 'sal'), min(at) FILTER (WHERE to_stage = 'won'),
  coalesce(array_agg(to_stage ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}'),
  coalesce(array_agg(extract(epoch FROM next_at - at) ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}')
FROM (SELECT workspace_id, lead_id, to_stage, at, id,
    lead(at) OVER (PARTITION BY workspace_id, lead_id ORDER BY at, id) AS next_at FROM stage_transition) h
GROUP BY workspace_id, lead_id;
ANALYZE lead_stage_summary;
`.execute(db);
}
