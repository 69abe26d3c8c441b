import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Content ratings, the editorial calendar and nurture tracks. Same key discipline as the
 * system of record: (workspace_id, id) everywhere, composite foreign keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE content_rating (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  asset_id uuid NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  scale text NOT NULL CHECK (scale IN ('stars','thumbs')),
  comment text,
  source text NOT NULL CHECK (source IN ('prospect','sales')),
  contact_id uuid,
  user_id uuid,
  at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, asset_id) REFERENCES content_asset(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id)
);
CREATE INDEX content_rating_asset ON content_rating (workspace_id, asset_id, at);

CREATE TABLE content_plan (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  planned_on date NOT NULL,
  owner_id uuid,
  target_stage text,
  target_persona text,
  target_topic text,
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('idea','planned','in_progress','published','cancelled')),
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id)
);
CREATE INDEX content_plan_date ON content_plan (workspace_id, planned_on);

CREATE TABLE nurture_track (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  entry jsonb NOT NULL DEFAULT '{}',
  steps jsonb NOT NULL DEFAULT '[]',
  cadence jsonb NOT NULL DEFAULT '{}',
  exit jsonb NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  schema_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, name)
);

CREATE TABLE nurture_enrollment (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  track_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  current_step integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('active','paused','exited','finished')),
  next_run_at timestamptz,
  entered_at timestamptz NOT NULL,
  paused_at timestamptz,
  exited_at timestamptz,
  exit_reason text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, track_id) REFERENCES nurture_track(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id)
);
-- One voice per person: at most one live (active or paused) enrollment per contact, enforced here.
CREATE UNIQUE INDEX nurture_enrollment_one_live ON nurture_enrollment (workspace_id, contact_id) WHERE status IN ('active','paused');
CREATE INDEX nurture_enrollment_due ON nurture_enrollment (next_run_at) WHERE status = 'active';
CREATE INDEX nurture_enrollment_lead ON nurture_enrollment (workspace_id, lead_id);
CREATE INDEX nurture_enrollment_track ON nurture_enrollment (workspace_id, track_id, status);

CREATE TABLE nurture_send (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  enrollment_id uuid NOT NULL,
  track_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  step_index integer NOT NULL,
  asset_id uuid,
  status text NOT NULL CHECK (status IN ('sent','skipped','failed','bounced')),
  reason text,
  message_id text,
  at timestamptz NOT NULL,
  opened_at timestamptz,
  clicked_at timestamptz,
  unsubscribed_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, enrollment_id) REFERENCES nurture_enrollment(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, asset_id) REFERENCES content_asset(workspace_id, id) ON DELETE SET NULL (asset_id)
);
CREATE INDEX nurture_send_contact ON nurture_send (workspace_id, contact_id, at);
CREATE INDEX nurture_send_enrollment ON nurture_send (workspace_id, enrollment_id, at);
CREATE INDEX nurture_send_track ON nurture_send (workspace_id, track_id, step_index);
`.execute(db);
}
