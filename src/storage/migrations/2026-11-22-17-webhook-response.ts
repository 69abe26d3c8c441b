import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The start of a webhook receiver's answer (at most 500 characters), kept with each delivery so the
 * delivery log can show why a receiver refused ("invalid_token", "no_service"), not just its HTTP status.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE webhook_delivery ADD COLUMN response_snippet text`.execute(db);
}
