import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Sign-in that holds:
 * - login_throttle: failed sign-ins per account (normalized email) and per client address, with the
 *   lockout they earned (rows are keys such as 'account:ann@x.com' / 'address:203.0.113.9'; no foreign
 *   key: unknown emails are throttled exactly like known ones).
 * - user_token: single-use, expiring password-reset and invitation tokens, stored as SHA-256 only.
 * - app_user.password_is_demo: the demo seed's password is still in use (first-run warning);
 *   app_user.password_changed_at: when the password last changed.
 * - user_session.user_id index: every session of a user is revoked when the password changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL,
  lockouts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_failure_at timestamptz
);
CREATE TABLE user_token (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reset', 'invite')),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX user_token_user ON user_token (workspace_id, user_id, kind);
ALTER TABLE app_user ADD COLUMN password_is_demo boolean NOT NULL DEFAULT false;
ALTER TABLE app_user ADD COLUMN password_changed_at timestamptz;
CREATE INDEX user_session_user ON user_session (workspace_id, user_id);
`.execute(db);
}
