import { sql, type Kysely } from 'kysely';

/**
 * Frozen. deal_touch_path's touches get a per-deal dictionary of their text values:
 *   touch_values  a JSON array of the distinct strings the deal's touches carry (stored channels, campaign ids,
 *                 sources, UTM campaigns, content ids)
 *   touches       now numbers only: six per touch, epoch microseconds and then, for the stored channel, campaign
 *                 id, source, UTM campaign and content id, the 1-based position of the value in touch_values
 *                 (0: none)
 * Why: the report parsed the touches of every in-scope deal as JSON with their strings inline (1M-lead bench:
 * ~20 MB of text, 2.3M values, 1.5M short strings a report), and the driver's text reading, the parse and the
 * garbage they left were most of the deal stream's Node time, which was most of the report's. A touch is now
 * ~27 characters instead of ~56, the numbers parse into one array of doubles, and the strings are parsed once
 * per deal (a deal's touches repeat a few values: one contact's channels and sources).
 *
 * The rows written in the old encoding are dropped and every deal queued: the next refresh rebuilds them
 * (refreshDealTouchPaths; 100,000 bench deals in ~10 s).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE deal_touch_path ADD COLUMN touch_values text;
DELETE FROM deal_touch_path;
INSERT INTO deal_touch_dirty (workspace_id, opportunity_id)
  SELECT workspace_id, opportunity_id FROM opportunity_lead UNION SELECT workspace_id, opportunity_id FROM opportunity_contact_role;
`.execute(db);
}
