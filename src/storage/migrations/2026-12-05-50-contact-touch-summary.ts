import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A per-contact summary of the touches attribution reads, kept lazily: the attribution
 * report's non-converting Markov paths read it instead of joining every period lead with the activity
 * table (at 1M leads / 10M activities that join, its sort by lead and the per-lead ordered string_agg
 * were most of the report's 12 s).
 *
 * contact_touch_summary, one row per contact with at least one qualifying touch (an activity with a
 * source, campaign, UTM campaign or content asset), its touches in (occurred_at, id) order:
 *   touch_at        occurred_at
 *   touch_channel   the channel without the campaign rule (campaign channels are looked up when the
 *                   report reads, so editing a campaign's channel needs no rebuild)
 *   touch_campaign  campaign_id per touch, or NULL when no touch names a campaign
 *   path            touch_channel joined by U+001F: the whole path when no touch names a campaign
 * contact_touch_path(...) cuts a window out of a row and applies the campaigns' channels.
 * The rows and the channel mapping are written by `refreshContactTouches` (src/storage/reports/
 * contact-touches.repo.ts); changing that mapping needs a migration that re-enqueues every contact.
 *
 * Lazy, not per row: statement-level AFTER triggers (transition tables, one run per statement
 * whatever its row count; ENABLE ALWAYS, so replica-role loaders are covered) only append the
 * contacts a statement's qualifying rows belong to (old and new: merges move activities) to
 * contact_touch_dirty, a heap without indexes. The refresh (at report time) takes the workspace's
 * advisory lock, deletes the queue rows it can see and rebuilds those contacts from their whole
 * activity history in the same statement (same snapshot: a queue row it sees was committed with its
 * activities). A writer still in flight keeps its queue row for the next refresh. Ingest pays one
 * small INSERT per batch; the per-row trigger tried before cost ingest 5-12 %.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE contact_touch_summary (
  workspace_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  touch_at timestamptz[] NOT NULL,
  touch_channel text[] NOT NULL,
  touch_campaign uuid[],
  path text NOT NULL,
  PRIMARY KEY (workspace_id, contact_id)
);

CREATE TABLE contact_touch_dirty (
  workspace_id uuid NOT NULL,
  contact_id uuid NOT NULL
);

-- The channel path of a contact's touches within [since, until], campaign touches taking their
-- campaign's channel (campaign_ids/campaign_channels: the workspace's campaigns); NULL when none.
-- PARALLEL SAFE, so report queries compute paths in their parallel workers.
CREATE FUNCTION contact_touch_path(touch_at timestamptz[], touch_channel text[], touch_campaign uuid[], since timestamptz, until timestamptz,
    campaign_ids uuid[], campaign_channels text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT string_agg(coalesce(campaign_channels[array_position(campaign_ids, u.campaign)], u.channel), E'\\x1f' ORDER BY u.i)
  FROM unnest(touch_at, touch_channel, touch_campaign) WITH ORDINALITY AS u(at, channel, campaign, i)
  WHERE u.at >= since AND u.at <= until
$fn$;

CREATE FUNCTION contact_touch_enqueue_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO contact_touch_dirty (workspace_id, contact_id)
    SELECT DISTINCT workspace_id, contact_id FROM new_rows
    WHERE nullif(source, '') IS NOT NULL OR campaign_id IS NOT NULL OR nullif(utm_campaign, '') IS NOT NULL OR content_id IS NOT NULL;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_touch_enqueue_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO contact_touch_dirty (workspace_id, contact_id)
    SELECT workspace_id, contact_id FROM old_rows
    WHERE nullif(source, '') IS NOT NULL OR campaign_id IS NOT NULL OR nullif(utm_campaign, '') IS NOT NULL OR content_id IS NOT NULL
    UNION
    SELECT workspace_id, contact_id FROM new_rows
    WHERE nullif(source, '') IS NOT NULL OR campaign_id IS NOT NULL OR nullif(utm_campaign, '') IS NOT NULL OR content_id IS NOT NULL;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_touch_enqueue_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO contact_touch_dirty (workspace_id, contact_id)
    SELECT DISTINCT workspace_id, contact_id FROM old_rows
    WHERE nullif(source, '') IS NOT NULL OR campaign_id IS NOT NULL OR nullif(utm_campaign, '') IS NOT NULL OR content_id IS NOT NULL;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION contact_touch_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM contact_touch_summary;
  DELETE FROM contact_touch_dirty;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER contact_touch_insert AFTER INSERT ON activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_touch_enqueue_inserted();
CREATE TRIGGER contact_touch_update AFTER UPDATE ON activity
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_touch_enqueue_updated();
CREATE TRIGGER contact_touch_delete AFTER DELETE ON activity
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_touch_enqueue_deleted();
CREATE TRIGGER contact_touch_truncate AFTER TRUNCATE ON activity
  FOR EACH STATEMENT EXECUTE FUNCTION contact_touch_truncated();
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_touch_insert;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_touch_update;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_touch_delete;
ALTER TABLE activity ENABLE ALWAYS TRIGGER contact_touch_truncate;

-- Existing activities: every contact with a qualifying touch is built by the first refresh.
INSERT INTO contact_touch_dirty (workspace_id, contact_id)
  SELECT DISTINCT workspace_id, contact_id FROM activity
  WHERE nullif(source, '') IS NOT NULL OR campaign_id IS NOT NULL OR nullif(utm_campaign, '') IS NOT NULL OR content_id IS NOT NULL;
`.execute(db);
}
