import { sql, type Kysely } from 'kysely';

/**
 * Frozen. contact_first_activity: per contact, the time of its earliest activity, which time to
 * sales-ready reads as the start of a lead's journey. The report probed the activity table once per
 * MQL/SAL lead for it (ORDER BY occurred_at LIMIT 1 on activity_contact_time): at 1M leads, 600k
 * probes in one process (PostgreSQL runs no LATERAL or correlated probe under a Gather), most of its
 * 5 s (bench reports, EXPLAIN ANALYZE). Read from this table it is one parallel hash join.
 *
 * Kept eagerly, in the writing statement's transaction, by statement-level AFTER triggers on activity
 * (transition tables: one statement per writing statement, whatever its row count; ENABLE ALWAYS, so
 * replica-role loaders are covered), so it is always equal to min(occurred_at) per contact, on a
 * standby too:
 *  - INSERT (ingest, imports, COPY): an upsert of the statement's per-contact minimum that only ever
 *    lowers first_at (an earlier activity can arrive late: imports, forwarded history).
 *  - UPDATE and DELETE (merges move activities to the winner, retention deletes old ones): the old and
 *    new contacts are recomputed from their history (an index probe each on activity_contact_time);
 *    a contact left without activities loses its row. Their rows are locked first and the minimum read
 *    in the next statement, whose snapshot then includes an insert that held the lock (a concurrent
 *    ingest of the same contact): without the lock the recompute could overwrite its lower first_at.
 *  - TRUNCATE empties it.
 * Equal to the history: test/integration/contact-first-activity.test.ts (randomized writes through
 * ingest, imports, merges, erasure and deletes; the report against the per-lead probe).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE contact_first_activity (
  workspace_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  first_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, contact_id)
);

CREATE FUNCTION contact_first_activity_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Key order, so concurrent statements lock shared contacts in the same order (no deadlock).
  INSERT INTO contact_first_activity AS f (workspace_id, contact_id, first_at)
    SELECT workspace_id, contact_id, min(occurred_at) FROM new_rows GROUP BY workspace_id, contact_id ORDER BY workspace_id, contact_id
  ON CONFLICT (workspace_id, contact_id) DO UPDATE SET first_at = excluded.first_at WHERE excluded.first_at < f.first_at;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_first_activity_recompute(ws uuid[], contacts uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM 1 FROM contact_first_activity f
    WHERE (f.workspace_id, f.contact_id) IN (SELECT k.w, k.c FROM unnest(ws, contacts) AS k(w, c))
    ORDER BY f.workspace_id, f.contact_id FOR UPDATE;
  WITH k AS (SELECT DISTINCT k.w, k.c FROM unnest(ws, contacts) AS k(w, c)),
  m AS (SELECT k.w, k.c, (SELECT min(a.occurred_at) FROM activity a WHERE a.workspace_id = k.w AND a.contact_id = k.c) AS first_at FROM k),
  gone AS (DELETE FROM contact_first_activity f USING m
    WHERE m.first_at IS NULL AND f.workspace_id = m.w AND f.contact_id = m.c)
  INSERT INTO contact_first_activity AS f (workspace_id, contact_id, first_at)
    SELECT w, c, first_at FROM m WHERE first_at IS NOT NULL ORDER BY w, c
  ON CONFLICT (workspace_id, contact_id) DO UPDATE SET first_at = excluded.first_at WHERE f.first_at IS DISTINCT FROM excluded.first_at;
END
$fn$;

CREATE FUNCTION contact_first_activity_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; contacts uuid[];
BEGIN
  -- Only rows whose contact or time changed (erasure rewrites properties and keeps both).
  SELECT array_agg(w), array_agg(c) INTO ws, contacts FROM (
    SELECT o.workspace_id AS w, o.contact_id AS c FROM old_rows o JOIN new_rows n ON n.id = o.id AND n.workspace_id = o.workspace_id
      WHERE n.contact_id IS DISTINCT FROM o.contact_id OR n.occurred_at IS DISTINCT FROM o.occurred_at
    UNION
    SELECT n.workspace_id, n.contact_id FROM old_rows o JOIN new_rows n ON n.id = o.id AND n.workspace_id = o.workspace_id
      WHERE n.contact_id IS DISTINCT FROM o.contact_id OR n.occurred_at IS DISTINCT FROM o.occurred_at) k;
  IF ws IS NOT NULL THEN PERFORM contact_first_activity_recompute(ws, contacts); END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_first_activity_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; contacts uuid[];
BEGIN
  SELECT array_agg(w), array_agg(c) INTO ws, contacts FROM (SELECT DISTINCT workspace_id AS w, contact_id AS c FROM old_rows) k;
  IF ws IS NOT NULL THEN PERFORM contact_first_activity_recompute(ws, contacts); END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_first_activity_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM contact_first_activity;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER contact_first_activity_insert AFTER INSERT ON activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_first_activity_inserted();
CREATE TRIGGER contact_first_activity_update AFTER UPDATE ON activity
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_first_activity_updated();
CREATE TRIGGER contact_first_activity_delete AFTER DELETE ON activity
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_first_activity_deleted();
CREATE TRIGGER contact_first_activity_truncate AFTER TRUNCATE ON activity
  FOR EACH STATEMENT EXECUTE FUNCTION contact_first_activity_truncated();
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_first_activity_insert;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_first_activity_update;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_first_activity_delete;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_first_activity_truncate;

INSERT INTO contact_first_activity (workspace_id, contact_id, first_at)
  SELECT workspace_id, contact_id, min(occurred_at) FROM activity GROUP BY workspace_id, contact_id;
`.execute(db);
}
