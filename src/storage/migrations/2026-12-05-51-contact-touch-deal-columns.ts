import { sql, type Kysely } from 'kysely';

/**
 * Frozen. contact_touch_summary (migration 2026-12-05-50) also serves the attribution report's deal
 * stream (`touchesOf`): besides time, fallback channel and campaign id, each touch now keeps what the
 * deal models read, as arrays parallel to touch_at, in the same (occurred_at, id) order:
 *   touch_id            the activity id (ties at one instant order by it, as the activity query did)
 *   touch_source        nullif(source, ''), or NULL for the whole array when no touch has a source
 *   touch_utm_campaign  nullif(utm_campaign, ''), or NULL when no touch has one (the campaign's name,
 *                       mutable, is looked up when the report reads, like its channel)
 *   touch_content       content_id, or NULL when no touch names a content asset
 * The columns are filled by `refreshContactTouches`; every summarized contact is queued here, so the
 * next refresh (the next report, or the 10-minute job) rebuilds them all from their history before
 * the report reads. Until then touch_id is NULL on rows built by the earlier version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE contact_touch_summary
  ADD COLUMN touch_id uuid[],
  ADD COLUMN touch_source text[],
  ADD COLUMN touch_utm_campaign text[],
  ADD COLUMN touch_content uuid[];

-- Every contact with a qualifying touch is either summarized or already queued: queue the summarized ones.
INSERT INTO contact_touch_dirty (workspace_id, contact_id) SELECT workspace_id, contact_id FROM contact_touch_summary;
`.execute(db);
}
