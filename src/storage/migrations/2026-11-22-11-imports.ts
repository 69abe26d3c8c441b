import { sql, type Kysely } from 'kysely';

/**
 * Frozen. CSV/CRM imports: one row per run with its stats, the per-row errors of each run (the
 * downloadable error report), and the external ids of imported rows whose table has no column
 * for one (leads), so that importing the same file twice finds what the first run wrote.
 *
 * Kysely applies pending migrations in name order, and this name sorts before
 * '2026-11-22-system-of-record'; so this migration references no table of another migration
 * (no foreign key to workspace), which keeps it correct in any order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE import_run (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  entity text NOT NULL CHECK (entity IN ('contacts','accounts','leads','opportunities','activities','olist')),
  preset text NOT NULL,
  file_name text,
  dry_run boolean NOT NULL DEFAULT false,
  status text NOT NULL CHECK (status IN ('running','completed','failed')),
  mapping jsonb NOT NULL DEFAULT '{}',
  row_count integer NOT NULL DEFAULT 0,
  inserted integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  error_count integer NOT NULL DEFAULT 0,
  message text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE import_run_error (
  workspace_id uuid NOT NULL,
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  row_number integer NOT NULL,
  column_name text,
  value text,
  reason text NOT NULL,
  PRIMARY KEY (workspace_id, run_id, seq),
  FOREIGN KEY (workspace_id, run_id) REFERENCES import_run(workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE import_external_ref (
  workspace_id uuid NOT NULL,
  entity text NOT NULL,
  external_id text NOT NULL,
  record_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, entity, external_id)
);
`.execute(db);
}
