import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A pending OAuth 2.0 web-server authorization (Salesforce "Connect" from Settings): found by
 * the SHA-256 of its `state` (the state itself only travels in the browser's URL), bound to the
 * browser session that started it (`session_hash`), single use (the callback deletes it) and short
 * lived (`expires_at`). `sealed` holds the PKCE code verifier and the connected app's secret,
 * AES-256-GCM sealed like the connection credentials: nothing usable is stored in plain text.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE crm_oauth_request (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  state_hash text NOT NULL,
  provider text NOT NULL CHECK (provider IN ('salesforce')),
  session_hash text NOT NULL,
  user_id uuid,
  sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, state_hash)
);
CREATE INDEX crm_oauth_request_expiry ON crm_oauth_request (expires_at);
`.execute(db);
}
