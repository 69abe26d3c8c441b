import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importPeriodCostsCsv } from '../app/costs.ts';
import { reportToCsv } from '../app/reports/report-csv.ts';
import { groupings, reportNames, reportQuerySchema, type ReportEnvelope, type ReportName } from '../app/reports/report.types.ts';
import { runReport } from '../app/reports/reports.ts';
import type { Config } from '../config.ts';
import { inWorkspace, refuse } from './runtime.ts';

/** A readable table of the report's rows, then its notes. */
export function formatReportText(report: ReportEnvelope): string {
  const cells = report.rows.map((r) => report.columns.map((c) => {
    const v = r[c];
    return v === null || v === undefined ? '–' : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v);
  }));
  const widths = report.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`${report.report}: ${report.period.from.slice(0, 10)} … ${report.period.to_inclusive} by ${report.filters.by}`, '', line(report.columns), ...cells.map(line), ''];
  for (const note of report.notes) out.push(`• ${note}`);
  if (report.definition_versions.length) out.push(`Definition versions: ${report.definition_versions.map((d) => `v${d.version} ${d.name}`).join(', ')}`);
  return out.join('\n');
}

/** Reports owned by other features, printed their own way: `leadloop report sla`, `leadloop report nurture`. */
export type ExtraReport = (config: Config, workspace: string | undefined, opts: { from?: string; to?: string; json?: boolean; csv?: boolean }) => Promise<void>;

/** `leadloop report NAME` (one command for every report) and `leadloop costs import FILE`. */
export function registerReportCommands(program: Command, config: () => Config, extras: Record<string, ExtraReport> = {}): void {
  const allNames = [...reportNames, ...Object.keys(extras)];
  program.command('report').argument('<name>', allNames.join(' | '))
    .description('Print a report (a table by default, --json or --csv for machines)')
    .option('--from <date>', "first day (YYYY-MM-DD) or month (YYYY-MM); default 12 months before --to")
    .option('--to <date>', 'last day, inclusive (YYYY-MM-DD) or month (YYYY-MM); default today')
    .option('--by <grouping>', groupings.join(' | '))
    .option('--model <model>', 'attribution model for marketing share (attribution report)')
    .option('--markov-order <k>', 'order of the Markov chain, 1–4 (attribution report; default 1)')
    .option('--json', 'print the full JSON report')
    .option('--csv', 'print the table as CSV')
    .action(async (name: string, opts: { from?: string; to?: string; by?: string; model?: string; markovOrder?: string; json?: boolean; csv?: boolean }) => {
      const extra = extras[name];
      if (extra) return extra(config(), program.opts().workspace, opts);
      if (!(reportNames as readonly string[]).includes(name)) return refuse(`Unknown report '${name}'. Use one of: ${allNames.join(', ')}.`);
      const query = reportQuerySchema.safeParse({ from: opts.from, to: opts.to, by: opts.by, model: opts.model, markov_order: opts.markovOrder });
      if (!query.success) return refuse(query.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      await inWorkspace(config(), program.opts().workspace, async (rt, workspaceId) => {
        const result = await runReport(rt.deps, workspaceId, name as ReportName, query.data);
        if (!result.ok) return refuse(result.message);
        if (opts.json) console.log(JSON.stringify(result.value, null, 2));
        else if (opts.csv) process.stdout.write(reportToCsv(result.value));
        else console.log(formatReportText(result.value));
      });
    });

  const costs = program.command('costs').description('Sales and marketing costs per month');
  costs.command('import').argument('<file>', 'CSV with a header: period_start (YYYY-MM), category (marketing|sales), amount[, currency, note]')
    .description('Import period costs (a month and category already present is replaced)')
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        return refuse(`Cannot read ${file}: ${(e as Error).message}`);
      }
      await inWorkspace(config(), program.opts().workspace, async (rt, workspaceId) => {
        const result = await importPeriodCostsCsv(rt.deps, workspaceId, text);
        if (!result.ok) {
          refuse(result.message);
          for (const d of result.details.slice(0, 20)) console.error(`  ${d.path}: ${d.message}`);
          return;
        }
        console.log(`Imported ${result.value.rows} period cost row(s).`);
      });
    });
}
