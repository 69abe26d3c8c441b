import { sql, type Kysely } from 'kysely';

/**
 * Frozen. CRM connectors (Salesforce, HubSpot): one connection per provider and workspace with its
 * credentials encrypted at rest (AES-256-GCM envelope written by src/app/crm/credentials.ts, never
 * plaintext), a versioned mapping (every saved version kept in crm_mapping_version), per-object pull
 * cursors; the link between a CRM record and the Leadloop row it stands for (idempotency: a replayed
 * record whose stamp was already applied changes nothing); sync runs and a per-record sync log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE crm_connection (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  provider text NOT NULL CHECK (provider IN ('salesforce','hubspot')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused')),
  paused_reason text,
  paused_at timestamptz,
  settings jsonb NOT NULL DEFAULT '{}',
  credentials text NOT NULL,
  mapping jsonb NOT NULL,
  mapping_version integer NOT NULL DEFAULT 1,
  cursors jsonb NOT NULL DEFAULT '{}',
  push_since timestamptz NOT NULL,
  last_sync_at timestamptz,
  api_usage jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, provider)
);
CREATE TABLE crm_mapping_version (
  workspace_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  version integer NOT NULL,
  mapping jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id uuid,
  PRIMARY KEY (workspace_id, connection_id, version),
  FOREIGN KEY (workspace_id, connection_id) REFERENCES crm_connection(workspace_id, id) ON DELETE CASCADE
);
CREATE TABLE crm_record_link (
  workspace_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  object_type text NOT NULL,
  external_id text NOT NULL,
  local_kind text NOT NULL CHECK (local_kind IN ('lead','contact','account','opportunity','user')),
  local_id uuid NOT NULL,
  remote_stamp text,
  pushed_at timestamptz,
  pushed_state jsonb,
  PRIMARY KEY (workspace_id, connection_id, object_type, external_id),
  FOREIGN KEY (workspace_id, connection_id) REFERENCES crm_connection(workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX crm_record_link_local ON crm_record_link (workspace_id, connection_id, local_kind, local_id, object_type);
CREATE TABLE crm_sync_run (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  connection_id uuid NOT NULL,
  dry_run boolean NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  outcome text CHECK (outcome IN ('ok','partial','failed','paused')),
  counts jsonb NOT NULL DEFAULT '{}',
  error text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, connection_id) REFERENCES crm_connection(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX crm_sync_run_connection ON crm_sync_run (workspace_id, connection_id, id DESC);
CREATE TABLE crm_sync_log (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  connection_id uuid NOT NULL,
  run_id uuid NOT NULL,
  direction text NOT NULL CHECK (direction IN ('push','pull')),
  object_type text NOT NULL,
  external_id text,
  local_id uuid,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('changed','unchanged','failed','skipped','would_change')),
  error text,
  attempt integer NOT NULL DEFAULT 1,
  at timestamptz NOT NULL,
  -- Write order (ids minted at the same business time need not sort in write order).
  seq bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, run_id) REFERENCES crm_sync_run(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX crm_sync_log_connection ON crm_sync_log (workspace_id, connection_id, id DESC);
CREATE INDEX crm_sync_log_local ON crm_sync_log (workspace_id, connection_id, local_id, seq) WHERE local_id IS NOT NULL;
CREATE INDEX crm_sync_log_external ON crm_sync_log (workspace_id, connection_id, external_id, seq) WHERE external_id IS NOT NULL;
`.execute(db);
}
