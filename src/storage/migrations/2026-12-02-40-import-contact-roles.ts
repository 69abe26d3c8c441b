import { sql, type Kysely } from 'kysely';

/**
 * Frozen. CSV imports gain the deal ↔ contact entity (Salesforce OpportunityContactRole, HubSpot
 * deal–contact associations). The new CHECK only widens the old one: added NOT VALID (every existing
 * row passed the narrower one) so no scan runs under the migration's lock.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE import_run DROP CONSTRAINT import_run_entity_check;
ALTER TABLE import_run ADD CONSTRAINT import_run_entity_check
  CHECK (entity IN ('contacts','accounts','leads','opportunities','activities','olist','contact_roles')) NOT VALID;
`.execute(db);
}
