import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Drops `lead_opened` (workspace_id, opened_at): `lead_list_opened` (workspace_id,
 * opened_at, id), added for the keyset lists, starts with the same columns, so every scan the
 * former served (a workspace's leads by opened_at range or order, index-only ones included) the
 * latter serves too. One index entry less per lead written (imports, ingestion, the demo).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS lead_opened`.execute(db);
}
