import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ERROR_REPORT_HEADER, errorReportLine, importCsv, type ImportSummary } from '../app/import/csv-import.ts';
import { importEntities, parseMapping } from '../app/import/import-presets.ts';
import { importOlist, OLIST_WORKSPACE_NAME } from '../app/import/olist-import.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { Config } from '../config.ts';
import { progressBar } from './progress.ts';
import { withRuntime } from './runtime.ts';

/** An expected failure: printed as one line, exit code 1, no stack. */
function failWith(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

/** Progress with a rate: imports run long enough that rows/s is the number people watch. */
function rateBar(label: string) {
  const bar = progressBar(label);
  const t0 = Date.now();
  return {
    update(done: number, total: number, what: string) {
      const seconds = Math.max((Date.now() - t0) / 1000, 0.001);
      bar.update(done, total, `${what} | ${Math.round(done / seconds).toLocaleString('en-US')} rows/s`);
    },
    stop() { bar.stop(); },
  };
}

type CsvOptions = {
  preset: string; map?: string; dryRun?: boolean; errors?: string; workspace?: string; chunkSize: string; json?: boolean; strict?: boolean; qualify?: boolean; score: boolean;
};

function printSummary(s: ImportSummary, errorsFile: string | undefined) {
  const st = s.stats;
  console.log(`${s.dryRun ? 'Dry run (nothing written): ' : ''}${s.entity} from ${s.preset} format — ${st.rows} rows in ${s.seconds.toFixed(1)} s (${s.rowsPerSecond.toLocaleString('en-US')} rows/s)`);
  console.log(`  ${s.dryRun ? 'would insert' : 'inserted'} ${st.inserted}, ${s.dryRun ? 'would update' : 'updated'} ${st.updated}, unchanged ${st.unchanged}, skipped ${st.skipped}, errors ${st.errors}, warnings ${s.warnings}`);
  const sc = s.scoring;
  console.log(sc.definitionVersion === null ? '  not scored (no active lead definition, or --no-score)'
    : `  scored ${sc.scored} people under definition v${sc.definitionVersion}: ${sc.qualified} qualify${sc.mqls ? `, ${sc.mqls} MQLs opened` : ''}`);
  for (const [k, n] of Object.entries(s.related)) console.log(`  ${k.replace(/_/g, ' ')}: ${n}`);
  if (s.attributeColumns.length) console.log(`  kept as custom attributes: ${s.attributeColumns.join(', ')}`);
  for (const e of s.errors.slice(0, 10)) console.log(`  row ${e.row}${e.column ? ` [${e.column}]` : ''}: ${e.reason}${e.value ? ` (value: ${JSON.stringify(e.value)})` : ''}`);
  if (st.errors + s.warnings > 10) console.log(`  ... ${st.errors + s.warnings - 10} more`);
  if (st.errors || s.warnings) console.log(`  error report: ${errorsFile ?? `GET /api/v1/imports/${s.runId}/errors.csv (or run again with --errors FILE)`}`);
  console.log(`  import run: ${s.runId}`);
}

async function runCsvImport(program: Command, config: () => Config, entity: string, file: string, opts: CsvOptions) {
  if (!existsSync(file)) failWith(`${file} not found.`);
  const mapping = parseMapping(opts.map);
  if (!mapping.ok) failWith(mapping.message);
  await withRuntime(config(), async (rt) => {
    const ws = await resolveWorkspace(rt.deps, opts.workspace ?? program.opts().workspace);
    if (!ws.ok) failWith(ws.message);
    let out: WriteStream | null = null;
    const bar = rateBar(`Import ${entity}`);
    const result = await importCsv(rt.deps, ws.value.id, () => createReadStream(file), {
      entity, preset: opts.preset, mapping: mapping.value, dryRun: opts.dryRun ?? false, fileName: path.basename(file), chunkSize: Number(opts.chunkSize),
      strict: opts.strict ?? false, score: opts.score, qualify: opts.qualify ?? false,
      onProgress: (d, t) => bar.update(d, t, 'rows'),
      onErrors: async (errors) => {
        if (!opts.errors) return;
        if (!out) { out = createWriteStream(opts.errors); out.write(ERROR_REPORT_HEADER); }
        for (const e of errors) if (!out.write(errorReportLine(e))) await new Promise<void>((r) => out!.once('drain', () => r()));
      },
    });
    bar.stop();
    if (opts.errors && !out) { out = createWriteStream(opts.errors); out.write(ERROR_REPORT_HEADER); }
    if (out) await new Promise<void>((r) => (out as WriteStream).end(() => r()));
    if (!result.ok) failWith(result.message);
    if (opts.json) console.log(JSON.stringify(result.value));
    else printSummary(result.value, opts.errors);
  });
}

/** `leadloop import ...`: CSV files and CRM exports, and the Olist data set. */
export function registerImportCommands(program: Command, config: () => Config): void {
  const imports = program.command('import').description('Import CSV files (Salesforce / HubSpot exports) or the Olist data set')
    .argument('[entity]').argument('[file]')
    .action((entity?: string) => failWith(entity
      ? `Unknown import entity '${entity}'. Use one of: ${importEntities.join(', ')}, olist.`
      : `Say what to import: leadloop import <${importEntities.join('|')}> FILE, or leadloop import olist DIR.`));

  for (const entity of importEntities) {
    imports.command(entity).argument('<file>', 'CSV file (UTF-8)')
      .description(`Import ${entity} from a CSV file (Salesforce/HubSpot exports or Leadloop field names)`)
      .option('--preset <name>', 'salesforce | hubspot | generic | auto (detected from the header)', 'auto')
      .option('--map <pairs>', 'column mapping overrides: "Column A=email,Column B=-" (- ignores a column)')
      .option('--dry-run', 'validate and count what would happen; write nothing')
      .option('--errors <file>', 'write the per-row error report (CSV: row, column, value, reason) to this file')
      .option('-w, --workspace <name>', 'workspace to import into')
      .option('--chunk-size <n>', 'rows per transaction', '2000')
      .option('--strict', 'refuse a row with any bad cell (default: a bad optional cell is dropped with a warning and the row kept)')
      .option('--qualify', 'open MQLs (routing, SLA, alerts) for imported people the active definition qualifies (default: score and rate only)')
      .option('--no-score', 'do not score the imported people')
      .option('--json', 'print the summary as one JSON line')
      .action((file: string, opts: CsvOptions) => runCsvImport(program, config, entity, file, opts));
  }

  imports.command('olist').argument('<dir>', 'folder with the Olist marketing funnel CSV files')
    .description(`Load the Olist marketing funnel (default workspace '${OLIST_WORKSPACE_NAME}', created if missing)`)
    .option('-w, --workspace <name>', 'workspace to load into')
    .action(async (dir: string, opts: { workspace?: string }) => {
      const workspaceName = opts.workspace ?? program.opts().workspace;
      await withRuntime(config(), async (rt) => {
        const bar = rateBar('Olist');
        const t0 = Date.now();
        const result = await importOlist(rt.deps, dir, { workspaceName, onProgress: (d, t, p) => bar.update(d, t, p) });
        bar.stop();
        if (!result.ok) failWith(result.message);
        const r = result.value;
        console.log(`Olist loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s into workspace ${r.workspaceId}: ${r.mqls} MQLs, ${r.deals} won deals, ${r.skipped} rows skipped.`);
      });
    });
}
