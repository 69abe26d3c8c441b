import type { ColumnType } from 'kysely';

/** Row type of the append-only audit log (migration 2026-12-03-10-audit-log), merged into Database. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type JsonValue = ColumnType<unknown, string | null, never>;

export interface AuditLogTable {
  workspace_id: string;
  id: string;
  at: Timestamp;
  actor_kind: string;
  actor_id: string | null;
  actor_key_id: string | null;
  actor_label: string;
  action: string;
  object_type: string;
  object_id: string | null;
  before: JsonValue;
  after: JsonValue;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
}

declare module './schema.ts' {
  interface Database {
    audit_log: AuditLogTable;
  }
}
