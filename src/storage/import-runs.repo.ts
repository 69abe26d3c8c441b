import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { insertRows } from './import-bulk.repo.ts';
import type { ImportRunTable } from './schema-imports.ts';

export type ImportStats = { rows: number; inserted: number; updated: number; unchanged: number; skipped: number; errors: number };
export type ImportRun = {
  id: string; entity: string; preset: string; fileName: string | null; dryRun: boolean; status: 'running' | 'completed' | 'failed';
  mapping: Record<string, unknown>; stats: ImportStats; message: string | null; startedAt: Date; finishedAt: Date | null;
};
/** A row problem. A warning (a bad optional cell dropped, the row kept) is stored and reported like an error, its reason saying so. */
export type ImportRowError = { row: number; column: string | null; value: string | null; reason: string; warning?: boolean };

const toRun = (r: Selectable<ImportRunTable>): ImportRun => ({
  id: r.id, entity: r.entity, preset: r.preset, fileName: r.file_name, dryRun: r.dry_run, status: r.status as ImportRun['status'],
  mapping: r.mapping, message: r.message, startedAt: r.started_at, finishedAt: r.finished_at,
  stats: { rows: r.row_count, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, skipped: r.skipped, errors: r.error_count },
});

export async function insertImportRun(db: DbOrTrx, workspaceId: string, run: { id: string; entity: string; preset: string; fileName: string | null; dryRun: boolean; mapping: Record<string, unknown>; at: Date }): Promise<void> {
  await db.insertInto('import_run').values({
    workspace_id: workspaceId, id: run.id, entity: run.entity, preset: run.preset, file_name: run.fileName, dry_run: run.dryRun,
    status: 'running', mapping: JSON.stringify(run.mapping), message: null, started_at: run.at, finished_at: null,
  }).execute();
}

export async function finishImportRun(db: DbOrTrx, workspaceId: string, id: string, outcome: { status: 'completed' | 'failed'; stats: ImportStats; message: string | null; at: Date }): Promise<void> {
  const s = outcome.stats;
  await db.updateTable('import_run').set({
    status: outcome.status, row_count: s.rows, inserted: s.inserted, updated: s.updated, unchanged: s.unchanged, skipped: s.skipped,
    error_count: s.errors, message: outcome.message, finished_at: outcome.at,
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function getImportRun(db: DbOrTrx, workspaceId: string, id: string): Promise<ImportRun | null> {
  const row = await db.selectFrom('import_run').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toRun(row) : null;
}

/** Appends a chunk's row errors; `firstSeq` continues the run's numbering. */
export async function insertImportErrors(db: DbOrTrx, workspaceId: string, runId: string, firstSeq: number, errors: ImportRowError[]): Promise<void> {
  if (errors.length === 0) return;
  await insertRows(db, 'import_run_error', errors.map((e, i) => ({
    workspace_id: workspaceId, run_id: runId, seq: firstSeq + i, row_number: e.row, column_name: e.column, value: e.value, reason: e.reason,
  })));
}

/** One page of a run's errors in file order (seq > afterSeq), so a report of any size streams out. */
export async function listImportErrors(db: DbOrTrx, workspaceId: string, runId: string, afterSeq: number, limit: number): Promise<(ImportRowError & { seq: number })[]> {
  const rows = await db.selectFrom('import_run_error').selectAll().where('workspace_id', '=', workspaceId).where('run_id', '=', runId)
    .where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ seq: r.seq, row: r.row_number, column: r.column_name, value: r.value, reason: r.reason }));
}
