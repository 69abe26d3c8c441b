import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Lookups by content and by rater.
 *
 * The content library's usage columns, an asset's stats and the content audit select activities by
 * content; without an index each walked every activity of the workspace. Partial: most activities
 * (page views of untagged pages, form fills) carry no content, so ingestion writes this index only
 * for the rows it serves. Ratings are read per contact on the lead page and moved per contact on a merge.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE INDEX activity_content ON activity (workspace_id, content_id, occurred_at) WHERE content_id IS NOT NULL;
CREATE INDEX content_rating_contact ON content_rating (workspace_id, contact_id, at) WHERE contact_id IS NOT NULL;
`.execute(db);
}
