import { computeSlaReport, reportWindow, slaReportTable } from '../app/handoff/handoff-reports.ts';
import { reportToCsv } from '../app/reports/report-csv.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { SlaReportRow } from '../core/sla/sla-report.rules.ts';
import type { Config } from '../config.ts';
import { openRuntime } from '../main.ts';

const fmt = (v: number | null, unit = '') => (v === null ? '–' : `${v}${unit}`);
const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`);

function table(rows: SlaReportRow[]): string {
  const head = ['', 'recv', 'acc', 'rej', 'untouched', 'accept p50/p90 min', 'touch p50/p90 min', 'SLA hit', 'breaches', 'escal.', 'system s', 'human s'];
  const body = rows.map((r) => [
    r.name, r.received, r.accepted, r.rejected, r.untouched, `${fmt(r.timeToAcceptMin.median)}/${fmt(r.timeToAcceptMin.p90)}`,
    `${fmt(r.timeToFirstTouchMin.median)}/${fmt(r.timeToFirstTouchMin.p90)}`, pct(r.sla.hitRate), r.breaches, r.escalations,
    fmt(r.delay.systemS), fmt(r.delay.humanS),
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** `leadloop report sla [--json|--csv] [--from D] [--to D]`: the follow-up SLA per rep and team (default window: 30 days). */
export async function printSlaReport(config: Config, workspace: string | undefined, opts: { json?: boolean; csv?: boolean; from?: string; to?: string }): Promise<void> {
      const rt = await openRuntime(config, { poolSize: 3 });
      try {
        const ws = await resolveWorkspace(rt.deps, workspace);
        if (!ws.ok) throw new Error(ws.message);
        const window = reportWindow(rt.deps, opts.from ? new Date(opts.from) : undefined, opts.to ? new Date(opts.to) : undefined);
        if (Number.isNaN(window.from.getTime()) || Number.isNaN(window.to.getTime())) throw new Error('--from and --to must be ISO dates, e.g. 2026-11-01T00:00:00Z');
        const r = await computeSlaReport(rt.deps, ws.value.id, window);
        if (opts.csv) {
          process.stdout.write(reportToCsv(slaReportTable(r)));
          return;
        }
        if (opts.json) {
          console.log(JSON.stringify({ from: window.from.toISOString(), to: window.to.toISOString(), reps: r.reps, teams: r.teams, total: r.total }));
          return;
        }
        console.log(`Follow-up SLA, ${window.from.toISOString()} – ${window.to.toISOString()}\n`);
        console.log(`Per rep\n${table(r.reps)}\n\nPer team\n${table(r.teams)}\n\nAll\n${table([r.total])}`);
      } finally {
        await rt.close();
      }
}
