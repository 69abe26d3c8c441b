import { sql, type Kysely } from 'kysely';

/**
 * Frozen. lead.contact_first_at: the earliest activity of the lead's contact (contact_first_activity.first_at
 * of lead.contact_id; NULL without a contact or without an activity), on the lead row.
 *
 * Why: time to sales-ready measures from the earliest of the lead's first touch, its contact's first activity
 * and its opening. Read through a join, every report hashed all of contact_first_activity (1M rows at 1M leads,
 * 0.37 s to build in each of three processes) to probe it with the 600k MQL/SAL leads: ~0.7 s of the report's
 * ~2 s (EXPLAIN ANALYZE, bench reports database). On the lead row, which the cohort scan reads anyway, the join
 * is gone (as the stage-history columns of migration 2026-12-08-20 did for the summaries).
 *
 * Kept eagerly, both ways, in the writing transaction (ENABLE ALWAYS, so replica-role loaders are covered):
 *  - the lead side: a BEFORE INSERT trigger, and a BEFORE UPDATE trigger when contact_id or contact_first_at
 *    changes, sets the column from contact_first_activity (whatever a writer put there);
 *  - the activity side: statement-level AFTER triggers on contact_first_activity (written by the activity
 *    triggers of migration 2026-12-07-10) copy its new value onto the leads of every contact whose row was
 *    inserted, updated or deleted.
 * The race between the two: a lead inserted for a contact while another transaction writes that contact's
 * first activity. Neither sees the other's uncommitted row, so each side would miss the other. Both lock the
 * contact row before they read: the lead side FOR KEY SHARE (the lock its foreign-key check takes anyway, so
 * lead writers never wait on each other), the activity side FOR UPDATE, which conflicts with it. Whichever
 * locks second waits for the other to commit and then reads in a new statement (a new snapshot under READ
 * COMMITTED), so it sees the other's row: the lead side the new first activity, the activity side the new lead.
 * The activity side locks only when contact_first_activity changed (a contact's first activity, one backdated
 * below it, a recompute after an edit or delete), not on every ingested event.
 * Equal to the history: test/integration/contact-first-activity.test.ts (every writer, both orders of the race).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE lead ADD COLUMN contact_first_at timestamptz;

CREATE FUNCTION lead_contact_first_at() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.contact_id IS NULL THEN
    NEW.contact_first_at := NULL;
    RETURN NEW;
  END IF;
  -- Locked before the read: a concurrent first activity of this contact either committed (the read below sees
  -- it) or waits for this transaction and then copies its value onto this lead.
  PERFORM 1 FROM contact c WHERE c.workspace_id = NEW.workspace_id AND c.id = NEW.contact_id FOR KEY SHARE;
  NEW.contact_first_at := (SELECT f.first_at FROM contact_first_activity f
    WHERE f.workspace_id = NEW.workspace_id AND f.contact_id = NEW.contact_id);
  RETURN NEW;
END
$fn$;

CREATE FUNCTION lead_contact_first_at_sync(ws uuid[], contacts uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  -- Key order, so two writers of overlapping contacts (or leads) take turns instead of deadlocking.
  PERFORM 1 FROM contact c
    WHERE (c.workspace_id, c.id) IN (SELECT k.w, k.c FROM unnest(ws, contacts) AS k(w, c))
    ORDER BY c.workspace_id, c.id FOR UPDATE OF c;
  PERFORM 1 FROM lead l JOIN (SELECT DISTINCT k.w, k.c FROM unnest(ws, contacts) AS k(w, c)) k ON l.workspace_id = k.w AND l.contact_id = k.c
    LEFT JOIN contact_first_activity f ON f.workspace_id = k.w AND f.contact_id = k.c
    WHERE l.contact_first_at IS DISTINCT FROM f.first_at
    ORDER BY l.workspace_id, l.id FOR NO KEY UPDATE OF l;
  UPDATE lead l SET contact_first_at = f.first_at
    FROM (SELECT DISTINCT k.w, k.c FROM unnest(ws, contacts) AS k(w, c)) k
      LEFT JOIN contact_first_activity f ON f.workspace_id = k.w AND f.contact_id = k.c
    WHERE l.workspace_id = k.w AND l.contact_id = k.c AND l.contact_first_at IS DISTINCT FROM f.first_at;
END
$fn$;

CREATE FUNCTION lead_contact_first_at_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ws uuid[]; contacts uuid[];
BEGIN
  -- The copy reads contact_first_activity as it is now, so a row deleted and re-inserted in one statement
  -- (the recompute's CTE) comes out right whichever of the two triggers runs last.
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(workspace_id), array_agg(contact_id) INTO ws, contacts FROM old_rows;
  ELSE
    SELECT array_agg(workspace_id), array_agg(contact_id) INTO ws, contacts FROM new_rows;
  END IF;
  -- An ingest statement that lowers nothing still fires the ON CONFLICT UPDATE trigger with no rows.
  IF ws IS NOT NULL THEN PERFORM lead_contact_first_at_sync(ws, contacts); END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION lead_contact_first_at_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE lead SET contact_first_at = NULL WHERE contact_first_at IS NOT NULL;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER lead_contact_first_at_from_insert AFTER INSERT ON contact_first_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_contact_first_at_changed();
CREATE TRIGGER lead_contact_first_at_from_update AFTER UPDATE ON contact_first_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_contact_first_at_changed();
CREATE TRIGGER lead_contact_first_at_from_delete AFTER DELETE ON contact_first_activity
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_contact_first_at_changed();
CREATE TRIGGER lead_contact_first_at_from_truncate AFTER TRUNCATE ON contact_first_activity
  FOR EACH STATEMENT EXECUTE FUNCTION lead_contact_first_at_truncated();
ALTER TABLE contact_first_activity ENABLE ALWAYS TRIGGER lead_contact_first_at_from_insert;
ALTER TABLE contact_first_activity ENABLE ALWAYS TRIGGER lead_contact_first_at_from_update;
ALTER TABLE contact_first_activity ENABLE ALWAYS TRIGGER lead_contact_first_at_from_delete;
ALTER TABLE contact_first_activity ENABLE ALWAYS TRIGGER lead_contact_first_at_from_truncate;

-- The triggers on contact_first_activity exist (and lock it against concurrent activity writers until commit;
-- lead is locked by the ALTER) before the copy; the lead's own triggers after it, so the copy is one plain UPDATE.
UPDATE lead l SET contact_first_at = f.first_at
  FROM contact_first_activity f WHERE f.workspace_id = l.workspace_id AND f.contact_id = l.contact_id;
CREATE TRIGGER lead_contact_first_at_insert BEFORE INSERT ON lead
  FOR EACH ROW EXECUTE FUNCTION lead_contact_first_at();
CREATE TRIGGER lead_contact_first_at_update BEFORE UPDATE OF contact_id, contact_first_at ON lead
  FOR EACH ROW WHEN (NEW.contact_id IS DISTINCT FROM OLD.contact_id OR NEW.contact_first_at IS DISTINCT FROM OLD.contact_first_at)
  EXECUTE FUNCTION lead_contact_first_at();
ALTER TABLE lead ENABLE ALWAYS TRIGGER lead_contact_first_at_insert;
ALTER TABLE lead ENABLE ALWAYS TRIGGER lead_contact_first_at_update;
ANALYZE lead;
`.execute(db);
}
