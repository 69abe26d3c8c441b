import { sql, type Kysely } from 'kysely';

/**
 * Frozen. lead_stage_summary (migration 2026-11-22-20) also keeps after_sal_at: the lead's first
 * transition into a stage beyond SAL (sql, opportunity or won), which time to sales-ready reads to skip
 * SAL/MQL dates an import set at a later stage's time. The report joined every cohort lead's
 * stage_transition rows for it on each request (at 1M leads a bitmap scan of 340k transitions, a hash
 * join with the materialised cohort and a per-lead aggregate: about a third of the report, EXPLAIN
 * ANALYZE, bench reports); the materialised cohort also kept the report single-process.
 * The refresh and the insert trigger compute it with the other columns (same history, same snapshot);
 * existing rows are backfilled from their history. Equal to the from-history aggregate:
 * test/integration/lead-summary.test.ts (reachedCte against reachedCteFromHistory).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE lead_stage_summary ADD COLUMN after_sal_at timestamptz;

CREATE OR REPLACE FUNCTION lead_stage_summary_refresh(ws uuid[], leads uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
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
      min(at) FILTER (WHERE to_stage IN ('sql', 'opportunity', 'won')) AS after_sal_at,
      coalesce(array_agg(to_stage ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_stages,
      coalesce(array_agg(extract(epoch FROM next_at - at) ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_seconds
    FROM h GROUP BY workspace_id, lead_id),
  u AS (
    UPDATE lead_stage_summary s SET reached = a.reached, mql_events = a.mql_events, disqualified = a.disqualified, nurtured = a.nurtured,
      mql_at = a.mql_at, sal_at = a.sal_at, won_at = a.won_at, after_sal_at = a.after_sal_at, stay_stages = a.stay_stages, stay_seconds = a.stay_seconds
    FROM a WHERE s.workspace_id = a.workspace_id AND s.lead_id = a.lead_id)
  DELETE FROM lead_stage_summary s USING k
    WHERE s.workspace_id = k.w AND s.lead_id = k.l
      AND NOT EXISTS (SELECT 1 FROM stage_transition st WHERE st.workspace_id = k.w AND st.lead_id = k.l);
END
$fn$;

CREATE OR REPLACE FUNCTION lead_stage_summary_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; leads uuid[];
BEGIN
  WITH h AS (
    SELECT workspace_id, lead_id, to_stage, at, id,
      lead(at) OVER (PARTITION BY workspace_id, lead_id ORDER BY at, id) AS next_at
    FROM new_rows),
  fresh AS (
    INSERT INTO lead_stage_summary (workspace_id, lead_id, reached, mql_events, disqualified, nurtured, mql_at, sal_at, won_at, after_sal_at,
      stay_stages, stay_seconds)
    SELECT workspace_id, lead_id,
      max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
        WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END),
      count(*) FILTER (WHERE to_stage = 'mql')::int, bool_or(to_stage = 'disqualified'), bool_or(to_stage = 'nurture'),
      min(at) FILTER (WHERE to_stage = 'mql'), min(at) FILTER (WHERE to_stage = 'sal'), min(at) FILTER (WHERE to_stage = 'won'),
      min(at) FILTER (WHERE to_stage IN ('sql', 'opportunity', 'won')),
      coalesce(array_agg(to_stage ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}'),
      coalesce(array_agg(extract(epoch FROM next_at - at) ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}')
    FROM h GROUP BY workspace_id, lead_id
    ORDER BY workspace_id, lead_id
    ON CONFLICT DO NOTHING
    RETURNING workspace_id, lead_id)
  SELECT array_agg(w ORDER BY w, l), array_agg(l ORDER BY w, l) INTO ws, leads
    FROM (SELECT DISTINCT n.workspace_id AS w, n.lead_id AS l FROM new_rows n
      WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.workspace_id = n.workspace_id AND f.lead_id = n.lead_id)) k;
  IF ws IS NULL THEN RETURN NULL; END IF;
  INSERT INTO lead_stage_summary (workspace_id, lead_id) SELECT * FROM unnest(ws, leads) ON CONFLICT DO NOTHING;
  PERFORM lead_stage_summary_refresh(ws, leads);
  RETURN NULL;
END
$fn$;
UPDATE lead_stage_summary s SET after_sal_at = x.after_sal_at
  FROM (SELECT workspace_id, lead_id, min(at) AS after_sal_at FROM stage_transition
    WHERE to_stage IN ('sql', 'opportunity', 'won') GROUP BY workspace_id, lead_id) x
  WHERE s.workspace_id = x.workspace_id AND s.lead_id = x.lead_id;
ANALYZE lead_stage_summary;
`.execute(db);
}
