import { z } from 'zod';
import type { ImportSummary } from '../../app/import/csv-import.ts';
import type { ImportRun } from '../../storage/import-runs.repo.ts';

/** Fields of the multipart upload (besides the file part). */
export const importFields = z.strictObject({
  entity: z.string().describe('contacts | accounts | leads | opportunities | activities | contact_roles'),
  preset: z.enum(['auto', 'salesforce', 'hubspot', 'generic']).default('auto'),
  dry_run: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  mapping: z.string().max(10_000).optional().describe('Column overrides: a JSON object {"Column": "field"} or "Column=field,Other=-".'),
  strict: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1')
    .describe('Refuse a row with any bad cell; by default a bad optional cell (e.g. Employees = "seventy") is dropped with a warning and the row kept.'),
  score: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1').describe('Score the imported people under the active definition.'),
  qualify: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1')
    .describe('Open MQLs (routing, SLA, alerts) for imported people the active definition qualifies; by default they are scored and rated only.'),
});

const rowError = z.object({ row: z.number(), column: z.string().nullable(), value: z.string().nullable(), reason: z.string() });
const stats = { rows: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number(), skipped: z.number(), error_count: z.number() };

export const importSummaryDto = z.object({
  id: z.string(), entity: z.string(), preset: z.string(), dry_run: z.boolean(), ...stats,
  errors: z.array(rowError).describe('The first 100 row errors and warnings (a warning\'s reason starts with "warning:"); the full report is at errors_url.'),
  warning_count: z.number().describe('Bad optional cells dropped, rows kept.'),
  scoring: z.object({ definition_version: z.number().nullable(), scored: z.number(), qualified: z.number(), mqls: z.number() })
    .describe('Imported people scored under the active definition, how many qualify, and MQLs opened (only with qualify).'),
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
  unchanged: s.stats.unchanged, skipped: s.stats.skipped, error_count: s.stats.errors, errors: s.errors.map(({ warning: _w, ...e }) => e), errors_url: errorsUrl(s.runId),
  warning_count: s.warnings, scoring: { definition_version: s.scoring.definitionVersion, scored: s.scoring.scored, qualified: s.scoring.qualified, mqls: s.scoring.mqls },
  attribute_columns: s.attributeColumns, related: s.related, seconds: Math.round(s.seconds * 1000) / 1000, rows_per_second: s.rowsPerSecond,
});

export const toImportRunDto = (r: ImportRun): z.infer<typeof importRunDto> => ({
  id: r.id, entity: r.entity, preset: r.preset, file_name: r.fileName, dry_run: r.dryRun, status: r.status, rows: r.stats.rows,
  inserted: r.stats.inserted, updated: r.stats.updated, unchanged: r.stats.unchanged, skipped: r.stats.skipped, error_count: r.stats.errors,
  message: r.message, started_at: r.startedAt.toISOString(), finished_at: r.finishedAt?.toISOString() ?? null, errors_url: errorsUrl(r.id),
});
