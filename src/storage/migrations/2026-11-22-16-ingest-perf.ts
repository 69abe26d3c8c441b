import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Ingestion performance.
 *
 * Every activity, identity, score row and score event checks its foreign key to contact with
 * `WHERE workspace_id = $1 AND id = $2`, a generic plan cached per connection the first time it
 * runs. On a young table without statistics the planner saw the non-unique (workspace_id,
 * account_id) index as just as cheap as the primary key and picked it: each check then walked
 * every contact of the workspace (quadratic ingestion, ~1 ms per event at a few thousand
 * contacts). The index only serves lookups by account, so it becomes partial: the foreign-key
 * checks can only use the primary key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
DROP INDEX contact_account;
CREATE INDEX contact_account ON contact (workspace_id, account_id) WHERE account_id IS NOT NULL;
`.execute(db);
}
