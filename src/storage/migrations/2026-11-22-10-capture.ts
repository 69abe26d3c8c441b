import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Capture: dead letters (invalid events kept with their reason, never dropped silently),
 * processed messages (messageId idempotency for identify/group/alias, which create no activity),
 * and identity conflicts (two known people that must never be merged automatically).
 *
 * Self-contained on purpose (no references to other tables): this name sorts before
 * 2026-11-22-system-of-record, so on a fresh database it runs first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE dead_letter (
  workspace_id uuid NOT NULL,
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
  workspace_id uuid NOT NULL,
  message_id text NOT NULL,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, message_id)
);

CREATE TABLE identity_conflict (
  workspace_id uuid NOT NULL,
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
`.execute(db);
}
