import { nurtureMetrics, nurtureReportJson } from '../app/nurture/nurture-report.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { Config } from '../config.ts';
import { openRuntime } from '../main.ts';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? '–' : String(x));

/** `leadloop report nurture [--json]`: tracks, exits, MQL conversion, time to sales-ready; per step sends, opens, clicks. */
export async function printNurtureReport(config: Config, workspace: string | undefined, opts: { json?: boolean }): Promise<void> {
      const rt = await openRuntime(config, { poolSize: 5 });
      try {
        const ws = await resolveWorkspace(rt.deps, workspace);
        if (!ws.ok) { console.error(`Error: ${ws.message}`); process.exitCode = 1; return; }
        const r = await nurtureMetrics(rt.deps, ws.value.id);
        if (opts.json) { console.log(JSON.stringify(nurtureReportJson(r))); return; }
        const t = r.timeToSalesReady;
        const lines = [`Nurture — ${ws.value.name}`, `Median days to sales-ready: nurtured ${num(t.nurturedMedianDays)} (${t.nurturedLeads} leads), never in a track ${num(t.notNurturedMedianDays)} (${t.notNurturedLeads} leads)`, ''];
        for (const tr of r.tracks) {
          const exits = Object.entries(tr.exitedByReason).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
          lines.push(`${tr.name}: entered ${tr.entered}, active ${tr.active}, paused ${tr.paused}, finished ${tr.finished}, MQL ${tr.mql} (${pct(tr.mqlConversion)}), median days to MQL ${num(tr.medianDaysToSalesReady)}`);
          lines.push(`  exits: ${exits}`);
          for (const s of tr.steps) lines.push(`  step ${String(s.stepIndex).padStart(2)}: sent ${s.sent}, opened ${s.opened} (${pct(s.openRate)}), clicked ${s.clicked} (${pct(s.clickRate)}), unsubscribed ${s.unsubscribed}, skipped ${s.skipped}, bounced ${s.bounced}`);
        }
        if (r.tracks.length === 0) lines.push('No nurture tracks yet (POST /api/v1/nurture/tracks).');
        console.log(lines.join('\n'));
      } finally {
        await rt.close();
      }
}
