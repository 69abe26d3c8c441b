import type { ColumnType, Generated } from 'kysely';

/** Row types of the hand-off tables, merged into Database (schema.ts stays untouched by features). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;

export interface RoutingConfigTable {
  workspace_id: string; version: number; rules: Json<unknown[]>; created_by: string | null; created_at: Timestamp;
}
export interface RoutingStateTable {
  workspace_id: string; team: string; credits: ColumnType<Record<string, number>, string | undefined, string>; updated_at: Generated<Date>;
}
export interface RepSettingsTable { workspace_id: string; user_id: string; weight: ColumnType<number, number | undefined, number>; capacity: number | null }
export interface TeamTable { workspace_id: string; name: string; calendar: ColumnType<Record<string, unknown> | null, string | null, string | null>; manager_id: string | null }
export interface AssignmentTable {
  workspace_id: string; id: string; lead_id: string; owner_id: string | null; previous_owner_id: string | null; queue: string | null;
  team: string | null; rule_index: number | null; rule_kind: string; explanation: string; trace: Json<string[]>;
  routing_version: number | null; actor_type: string; actor_id: string | null; note: string | null; at: Timestamp;
}
export interface SlaClockTable {
  workspace_id: string; id: string; lead_id: string; kind: string; owner_id: string | null; clock: Json; state: string;
  started_at: Timestamp; due_at: Timestamp; stopped_at: Timestamp | null; stop_reason: string | null;
}
export interface SlaEscalationTable {
  workspace_id: string; id: string; lead_id: string; clock_id: string; kind: string; step_index: number; action: string;
  recipient_id: string | null; from_owner_id: string | null; to_owner_id: string | null; queue: string | null; reason: string; at: Timestamp;
}
export interface AlertTable {
  workspace_id: string; id: string; user_id: string; lead_id: string; kind: string; title: string; body: string; context: Json;
  created_at: Timestamp; read_at: Timestamp | null; delivered_at: Timestamp | null; email_status: string | null; email_detail: string | null;
}
export interface WebhookTable {
  workspace_id: string; id: string; name: string; kind: string; url: string; secret: string;
  active: ColumnType<boolean, boolean | undefined, boolean>; created_at: Timestamp;
  event_types: ColumnType<string[], string[] | undefined, string[]>;
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  secret_rotated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export interface WebhookDeliveryTable {
  workspace_id: string; id: string; webhook_id: string; alert_id: string | null; event_id: ColumnType<string | null, string | null | undefined, string | null>;
  attempt: number; status: string;
  response_code: number | null; duration_ms: number; error: string | null; at: Timestamp; response_snippet: string | null;
}

export interface WebhookEventTable {
  workspace_id: string; id: string; type: string; payload: Json; created_at: Timestamp;
}

declare module './schema.ts' {
  interface Database {
    routing_config: RoutingConfigTable;
    routing_state: RoutingStateTable;
    rep_settings: RepSettingsTable;
    team: TeamTable;
    assignment: AssignmentTable;
    sla_clock: SlaClockTable;
    sla_escalation: SlaEscalationTable;
    alert: AlertTable;
    webhook: WebhookTable;
    webhook_delivery: WebhookDeliveryTable;
    webhook_event: WebhookEventTable;
  }
}
