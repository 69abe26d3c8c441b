import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { backtestAgainstActive, type BacktestComparison } from '../app/definitions/backtest-definition.ts';
import { validateDefinitionInput } from '../app/definitions/definition-lifecycle.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { BacktestReport } from '../core/definitions/backtest.ts';
import type { Config } from '../config.ts';
import { openRuntime } from '../main.ts';
import { progressBar } from './progress.ts';

function instant(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be a date or date-time, e.g. 2026-01-01 or 2026-01-01T00:00:00Z');
  return d;
}

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

const pct = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}%` : '–');

function summaryLines(label: string, r: BacktestReport): string[] {
  return [
    `${label}: ${r.definitionName}`,
    `  MQLs ${r.mqls} (${r.viaHandRaise} by hand-raise; ${r.mqlsBeforeWindow} already before the window), median ${r.medianDaysFirstTouchToMql?.toFixed(1) ?? '–'} days from first touch`,
    `  per month: ${r.mqlsPerMonth.map((m) => `${m.month} ${m.count}`).join(', ') || 'none'}`,
    `  later reached: SAL ${r.reached.sal} (${pct(r.reached.sal, r.mqls)}), SQL ${r.reached.sql}, opportunity ${r.reached.opportunity}, won ${r.reached.won}`,
    `  won revenue covered ${r.revenueCovered.toFixed(0)} of ${r.revenueWon.toFixed(0)}; missed ${r.missedWon.count} contacts that won (${r.missedWon.revenue.toFixed(0)})`,
    `  per rep per week: ${r.perRepPerWeek.average.toFixed(2)} on average, ${r.perRepPerWeek.peak.toFixed(2)} at the peak`,
  ];
}

/** `leadloop backtest FILE`: replays history under a definition file, side by side with the active definition. */
export function registerDefinitionCommands(program: Command, config: () => Config): void {
  program.command('backtest').argument('<file>', 'lead definition, YAML or JSON')
    .description('Replay recorded activity under a definition file and compare it with the active definition (read-only)')
    .option('--from <date>', 'count MQLs from this date', instant)
    .option('--to <date>', 'ignore activity from this date on', instant)
    .option('--json', 'print one JSON object on the last line')
    .action(async (file: string, opts: { from?: Date; to?: Date; json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        return fail(`Cannot read ${file}: ${(e as Error).message}`);
      }
      const format = /\.json$/i.test(file) ? 'json' : 'yaml';
      const runtime = await openRuntime(config(), { poolSize: 5 });
      try {
        const ws = await resolveWorkspace(runtime.deps, program.opts().workspace);
        if (!ws.ok) return fail(ws.message);
        const parsed = await validateDefinitionInput(runtime.db, ws.value.id, { text, format });
        if (!parsed.ok) return fail([parsed.message, ...parsed.details.map((d) => `  ${d.path || '(document)'}: ${d.message}`)].join('\n'));
        const bar = progressBar('Backtest');
        const result: BacktestComparison = await backtestAgainstActive(
          runtime.db, ws.value.id, { definition: parsed.value, id: null, version: null }, { from: opts.from, to: opts.to },
          runtime.deps.clock.now(),
          (done, total, acts, phase) => bar.update(done, total, phase === 'reading' ? 'activities read (estimated total)' : `contacts replayed, ${acts} activities`),
        );
        bar.stop();
        if (!opts.json) {
          const lines = [...summaryLines(`Proposal (${file})`, result.proposal)];
          if (result.active) lines.push(...summaryLines(`Active v${result.active.version}`, result.active));
          else lines.push('No active definition to compare with.');
          lines.push(`${result.proposal.activities} activities of ${result.proposal.contacts} contacts in ${result.seconds.toFixed(1)} s; ${result.repCount} sales reps.`);
          console.log(lines.join('\n'));
        } else {
          console.log(JSON.stringify(result));
        }
      } finally {
        await runtime.close();
      }
    });
}
