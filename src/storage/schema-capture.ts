import type { ColumnType, Generated } from 'kysely';

/** Capture tables (migration 2026-11-22-10-capture), added to the Database interface by augmentation. */
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;
type JsonArray = ColumnType<unknown[], string | undefined, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DeadLetterTable {
  workspace_id: string;
  id: string;
  received_at: Timestamp;
  channel: string;
  stage: string;
  reason: string;
  message_id: string | null;
  message_type: string | null;
  details: JsonArray;
  payload: ColumnType<unknown, string | null, string | null>;
}

export interface ProcessedMessageTable {
  workspace_id: string;
  message_id: string;
  type: string;
  received_at: Generated<Date>;
}

export interface IdentityConflictTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  other_contact_id: string | null;
  kind: string;
  value: string;
  reason: string;
  message_id: string | null;
  at: Timestamp;
}

export type { Json as CaptureJson };

declare module './schema.ts' {
  interface Database {
    dead_letter: DeadLetterTable;
    processed_message: ProcessedMessageTable;
    identity_conflict: IdentityConflictTable;
  }
}
