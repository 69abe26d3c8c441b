import { sql, type Kysely } from 'kysely';

/**
 * Frozen. CSV imports gain the deal ↔ contact entity (Salesforce OpportunityContactRole, HubSpot
 * deal–contact associations). The new CHECK only widens the old one: added NOT VALID (every existing
 * row passed the narrower one) so no scan runs under the migration's lock.
 * Imports find a contact's leads whatever their stage (a re-imported customer's won lead; the lead
 * a deal links): only open leads were indexed by contact (lead_one_open), so closed ones cost a scan.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE import_run DROP CONSTRAINT import_run_entity_check;
ALTER TABLE import_run ADD CONSTRAINT import_run_entity_check
  CHECK (entity IN ('contacts','accounts','leads','opportunities','activities','olist','contact_roles')) NOT VALID;
CREATE INDEX lead_contact ON lead (workspace_id, contact_id, opened_at);
`.execute(db);
}
