import { slaReport, type SlaReport, type SlaReportRow } from '../../core/sla/sla-report.rules.ts';
import {
  clocksStartedIn, escalationsIn, handoffTimings, mqlVersionsOfLeads, rejectionCounts, reportReps, type RejectionCount, type Window,
} from '../../storage/handoff-reports.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Cell } from '../reports/report.types.ts';

/** Default window: the last 30 days up to now. */
export function reportWindow(deps: AppDeps, from?: Date, to?: Date): Window {
  const end = to ?? deps.clock.now();
  return { from: from ?? new Date(end.getTime() - 30 * 86_400_000), to: end };
}

/** The follow-up rate: per rep and team, over clocks started in the window. */
/** SLA totals of the MQLs one definition version decided ('none': MQLs made by hand). Escalations are counted per rep, not per version. */
export type SlaByVersion = SlaReportRow & { version: string };

export async function computeSlaReport(deps: AppDeps, workspaceId: string, window: Window): Promise<SlaReport & { byDefinitionVersion: SlaByVersion[]; window: Window }> {
  const [reps, clocks, escalations, timings] = await Promise.all([
    reportReps(deps.db, workspaceId), clocksStartedIn(deps.db, workspaceId, window), escalationsIn(deps.db, workspaceId, window), handoffTimings(deps.db, workspaceId, window),
  ]);
  const now = deps.clock.now();
  // By definition version: the version recorded on the `→ mql` transition that started each clock (the one that decided).
  const mqls = await mqlVersionsOfLeads(deps.db, workspaceId, clocks.map((c) => c.leadId));
  const byLead = new Map<string, typeof mqls>();
  for (const m of mqls) byLead.set(m.leadId, [...(byLead.get(m.leadId) ?? []), m]);
  const versionAt = (leadId: string, at: Date): string => {
    let version: number | null = null;
    for (const m of byLead.get(leadId) ?? []) if (m.at <= at) version = m.version;
    return version === null ? 'none' : String(version);
  };
  const clockVersion = clocks.map((c) => versionAt(c.leadId, c.clock.startedAt));
  const timingVersion = timings.map((x) => versionAt(x.leadId, x.mqlAt));
  const byDefinitionVersion = [...new Set(clockVersion)].sort().map((version) => ({
    version,
    ...slaReport({ reps, clocks: clocks.filter((_, i) => clockVersion[i] === version), escalations: [], timings: timings.filter((_, i) => timingVersion[i] === version), now }).total,
  }));
  return { ...slaReport({ reps, clocks, escalations, timings, now }), byDefinitionVersion, window };
}

export async function computeRejections(deps: AppDeps, workspaceId: string, window: Window): Promise<{ window: Window; rows: RejectionCount[] }> {
  return { window, rows: await rejectionCounts(deps.db, workspaceId, window) };
}

type Table = { columns: string[]; rows: Record<string, Cell>[] };

/** The SLA report as one flat table (reps, then teams, then the total), for CSV export. */
export function slaReportTable(report: SlaReport): Table {
  const columns = ['level', 'name', 'team', 'received', 'accepted', 'rejected', 'reassigned_away', 'untouched', 'accept_median_min', 'accept_p90_min',
    'first_touch_median_min', 'first_touch_p90_min', 'sla_hits', 'sla_misses', 'sla_open', 'sla_hit_rate', 'breaches', 'escalations', 'system_delay_median_s', 'human_delay_median_s'];
  const line = (level: string, r: SlaReportRow): Record<string, Cell> => ({
    level, name: r.name, team: r.team, received: r.received, accepted: r.accepted, rejected: r.rejected, reassigned_away: r.reassignedAway, untouched: r.untouched,
    accept_median_min: r.timeToAcceptMin.median, accept_p90_min: r.timeToAcceptMin.p90, first_touch_median_min: r.timeToFirstTouchMin.median, first_touch_p90_min: r.timeToFirstTouchMin.p90,
    sla_hits: r.sla.hits, sla_misses: r.sla.misses, sla_open: r.sla.open, sla_hit_rate: r.sla.hitRate, breaches: r.breaches, escalations: r.escalations,
    system_delay_median_s: r.delay.systemS, human_delay_median_s: r.delay.humanS,
  });
  return { columns, rows: [...report.reps.map((r) => line('rep', r)), ...report.teams.map((r) => line('team', r)), line('total', report.total)] };
}

/** Rejection and hand-back reasons as one flat table, for CSV export. */
export function rejectionsTable(rows: readonly RejectionCount[]): Table {
  return {
    columns: ['dimension', 'value', 'reason_code', 'outcome', 'count'],
    rows: rows.map((r) => ({ dimension: r.dimension, value: r.value, reason_code: r.reasonCode, outcome: r.outcome, count: r.count })),
  };
}
