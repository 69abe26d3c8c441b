import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Double opt-in for email marketing (issue #16 item 4): one row per confirmation asked of a
 * person. `contact.consent.email_marketing` holds `status: 'pending'` meanwhile; the confirmation link
 * (a signed token naming this row) records the grant and sets `confirmed_at`. `source` is the door
 * the grant came from; `sent_at`/`send_error` say what the mailer answered (no message text is kept).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE consent_request (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  purpose text NOT NULL DEFAULT 'email_marketing' CHECK (purpose IN ('email_marketing')),
  source text NOT NULL,
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  sent_at timestamptz,
  send_error text,
  confirmed_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_request_open ON consent_request (workspace_id, contact_id, expires_at) WHERE confirmed_at IS NULL;
`.execute(db);
}
