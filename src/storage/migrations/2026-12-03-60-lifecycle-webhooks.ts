import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Lifecycle webhooks (Standard Webhooks): each endpoint subscribes to event types (existing
 * endpoints keep getting alerts only); a rotated secret keeps signing, beside the new one, until its
 * overlap ends; `webhook_event` holds each published event once (its id is the `webhook-id` every
 * attempt and replay carries); the delivery log records either an alert or an event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE webhook
  ADD COLUMN event_types text[] NOT NULL DEFAULT '{alert.created}',
  ADD COLUMN previous_secret text,
  ADD COLUMN previous_secret_expires_at timestamptz,
  ADD COLUMN secret_rotated_at timestamptz;

CREATE TABLE webhook_event (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

ALTER TABLE webhook_delivery
  ALTER COLUMN alert_id DROP NOT NULL,
  ADD COLUMN event_id uuid,
  ADD CONSTRAINT webhook_delivery_event FOREIGN KEY (workspace_id, event_id) REFERENCES webhook_event(workspace_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT webhook_delivery_subject CHECK (num_nonnulls(alert_id, event_id) = 1);
`.execute(db);
}
