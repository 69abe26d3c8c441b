import { sql, type Kysely } from 'kysely';

/**
 * Frozen. What a linked CRM record last looked like on the CRM side (`remote_state`, e.g. a HubSpot
 * contact's lifecycle stage and lead status), so a pull acts only on what a CRM user *changed*: a
 * value that merely stayed (a lead status still BAD_TIMING after the lead re-qualified) moves nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE crm_record_link ADD COLUMN remote_state jsonb`.execute(db);
}
