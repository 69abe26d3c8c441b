import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The contact page reads a contact's merges (as winner or loser) and identity conflicts
 * (as either party: a second person on one device names both contacts); only identity_conflict's
 * contact_id was indexed, so the other sides would scan the workspace's logs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE INDEX IF NOT EXISTS identity_conflict_other ON identity_conflict (workspace_id, other_contact_id) WHERE other_contact_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_merge_winner ON contact_merge (workspace_id, winner_id);
CREATE INDEX IF NOT EXISTS contact_merge_loser ON contact_merge (workspace_id, loser_id);
`.execute(db);
}
