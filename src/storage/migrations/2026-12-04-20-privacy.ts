import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Privacy (issue #16):
 * - `contact.status = 'erased'` and `contact.erased_at`: an erased person stays as an anonymous
 *   tombstone row so activities, leads and deals keep their counts (funnel and attribution totals).
 * - `privacy_salt`: one random salt per workspace; `privacy_suppression` holds salted SHA-256 hashes of
 *   an erased person's email / anonymous ids / user ids, never the values, so later traffic with the
 *   same identifiers is not stored until the person gives consent again.
 * - `consent_event`: every consent choice per purpose (source, legal basis, time), the history the
 *   contact page shows; `contact.consent` stays the current state.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE contact DROP CONSTRAINT contact_status_check;
ALTER TABLE contact ADD CONSTRAINT contact_status_check CHECK (status IN ('anonymous','known','merged','erased'));
ALTER TABLE contact ADD COLUMN erased_at timestamptz;

CREATE TABLE privacy_salt (
  workspace_id uuid PRIMARY KEY REFERENCES workspace(id) ON DELETE CASCADE,
  salt text NOT NULL DEFAULT (gen_random_uuid()::text || gen_random_uuid()::text)
);

CREATE TABLE privacy_suppression (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('email','anonymous_id','user_id')),
  hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, kind, hash)
);

CREATE TABLE consent_event (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL,
  source text NOT NULL,
  basis text NOT NULL,
  at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_event_contact ON consent_event (workspace_id, contact_id, at);
`.execute(db);
}
