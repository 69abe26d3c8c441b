import type { ColumnType, Generated } from 'kysely';

/** Tables of the import feature, kept out of schema.ts (shared) and merged into Database below. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;

export interface ImportRunTable {
  workspace_id: string;
  id: string;
  entity: string;
  preset: string;
  file_name: string | null;
  dry_run: boolean;
  status: string;
  mapping: Json;
  row_count: Generated<number>;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  skipped: Generated<number>;
  error_count: Generated<number>;
  message: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface ImportRunErrorTable {
  workspace_id: string;
  run_id: string;
  seq: number;
  row_number: number;
  column_name: string | null;
  value: string | null;
  reason: string;
}

export interface ImportExternalRefTable {
  workspace_id: string;
  entity: string;
  external_id: string;
  record_id: string;
}

declare module './schema.ts' {
  interface Database {
    import_run: ImportRunTable;
    import_run_error: ImportRunErrorTable;
    import_external_ref: ImportExternalRefTable;
  }
}
