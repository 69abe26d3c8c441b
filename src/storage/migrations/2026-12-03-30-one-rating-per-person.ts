import { sql, type Kysely } from 'kysely';

/**
 * Frozen. One rating per person per asset: a salesperson rating an asset again replaces their
 * rating (the app upserts on this key). Earlier repeats are folded first: each person's newest
 * rating of an asset stays (by time, then id), the older ones go.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
DELETE FROM content_rating r USING (
  SELECT workspace_id, id, row_number() OVER (PARTITION BY workspace_id, asset_id, user_id ORDER BY at DESC, id DESC) AS n
  FROM content_rating WHERE user_id IS NOT NULL
) d
WHERE r.workspace_id = d.workspace_id AND r.id = d.id AND d.n > 1;
CREATE UNIQUE INDEX content_rating_one_per_user ON content_rating (workspace_id, asset_id, user_id) WHERE user_id IS NOT NULL;
`.execute(db);
}
