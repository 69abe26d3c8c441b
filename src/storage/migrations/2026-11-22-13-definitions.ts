import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Per-contact score state under a definition version, its history, the high-intent
 * signals, and the definition change log. `contact_score.engagement_state` is the core's
 * EngagementState JSON (decayed to its asOf), so scoring stays incremental: one row read and
 * written per activity, never a replay of the contact's history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE contact_score (
  workspace_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  definition_id uuid NOT NULL,
  fit_points integer NOT NULL DEFAULT 0,
  fit_grade text NOT NULL DEFAULT 'D',
  -- The fit contributions and exclusions, so a decay refresh can explain without reloading facts.
  fit jsonb NOT NULL DEFAULT '{}',
  engagement_state jsonb NOT NULL,
  engagement_points integer NOT NULL DEFAULT 0,
  level smallint NOT NULL DEFAULT 4,
  rating text NOT NULL DEFAULT 'cold' CHECK (rating IN ('qualified','warm','cold')),
  cell text NOT NULL DEFAULT 'D4',
  qualifies boolean NOT NULL DEFAULT false,
  explanation text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, definition_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, definition_id) REFERENCES lead_definition(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_score_definition ON contact_score (workspace_id, definition_id, contact_id);

CREATE TABLE score_event (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  definition_id uuid NOT NULL,
  at timestamptz NOT NULL,
  fit integer NOT NULL,
  engagement integer NOT NULL,
  rating text NOT NULL,
  cell text NOT NULL,
  cause text NOT NULL CHECK (cause IN ('activity','attributes','decay','recompute')),
  activity_id uuid,
  delta double precision NOT NULL DEFAULT 0,
  explanation text NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX score_event_contact ON score_event (workspace_id, contact_id, at);

CREATE TABLE high_intent_signal (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  lead_id uuid,
  activity_id uuid NOT NULL,
  definition_id uuid NOT NULL,
  via text NOT NULL CHECK (via IN ('content','url')),
  detail text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX high_intent_signal_time ON high_intent_signal (workspace_id, at);
CREATE INDEX high_intent_signal_contact ON high_intent_signal (workspace_id, contact_id, at);

-- Every step of a definition's life (created, edited, proposed, approved, refused, activated,
-- retired, backtested): definition_approval only holds the current sign-off round.
CREATE TABLE definition_event (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  definition_id uuid NOT NULL,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('created','edited','proposed','withdrawn','approved','refused','activated','retired','backtested')),
  user_id uuid,
  role text,
  comment text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, definition_id) REFERENCES lead_definition(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX definition_event_definition ON definition_event (workspace_id, definition_id, at);
`.execute(db);
}
