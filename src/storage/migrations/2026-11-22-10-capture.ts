import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Capture: dead letters (invalid events kept with their reason, never dropped silently),
 * processed messages (messageId idempotency for identify/group/alias, which create no activity),
 * and identity conflicts (two known people that must never be merged automatically).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE dead_letter (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  channel text NOT NULL,
  stage text NOT NULL,
  reason text NOT NULL,
  message_id text,
  message_type text,
  details jsonb NOT NULL DEFAULT '[]',
  payload jsonb,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE processed_message (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  message_id text NOT NULL,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, message_id)
);

CREATE TABLE identity_conflict (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  other_contact_id uuid,
  kind text NOT NULL,
  value text NOT NULL,
  reason text NOT NULL,
  message_id text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX identity_conflict_contact ON identity_conflict (workspace_id, contact_id);
CREATE INDEX account_group_id ON account (workspace_id, (attributes->>'group_id')) WHERE attributes ? 'group_id';
`.execute(db);
}
