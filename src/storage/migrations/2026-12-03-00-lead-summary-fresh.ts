import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The lead_stage_summary insert trigger builds the summary of a lead that has none from the
 * statement's own rows, inserted complete in one set-based INSERT.
 *
 * Before, every lead of an insert went the same way: insert an empty summary row, lock it, read the
 * lead's whole history back through stage_transition_lead, aggregate it and update the row. For a
 * lead a bulk load (CSV import, Olist, demo) just created that is four writes and an index probe per
 * lead to learn what the inserted rows already say: ~130 ms of a 2,000-row import chunk.
 *
 * Why it is the same summary: a lead has a summary row exactly when it has a history (the triggers
 * keep that true), so a lead without one had no transition before this statement; its history is
 * the statement's rows (new_rows), aggregated with the refresh's own expressions. The INSERT ... ON
 * CONFLICT DO NOTHING is the test: a concurrent writer's uncommitted row for the lead makes it wait,
 * and when that writer commits, the conflict sends the lead down the old path (lock, recompute from
 * the whole history in a later snapshot), as before. Rows are inserted in key order, as the empty
 * rows were, so concurrent writers take the same locks in the same order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE OR REPLACE FUNCTION lead_stage_summary_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; leads uuid[];
BEGIN
  WITH h AS (
    SELECT workspace_id, lead_id, to_stage, at, id,
      lead(at) OVER (PARTITION BY workspace_id, lead_id ORDER BY at, id) AS next_at
    FROM new_rows),
  fresh AS (
    INSERT INTO lead_stage_summary (workspace_id, lead_id, reached, mql_events, disqualified, nurtured, mql_at, sal_at, won_at, stay_stages, stay_seconds)
    SELECT workspace_id, lead_id,
      max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
        WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END),
      count(*) FILTER (WHERE to_stage = 'mql')::int, bool_or(to_stage = 'disqualified'), bool_or(to_stage = 'nurture'),
      min(at) FILTER (WHERE to_stage = 'mql'), min(at) FILTER (WHERE to_stage = 'sal'), min(at) FILTER (WHERE to_stage = 'won'),
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
`.execute(db);
}
