import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Who linked a lead to a deal or unlinked it, when and why: opportunity_lead holds only the
 * current links, and an unlink (or a placeholder deal replaced by the real one) must stay
 * explainable. No foreign key to opportunity: the log outlives a deleted placeholder deal.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE opportunity_lead_event (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('linked','unlinked')),
  note text,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_lead_event_opportunity ON opportunity_lead_event (workspace_id, opportunity_id, at);
CREATE INDEX opportunity_lead_event_lead ON opportunity_lead_event (workspace_id, lead_id, at);
`.execute(db);
}
