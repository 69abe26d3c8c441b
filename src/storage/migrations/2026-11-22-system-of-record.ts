import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The system of record: every table keyed by (workspace_id, id) so that workspace_id
 * leads every key (tenancy today, the distribution key of a sharded PostgreSQL tomorrow), and
 * composite foreign keys make a cross-workspace reference impossible at the database level.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE workspace (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  is_demo boolean NOT NULL DEFAULT false,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin','marketing','sales','sales_manager','viewer')),
  password_hash text,
  team text,
  manager_id uuid,
  out_of_office_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, email)
);
CREATE INDEX app_user_email ON app_user (email);

CREATE TABLE user_session (
  token_hash text PRIMARY KEY,
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE api_key (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id)
);

CREATE TABLE field_definition (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  entity text NOT NULL CHECK (entity IN ('contact','account','lead','opportunity')),
  key text NOT NULL,
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('string','number','boolean','date')),
  PRIMARY KEY (workspace_id, entity, key)
);

CREATE TABLE account (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  domain text,
  industry text,
  employee_count integer,
  country text,
  region text,
  annual_revenue numeric(18,2),
  owner_id uuid,
  external_id text,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id)
);
CREATE UNIQUE INDEX account_domain ON account (workspace_id, domain) WHERE domain IS NOT NULL;
CREATE UNIQUE INDEX account_external ON account (workspace_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE campaign (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  channel text NOT NULL,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  starts_on date,
  ends_on date,
  budget numeric(18,2),
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, name)
);
CREATE INDEX campaign_utm ON campaign (workspace_id, utm_campaign);

CREATE TABLE campaign_cost (
  workspace_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  period_start date NOT NULL,
  amount numeric(18,2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL DEFAULT 'USD',
  PRIMARY KEY (workspace_id, campaign_id, period_start),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaign(workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE content_asset (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  url text,
  urls text[] NOT NULL DEFAULT '{}',
  format text NOT NULL DEFAULT 'page',
  buying_stage text,
  personas text[] NOT NULL DEFAULT '{}',
  topics text[] NOT NULL DEFAULT '{}',
  owner_id uuid,
  published_on date,
  expires_on date,
  gated boolean NOT NULL DEFAULT false,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id)
);
CREATE UNIQUE INDEX content_asset_url ON content_asset (workspace_id, url) WHERE url IS NOT NULL;

CREATE TABLE contact (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text,
  first_name text,
  last_name text,
  title text,
  seniority text,
  department text,
  phone text,
  country text,
  account_id uuid,
  owner_id uuid,
  status text NOT NULL DEFAULT 'known' CHECK (status IN ('anonymous','known','merged')),
  merged_into_id uuid,
  attributes jsonb NOT NULL DEFAULT '{}',
  consent jsonb NOT NULL DEFAULT '{}',
  unsubscribed_at timestamptz,
  first_touch_at timestamptz,
  first_source text,
  first_medium text,
  first_campaign text,
  latest_touch_at timestamptz,
  latest_source text,
  latest_medium text,
  latest_campaign text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES account(workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id)
);
CREATE UNIQUE INDEX contact_email ON contact (workspace_id, email) WHERE email IS NOT NULL;
CREATE INDEX contact_account ON contact (workspace_id, account_id);

CREATE TABLE contact_identity (
  workspace_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('anonymous_id','email','user_id','external_id')),
  value text NOT NULL,
  contact_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, kind, value),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_identity_contact ON contact_identity (workspace_id, contact_id);

CREATE TABLE contact_merge (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  winner_id uuid NOT NULL,
  loser_id uuid NOT NULL,
  cause text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE activity (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  source text,
  medium text,
  campaign_id uuid,
  utm_campaign text,
  content_id uuid,
  url text,
  referrer text,
  event_name text,
  properties jsonb NOT NULL DEFAULT '{}',
  actor_user_id uuid,
  idempotency_key text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id)
);
CREATE UNIQUE INDEX activity_idempotency ON activity (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX activity_contact_time ON activity (workspace_id, contact_id, occurred_at);
CREATE INDEX activity_time ON activity (workspace_id, occurred_at);

CREATE TABLE lead_definition (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  version integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft','proposed','approved','active','retired')),
  document jsonb NOT NULL,
  schema_version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  proposed_at timestamptz,
  approved_at timestamptz,
  activated_at timestamptz,
  retired_at timestamptz,
  backtest jsonb,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, version)
);
CREATE UNIQUE INDEX lead_definition_one_active ON lead_definition (workspace_id) WHERE status = 'active';

CREATE TABLE definition_approval (
  workspace_id uuid NOT NULL,
  definition_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve','refuse')),
  comment text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, definition_id, user_id),
  FOREIGN KEY (workspace_id, definition_id) REFERENCES lead_definition(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user(workspace_id, id)
);

CREATE TABLE reason_code (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  code text NOT NULL,
  label text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('nurture','disqualified','lost')),
  PRIMARY KEY (workspace_id, code)
);

