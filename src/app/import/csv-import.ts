import { csvLines } from '../../core/csv.ts';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { fail, ok, type Result } from '../../core/result.ts';
import type { Trx } from '../../storage/db.ts';
import { newId } from '../../storage/ids.ts';
import { checkReferencesByChunk, chunkReferenceChecksAvailable, lockWorkspaceForImport } from '../../storage/import-bulk.repo.ts';
import { finishImportRun, getImportRun, insertImportErrors, insertImportRun, listImportErrors, type ImportRowError, type ImportRun, type ImportStats } from '../../storage/import-runs.repo.ts';
import { listReasonCodes } from '../../storage/reasons.repo.ts';
import { analyzeAfterBulkLoad } from '../../storage/bulk.repo.ts';
import { analyzeTables } from '../../storage/statistics.repo.ts';
import type { Database } from '../../storage/schema.ts';
import type { AppDeps } from '../context.ts';
import { importAccounts } from './accounts.importer.ts';
import { importActivities } from './activities.importer.ts';
import { importContacts } from './contacts.importer.ts';
import { csvChunks, scanCsv, type CsvRow } from './csv-source.ts';
import { type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { importEntities, planColumns, presetNames, type ImportEntity, type ImportPlan } from './import-presets.ts';
import { droppableFields, rowSchemas } from './import-rows.schema.ts';
import { importContactRoles } from './contact-roles.importer.ts';
import { withAudit } from '../audit.ts';
import { withTransaction } from '../transaction.ts';
import { scoreImportedPeople, type ImportScoring } from './score-imported.ts';
import { importLeads } from './leads.importer.ts';
import { importOpportunities } from './opportunities.importer.ts';

export type ImportSummary = {
  runId: string; entity: ImportEntity; preset: string; dryRun: boolean; stats: ImportStats;
  /** The first errors and warnings (the full list is the run's error report). */
  errors: ImportRowError[]; warnings: number; attributeColumns: string[]; related: Record<string, number>; seconds: number; rowsPerSecond: number;
  /** Imported people scored under the active definition, how many qualify, how many MQLs that opened (only with `qualify`). */
  scoring: ImportScoring;
};

export type CsvImportOptions = {
  entity: string; preset?: string; mapping?: Record<string, string>; dryRun?: boolean; fileName?: string | null; chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Each chunk's row errors, in file order (the CLI appends them to --errors FILE). */
  onErrors?: (errors: ImportRowError[]) => Promise<void> | void;
  /** Refuse a row with any bad cell (today's behaviour); by default a bad optional cell is dropped with a warning. */
  strict?: boolean;
  /** Score the imported people (default true) and, with `qualify`, open MQLs for those the active definition qualifies (default false). */
  score?: boolean;
  qualify?: boolean;
  /** false: leave every reference to the per-row foreign-key checks (the equivalence test compares both ways). */
  chunkChecks?: boolean;
};

const importers: { [E in ImportEntity]: (trx: Trx, ctx: ImportContext, rows: ImportRow<E>[]) => Promise<ChunkOutcome> } = {
  contacts: importContacts, accounts: importAccounts, leads: importLeads, opportunities: importOpportunities, activities: importActivities,
  contact_roles: importContactRoles,
};
const ERRORS_IN_SUMMARY = 100;

// The tables each import writes (triggers' summaries and scoring included), for its ANALYZE points.
const scoringTables = ['contact_score', 'score_event'] as const;
const leadTables = ['lead', 'stage_transition', 'lead_stage_summary', 'import_external_ref'] as const;
const writtenTables: { [E in ImportEntity]: readonly (keyof Database)[] } = {
  contacts: ['contact', 'contact_identity', 'account', ...leadTables, ...scoringTables],
  leads: ['contact', 'contact_identity', 'account', ...leadTables, ...scoringTables],
  accounts: ['account'],
  activities: ['activity', 'contact', 'contact_identity', ...scoringTables],
  opportunities: ['opportunity', 'opportunity_stage_change', 'opportunity_lead', 'opportunity_lead_event', 'account', ...leadTables, ...scoringTables],
  contact_roles: ['opportunity_contact_role', 'opportunity_lead', 'opportunity_lead_event', ...leadTables, ...scoringTables],
};

/**
 * When an import ANALYZEs what it writes: after its first chunk, then each time the rows it has
 * written doubled since the last time (about log2(rows / chunk) times: 10 for 1M rows in chunks of
 * 2,000). Without it, tables filled by the import keep the statistics they had before it (none for a
 * new workspace's tables while autovacuum is off or has not come yet), and the lookups of later
 * chunks and the foreign-key checks' cached plans pick indexes for an empty table: every chunk then
 * scans what the earlier ones wrote, and the import slows down as it goes.
 */
export function dueForAnalyze(rowsWritten: number, rowsAtLastAnalyze: number): boolean {
  return rowsWritten > 0 && (rowsAtLastAnalyze === 0 || rowsWritten >= 2 * rowsAtLastAnalyze);
}
class DryRunRollback extends Error {}

/**
 * Imports one CSV file. Two passes over the stream: the first checks the structure (UTF-8, CSV
 * syntax, header, required columns) and refuses a broken file before anything is written; the
 * second validates each row with zod and writes chunks of `chunkSize` rows with set-based SQL, one
 * transaction per chunk, so memory stays flat for any file size. A bad row is reported, never fatal.
 * A dry run does the same work inside one transaction that is rolled back: the counts are exact and
 * nothing but the run record (flagged dry_run, with its error report) is kept.
 */
export async function importCsv(deps: AppDeps, workspaceId: string, open: () => Readable, options: CsvImportOptions): Promise<Result<ImportSummary>> {
  const entity = z.enum(importEntities).safeParse(options.entity);
  if (!entity.success) return fail('ValidationFailed', `Unknown import entity '${options.entity}'. Use one of: ${importEntities.join(', ')}.`, [{ path: 'entity', message: 'unknown entity' }]);
  const preset = z.enum([...presetNames, 'auto']).safeParse(options.preset ?? 'auto');
  if (!preset.success) return fail('ValidationFailed', `Unknown preset '${options.preset}'. Use one of: salesforce, hubspot, generic, auto.`, [{ path: 'preset', message: 'unknown preset' }]);
  const scan = await scanCsv(open());
  if (!scan.ok) return scan;
  const plan = planColumns(entity.data, scan.value.headers, preset.data, options.mapping ?? {});
  if (!plan.ok) return plan;

  const started = deps.clock.now();
  const t0 = performance.now();
  const score = options.score ?? true;
  const ctx: ImportContext = {
    workspaceId, preset: plan.value.preset, plan: plan.value, taxonomy: await listReasonCodes(deps.db, workspaceId), now: started,
    score: score ? { qualify: options.qualify ?? false } : null,
    // Not with `qualify`: live qualification writes hand-off and nurture tables (and jobs) outside the checked set.
    chunkChecks: entity.data === 'contacts' && !(score && options.qualify) && options.chunkChecks !== false && await chunkReferenceChecksAvailable(deps.db),
  };
  const begin = async (trx: Trx) => {
    await lockWorkspaceForImport(trx, workspaceId);
    if (ctx.chunkChecks) await checkReferencesByChunk(trx, workspaceId);
  };
  const runId = newId(started.getTime());
  const dryRun = options.dryRun ?? false;
  const mapping = Object.fromEntries(plan.value.columns.map((c) => [c.header, c.field ?? (c.attribute ? `attributes.${c.attribute}` : null)]));
  await withAudit(deps, (trx) => insertImportRun(trx, workspaceId, {
    id: runId, entity: entity.data, preset: plan.value.preset, fileName: options.fileName ?? null, dryRun, at: started, mapping,
  }), () => (dryRun ? null : {
    workspaceId, action: 'import.started', object: { type: 'import', id: runId }, at: started,
    after: { entity: entity.data, preset: plan.value.preset, fileName: options.fileName ?? null, rows: scan.value.rows, mapping, qualify: options.qualify ?? false },
  }));
  const stats: ImportStats = { rows: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, errors: 0 };
  const firstErrors: ImportRowError[] = [];
  const related: Record<string, number> = {};
  const scoring: ImportScoring = { definitionVersion: null, scored: 0, qualified: 0, mqls: 0 };
  let warnings = 0;
  let analyzedAt = 0;

  const processAll = async (inChunk: (work: (trx: Trx) => Promise<ChunkOutcome>) => Promise<ChunkOutcome>) => {
    // The next chunk is read and validated while the database writes the current one.
    const chunks = csvChunks(open(), options.chunkSize ?? 2000)[Symbol.asyncIterator]();
    const prepare = async () => {
      const r = await chunks.next();
      return r.done ? null : { chunk: r.value, ...validateChunk(entity.data, plan.value, r.value, options.strict ?? false) };
    };
    let upcoming = prepare();
    for (;;) {
      const current = await upcoming;
      if (!current) break;
      upcoming = prepare();
      upcoming.catch(() => {}); // awaited on the next turn; a read error surfaces there
      const { chunk, valid, errors } = current;
      const outcome = await inChunk(async (trx) => {
        const done = await (importers[entity.data] as (t: Trx, c: ImportContext, r: ImportRow<ImportEntity>[]) => Promise<ChunkOutcome>)(trx, ctx, valid);
        // Scored in the chunk's transaction: a chunk is either imported and scored, or absent. Counted once it
        // committed (below): a chunk cancelled as a deadlock victim runs again.
        if (!done.scoring && score) done.scoring = await scoreImportedPeople(trx, workspaceId, done.contactIds, { qualify: options.qualify ?? false, now: started, created: done.newContactIds });
        // In the chunk's transaction (it samples the chunk's own rows; in a dry run there is no other).
        const written = stats.rows + chunk.length;
        if (dueForAnalyze(written, analyzedAt)) {
          await analyzeTables(trx, writtenTables[entity.data], { quick: true });
          analyzedAt = written;
        }
        return done;
      });
      if (outcome.scoring) addScoring(scoring, outcome.scoring);
      const all = [...errors, ...outcome.errors].sort((a, b) => a.row - b.row);
      await insertImportErrors(deps.db, workspaceId, runId, stats.errors + warnings + 1, all);
      await options.onErrors?.(all);
      firstErrors.push(...all.slice(0, ERRORS_IN_SUMMARY - firstErrors.length));
      stats.rows += chunk.length;
      stats.inserted += outcome.inserted;
      stats.updated += outcome.updated;
      stats.unchanged += outcome.unchanged;
      stats.skipped += outcome.skipped + new Set(errors.flatMap((e) => (e.warning ? [] : [e.row]))).size;
      const warned = all.filter((e) => e.warning).length;
      warnings += warned;
      stats.errors += all.length - warned;
      for (const [k, n] of Object.entries(outcome.related)) related[k] = (related[k] ?? 0) + n;
      options.onProgress?.(stats.rows, scan.value.rows);
    }
  };

  try {
    if (dryRun) {
      // One transaction for the whole file, not retried: processAll counts as it goes, so a second attempt would
      // count the file twice (a dry run cancelled as a deadlock victim fails, and is run again by hand).
      await deps.db.transaction().execute(async (trx) => {
        await begin(trx);
        await processAll((work) => work(trx));
        throw new DryRunRollback();
      }).catch((e) => { if (!(e instanceof DryRunRollback)) throw e; });
    } else {
      // Each chunk is its own transaction, run again if PostgreSQL cancels it as a deadlock victim (live ingest
      // locks the same contacts and leads; withTransaction retries): without that the import stopped half-way.
      await processAll((work) => withTransaction(deps, async (trx) => {
        await begin(trx);
        return work(trx);
      }));
    }
  } catch (e) {
    await finishImportRun(deps.db, workspaceId, runId, { status: 'failed', stats, message: e instanceof Error ? e.message : String(e), at: deps.clock.now() });
    throw e;
  }
  await withAudit(deps, (trx) => finishImportRun(trx, workspaceId, runId, { status: 'completed', stats, message: null, at: deps.clock.now() }), () => (dryRun ? null : { workspaceId, action: 'import.completed', object: { type: 'import', id: runId }, after: { ...stats }, at: deps.clock.now() }));
  // Full statistics once the import is done (its ANALYZE points took a small sample).
  if (!dryRun) await analyzeAfterBulkLoad(deps.db, writtenTables[entity.data]);
  const seconds = (performance.now() - t0) / 1000;
  return ok({
    runId, entity: entity.data, preset: plan.value.preset, dryRun, stats, errors: firstErrors, warnings, attributeColumns: plan.value.attributeColumns, related,
    scoring, seconds, rowsPerSecond: Math.round(stats.rows / Math.max(seconds, 0.001)),
  });
}

function addScoring(total: ImportScoring, chunk: ImportScoring): void {
  total.definitionVersion = chunk.definitionVersion ?? total.definitionVersion;
  total.scored += chunk.scored;
  total.qualified += chunk.qualified;
  total.mqls += chunk.mqls;
}

type Issue = { field: string; message: string };

function validateChunk(entity: ImportEntity, plan: ImportPlan, chunk: CsvRow[], strict: boolean): { valid: ImportRow<ImportEntity>[]; errors: ImportRowError[] } {
  const schema = rowSchemas[entity];
  const valid: ImportRow<ImportEntity>[] = [];
  const errors: ImportRowError[] = [];
  const width = plan.columns.length;
  const report = (r: CsvRow, issue: Issue, warning: boolean) => {
    const index = plan.fields.get(issue.field);
    errors.push({
      row: r.row, column: index === undefined ? issue.field || null : plan.columns[index]!.header, value: index === undefined ? null : r.values[index] ?? null,
      reason: warning ? `warning: ${issue.message}; the cell was dropped and the row kept (strict mode refuses the row)` : issue.message, ...(warning ? { warning } : {}),
    });
  };
  for (const r of chunk) {
    const extra = r.values.slice(width).some((v) => v.trim() !== '');
    if (r.values.length < width || extra) {
      errors.push({ row: r.row, column: null, value: null, reason: `the row has ${r.values.length} cells; the header has ${width} columns` });
      continue;
    }
    const input: Record<string, string> = {};
    const attributes: Record<string, string> = {};
    for (const c of plan.columns) {
      const cell = r.values[c.index] ?? '';
      if (c.field) input[c.field] = cell;
      else if (c.attribute && cell.trim() !== '') attributes[c.attribute] = cell.trim();
    }
    let parsed = schema.safeParse(input);
    let issues: Issue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
    // Not strict: bad optional cells are blanked and the row parsed again; any other issue refuses it.
    const dropped = strict ? [] : issues.filter((i) => droppableFields.has(i.field));
    if (!parsed.success && dropped.length && dropped.length === issues.length) {
      for (const i of dropped) input[i.field] = '';
      parsed = schema.safeParse(input);
      issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
      if (parsed.success) for (const i of dropped) report(r, i, true);
    }
    if (parsed.success) {
      valid.push({ row: r.row, values: parsed.data, attributes, raw: r.values } as ImportRow<ImportEntity>);
      continue;
    }
    for (const issue of issues) report(r, issue, false);
  }
  return { valid, errors };
}

export async function findImportRun(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ImportRun>> {
  const run = await getImportRun(deps.db, workspaceId, id);
  return run ? ok(run) : fail('NotFound', `Import run ${id} not found in this workspace.`);
}

export const ERROR_REPORT_HEADER = 'row,column,value,reason\r\n';
// The value column echoes the uploaded file: formula-guarded like every CSV Leadloop writes.
export const errorReportLine = (e: ImportRowError) => csvLines([[e.row, e.column, e.value, e.reason]]);

/** The error report of a run as CSV lines, read page by page (a report of any size streams out). */
export async function* importErrorReport(deps: AppDeps, workspaceId: string, runId: string): AsyncGenerator<string> {
  yield ERROR_REPORT_HEADER;
  let after = 0;
  for (;;) {
    const page = await listImportErrors(deps.db, workspaceId, runId, after, 5000);
    if (page.length === 0) return;
    yield page.map(errorReportLine).join('');
    after = page[page.length - 1]!.seq;
  }
}
