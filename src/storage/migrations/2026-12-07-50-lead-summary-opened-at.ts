import { sql, type Kysely } from 'kysely';

/**
 * Frozen. lead_stage_summary also keeps the lead's opened_at, so the funnel's stage velocity reads the
 * cohort's stays from the summary alone (WHERE opened_at in the period) instead of hash-joining every
 * cohort lead with its summary row: at 1M leads that join was about half of the velocity query's CPU
 * (EXPLAIN ANALYZE, bench reports), and the funnel runs it beside the counts' own join.
 *
 * Kept without touching the summary's refresh functions (other reports add columns there):
 * - a BEFORE INSERT row trigger on lead_stage_summary copies the lead's opened_at into every new row
 *   (every writer inserts summary rows: the insert trigger's fresh rows, its empty rows, a refresh
 *   that re-creates a row after the lead's history was emptied);
 * - an AFTER UPDATE OF opened_at row trigger on lead writes a changed opened_at into the lead's
 *   summary row (the app never changes opened_at; hand edits may).
 * The copy reads the lead without a row lock. FOR SHARE would close one gap (a change of opened_at
 * committed while another transaction writes the lead's very first transition keeps the old value in
 * that new row, READ COMMITTED) but every transition insert fires the trigger (before ON CONFLICT), and
 * a share lock conflicts with the plain lead UPDATEs of ingest (scores): batches locking leads in
 * different orders could deadlock, which the foreign key's KEY SHARE lock never does. Nothing in the
 * app changes opened_at, so the gap needs a hand edit racing a lead's first transition.
 * Both ENABLE ALWAYS, like the summary's own triggers (loaders set session_replication_role = replica).
 * Existing rows are backfilled. Equal to lead.opened_at: test/integration/lead-summary.test.ts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE lead_stage_summary ADD COLUMN opened_at timestamptz;

CREATE FUNCTION lead_stage_summary_opened_at() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  SELECT l.opened_at INTO NEW.opened_at FROM lead l WHERE l.workspace_id = NEW.workspace_id AND l.id = NEW.lead_id;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER lead_stage_summary_opened_at BEFORE INSERT ON lead_stage_summary
  FOR EACH ROW EXECUTE FUNCTION lead_stage_summary_opened_at();
ALTER TABLE lead_stage_summary ENABLE ALWAYS TRIGGER lead_stage_summary_opened_at;

CREATE FUNCTION lead_opened_at_to_summary() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE lead_stage_summary SET opened_at = NEW.opened_at WHERE workspace_id = NEW.workspace_id AND lead_id = NEW.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER lead_opened_at_to_summary AFTER UPDATE OF opened_at ON lead
  FOR EACH ROW WHEN (OLD.opened_at IS DISTINCT FROM NEW.opened_at) EXECUTE FUNCTION lead_opened_at_to_summary();
ALTER TABLE lead ENABLE ALWAYS TRIGGER lead_opened_at_to_summary;

UPDATE lead_stage_summary s SET opened_at = l.opened_at FROM lead l WHERE l.workspace_id = s.workspace_id AND l.id = s.lead_id;
CREATE INDEX lead_stage_summary_opened ON lead_stage_summary (workspace_id, opened_at);
ANALYZE lead_stage_summary;
`.execute(db);
}
