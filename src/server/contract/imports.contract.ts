import { z } from 'zod';
import type { ImportSummary } from '../../app/import/csv-import.ts';
import type { ImportRun } from '../../storage/import-runs.repo.ts';

/** Fields of the multipart upload (besides the file part). */
export const importFields = z.strictObject({
  entity: z.string().describe('contacts | accounts | leads | opportunities | activities'),
  preset: z.enum(['auto', 'salesforce', 'hubspot', 'generic']).default('auto'),
  dry_run: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  mapping: z.string().max(10_000).optional().describe('Column overrides: a JSON object {"Column": "field"} or "Column=field,Other=-".'),
});

const rowError = z.object({ row: z.number(), column: z.string().nullable(), value: z.string().nullable(), reason: z.string() });
const stats = { rows: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number(), skipped: z.number(), error_count: z.number() };

export const importSummaryDto = z.object({
  id: z.string(), entity: z.string(), preset: z.string(), dry_run: z.boolean(), ...stats,
  errors: z.array(rowError).describe('The first 100 row errors; the full report is at errors_url.'),
  errors_url: z.string(), attribute_columns: z.array(z.string()).describe('Unmapped columns, kept as custom attributes.'),
  related: z.record(z.string(), z.number()).describe('Records created on the side (accounts_created, contacts_created, ...).'),
  seconds: z.number(), rows_per_second: z.number(),
}).meta({ id: 'ImportSummary' });

export const importRunDto = z.object({
  id: z.string(), entity: z.string(), preset: z.string(), file_name: z.string().nullable(), dry_run: z.boolean(), status: z.string(), ...stats,
  message: z.string().nullable(), started_at: z.string(), finished_at: z.string().nullable(), errors_url: z.string(),
}).meta({ id: 'ImportRun' });

const errorsUrl = (id: string) => `/api/v1/imports/${id}/errors.csv`;

export const toImportSummaryDto = (s: ImportSummary): z.infer<typeof importSummaryDto> => ({
  id: s.runId, entity: s.entity, preset: s.preset, dry_run: s.dryRun, rows: s.stats.rows, inserted: s.stats.inserted, updated: s.stats.updated,
  unchanged: s.stats.unchanged, skipped: s.stats.skipped, error_count: s.stats.errors, errors: s.errors, errors_url: errorsUrl(s.runId),
  attribute_columns: s.attributeColumns, related: s.related, seconds: Math.round(s.seconds * 1000) / 1000, rows_per_second: s.rowsPerSecond,
});

export const toImportRunDto = (r: ImportRun): z.infer<typeof importRunDto> => ({
  id: r.id, entity: r.entity, preset: r.preset, file_name: r.fileName, dry_run: r.dryRun, status: r.status, rows: r.stats.rows,
  inserted: r.stats.inserted, updated: r.stats.updated, unchanged: r.stats.unchanged, skipped: r.stats.skipped, error_count: r.stats.errors,
  message: r.message, started_at: r.startedAt.toISOString(), finished_at: r.finishedAt?.toISOString() ?? null, errors_url: errorsUrl(r.id),
});
