import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The hand-off loop: routing rule versions and round-robin state, rep settings and team
 * calendars, explainable assignments, SLA clocks and escalations, alerts and webhook deliveries.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE routing_config (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  version integer NOT NULL,
  rules jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, version)
);

-- One row per team: the smooth weighted round-robin credits, locked FOR UPDATE while assigning.
CREATE TABLE routing_state (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  team text NOT NULL,
  credits jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, team)
);

CREATE TABLE rep_settings (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  weight integer NOT NULL DEFAULT 1 CHECK (weight >= 0),
  capacity integer CHECK (capacity IS NULL OR capacity >= 0),
  PRIMARY KEY (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id) ON DELETE CASCADE
);

-- A team's business calendar (null: the SLA policy's) and manager (null: the owner's manager).
CREATE TABLE team (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  name text NOT NULL,
  calendar jsonb,
  manager_id uuid,
  PRIMARY KEY (workspace_id, name),
  FOREIGN KEY (workspace_id, manager_id) REFERENCES app_user(workspace_id, id)
);

CREATE TABLE assignment (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  owner_id uuid,
  previous_owner_id uuid,
  queue text,
  team text,
  rule_index integer,
  rule_kind text NOT NULL,
  explanation text NOT NULL,
  trace jsonb NOT NULL DEFAULT '[]',
  routing_version integer,
  actor_type text NOT NULL,
  actor_id uuid,
  note text,
  at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX assignment_lead ON assignment (workspace_id, lead_id, at);
CREATE INDEX assignment_owner ON assignment (workspace_id, owner_id, at);

CREATE TABLE sla_clock (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  kind text NOT NULL,
  owner_id uuid,
  clock jsonb NOT NULL,
  state text NOT NULL,
  started_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  stopped_at timestamptz,
  stop_reason text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sla_clock_lead ON sla_clock (workspace_id, lead_id) WHERE stopped_at IS NULL;
CREATE INDEX sla_clock_report ON sla_clock (workspace_id, started_at);

CREATE TABLE sla_escalation (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  clock_id uuid NOT NULL,
  kind text NOT NULL,
  step_index integer NOT NULL,
  action text NOT NULL,
  recipient_id uuid,
  from_owner_id uuid,
  to_owner_id uuid,
  queue text,
  reason text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sla_escalation_lead ON sla_escalation (workspace_id, lead_id);

CREATE TABLE alert (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  context jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  delivered_at timestamptz,
  email_status text,
  email_detail text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_user ON alert (workspace_id, user_id, created_at);
CREATE INDEX alert_dedupe ON alert (workspace_id, user_id, lead_id, kind, created_at);

CREATE TABLE webhook (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('slack','json')),
  url text NOT NULL,
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE webhook_delivery (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  webhook_id uuid NOT NULL,
  alert_id uuid NOT NULL,
  attempt integer NOT NULL,
  status text NOT NULL CHECK (status IN ('success','failed')),
  response_code integer,
  duration_ms integer NOT NULL,
  error text,
  at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, webhook_id) REFERENCES webhook(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_delivery_webhook ON webhook_delivery (workspace_id, webhook_id, at);
`.execute(db);
}