CREATE TABLE lead (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  account_id uuid,
  stage text NOT NULL CHECK (stage IN ('inquiry','mql','sal','sql','opportunity','won','lost','nurture','disqualified')),
  owner_id uuid,
  opened_at timestamptz NOT NULL,
  stage_entered_at timestamptz NOT NULL,
  closed_at timestamptz,
  mql_at timestamptz,
  recycle_count integer NOT NULL DEFAULT 0,
  last_reason_code text,
  recheck_at timestamptz,
  source text,
  campaign text,
  first_touch_at timestamptz,
  latest_source text,
  latest_campaign text,
  fit_score numeric(10,2),
  engagement_score numeric(10,2),
  rating text,
  definition_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES account(workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id),
  FOREIGN KEY (workspace_id, definition_id) REFERENCES lead_definition(workspace_id, id)
);
-- One open buying cycle per contact; a closed one (won, lost, disqualified) lets a new one start.
CREATE UNIQUE INDEX lead_one_open ON lead (workspace_id, contact_id) WHERE stage NOT IN ('won','lost','disqualified');
CREATE INDEX lead_stage ON lead (workspace_id, stage);
CREATE INDEX lead_owner ON lead (workspace_id, owner_id, stage);

CREATE TABLE stage_transition (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  from_stage text,
  to_stage text NOT NULL,
  at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user','rule','system','api_key')),
  actor_id uuid,
  reason_code text,
  note text,
  definition_id uuid,
  is_recycle boolean NOT NULL DEFAULT false,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX stage_transition_lead ON stage_transition (workspace_id, lead_id, at);
CREATE INDEX stage_transition_time ON stage_transition (workspace_id, to_stage, at);

CREATE TABLE opportunity (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  account_id uuid,
  amount numeric(18,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency text NOT NULL DEFAULT 'USD',
  stage text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','won','lost')),
  close_date date,
  owner_id uuid,
  external_id text,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES account(workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user(workspace_id, id)
);
CREATE UNIQUE INDEX opportunity_external ON opportunity (workspace_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE opportunity_contact_role (
  workspace_id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  role text NOT NULL DEFAULT 'influencer',
  is_primary boolean NOT NULL DEFAULT false,
  PRIMARY KEY (workspace_id, opportunity_id, contact_id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunity(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact(workspace_id, id)
);
CREATE INDEX opportunity_contact_role_contact ON opportunity_contact_role (workspace_id, contact_id);

CREATE TABLE opportunity_lead (
  workspace_id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, opportunity_id, lead_id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunity(workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_lead_lead ON opportunity_lead (workspace_id, lead_id);

CREATE TABLE opportunity_stage_change (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  from_stage text,
  to_stage text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  amount numeric(18,2) NOT NULL,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunity(workspace_id, id) ON DELETE CASCADE
);
`.execute(db);
}
