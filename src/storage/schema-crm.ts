import type { ColumnType } from 'kysely';

/** CRM connector tables (migration 2026-12-03-70), added to the Database interface by augmentation. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface CrmConnectionTable {
  workspace_id: string;
  id: string;
  provider: 'salesforce' | 'hubspot';
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_at: Timestamp | null;
  settings: Json<Record<string, unknown>>;
  credentials: string;
  mapping: Json<Record<string, unknown>>;
  mapping_version: number;
  cursors: Json<Record<string, string>>;
  push_since: Timestamp;
  last_sync_at: Timestamp | null;
  api_usage: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CrmMappingVersionTable {
  workspace_id: string;
  connection_id: string;
  version: number;
  mapping: Json<Record<string, unknown>>;
  created_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
}

export interface CrmRecordLinkTable {
  workspace_id: string;
  connection_id: string;
  object_type: string;
  external_id: string;
  local_kind: 'lead' | 'contact' | 'account' | 'opportunity' | 'user';
  local_id: string;
  remote_stamp: string | null;
  pushed_at: Timestamp | null;
  pushed_state: Json<Record<string, unknown>> | null;
  /** What the CRM record last looked like (migration 2026-12-04-10), so a pull acts only on changes. */
  remote_state: Json<Record<string, unknown>> | null;
}

/** A pending OAuth web-server authorization (migration 2026-12-04-11). */
export interface CrmOauthRequestTable {
  workspace_id: string;
  state_hash: string;
  provider: 'salesforce';
  session_hash: string;
  user_id: string | null;
  sealed: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface CrmSyncRunTable {
  workspace_id: string;
  id: string;
  connection_id: string;
  dry_run: boolean;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  outcome: 'ok' | 'partial' | 'failed' | 'paused' | null;
  counts: Json<Record<string, number>>;
  error: string | null;
}

export interface CrmSyncLogTable {
  workspace_id: string;
  id: string;
  connection_id: string;
  run_id: string;
  direction: 'push' | 'pull';
  object_type: string;
  external_id: string | null;
  local_id: string | null;
  action: string;
  outcome: 'changed' | 'unchanged' | 'failed' | 'skipped' | 'would_change';
  error: string | null;
  attempt: number;
  at: Timestamp;
  seq: ColumnType<string, never, never>;
}

declare module './schema.ts' {
  interface Database {
    crm_connection: CrmConnectionTable;
    crm_mapping_version: CrmMappingVersionTable;
    crm_record_link: CrmRecordLinkTable;
    crm_oauth_request: CrmOauthRequestTable;
    crm_sync_run: CrmSyncRunTable;
    crm_sync_log: CrmSyncLogTable;
  }
}
