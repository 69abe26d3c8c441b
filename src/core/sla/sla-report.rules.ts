import { median, percentile } from '../stats/descriptive.rules.ts';
import { slaOutcome, type SlaClock } from './sla-clock.rules.ts';

export type ReportRep = { id: string; name: string; team: string | null };
export type ReportClock = { leadId: string; clock: SlaClock };
/** One routed MQL: when it qualified, was assigned, the owner's alert went out, and the owner accepted. */
export type HandoffTiming = { leadId: string; ownerId: string; mqlAt: Date; assignedAt: Date; alertDeliveredAt: Date | null; acceptedAt: Date | null };

export type SlaReportRow = {
  key: string; name: string; team: string | null;
  received: number; accepted: number; rejected: number; reassignedAway: number; untouched: number;
  timeToAcceptMin: { median: number | null; p90: number | null };
  timeToFirstTouchMin: { median: number | null; p90: number | null };
  sla: { hits: number; misses: number; open: number; hitRate: number | null };
  breaches: number; escalations: number;
  /** Medians in seconds: MQL → assignment → alert delivered (system), alert delivered → accept (human). */
  delay: { mqlToAssignmentS: number | null; assignmentToAlertS: number | null; systemS: number | null; humanS: number | null; samples: number };
};

export type SlaReport = { reps: SlaReportRow[]; teams: SlaReportRow[]; total: SlaReportRow };

const minutes = (ms: number) => ms / 60_000;
const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const dist = (values: number[]) => ({ median: round(median(values)), p90: round(percentile(values, 90)) });

function row(key: string, name: string, team: string | null, clocks: ReportClock[], escalations: number, timings: HandoffTiming[], now: Date): SlaReportRow {
  const accept = clocks.filter((c) => c.clock.kind === 'accept');
  const firstTouch = clocks.filter((c) => c.clock.kind === 'first_touch');
  const stoppedBy = (list: ReportClock[], reasons: string[]) => list.filter((c) => c.clock.stopReason !== null && reasons.includes(c.clock.stopReason));
  const acceptedClocks = stoppedBy(accept, ['accepted']);
  const touchedLeads = new Set(stoppedBy(firstTouch, ['touched', 'progressed']).map((c) => c.leadId));
  const outcomes = [...accept, ...firstTouch].map((c) => slaOutcome(c.clock, { now }));
  const hits = outcomes.filter((o) => o.outcome === 'hit').length;
  const misses = outcomes.filter((o) => o.outcome === 'miss').length;
  const elapsed = (list: ReportClock[]) => list.map((c) => minutes((c.clock.stoppedAt as Date).getTime() - c.clock.startedAt.getTime()));
  const secs = (pairs: [Date | null, Date | null][]) => {
    const v = pairs.filter((p): p is [Date, Date] => p[0] !== null && p[1] !== null).map(([a, b]) => (b.getTime() - a.getTime()) / 1000);
    return round(median(v), 3);
  };
  return {
    key, name, team,
    received: new Set(accept.map((c) => c.leadId)).size,
    accepted: acceptedClocks.length,
    rejected: stoppedBy(accept, ['rejected']).length,
    reassignedAway: stoppedBy(accept, ['reassigned']).length,
    untouched: accept.filter((c) => c.clock.stoppedAt === null && !touchedLeads.has(c.leadId)).length,
    timeToAcceptMin: dist(elapsed(acceptedClocks)),
    timeToFirstTouchMin: dist(elapsed(stoppedBy(firstTouch, ['touched']))),
    sla: { hits, misses, open: outcomes.filter((o) => o.outcome === 'open').length, hitRate: hits + misses ? round(hits / (hits + misses), 4) : null },
    breaches: misses,
    escalations,
    delay: {
      mqlToAssignmentS: secs(timings.map((t) => [t.mqlAt, t.assignedAt])),
      assignmentToAlertS: secs(timings.map((t) => [t.assignedAt, t.alertDeliveredAt])),
      systemS: secs(timings.map((t) => [t.mqlAt, t.alertDeliveredAt])),
      humanS: secs(timings.map((t) => [t.alertDeliveredAt, t.acceptedAt])),
      samples: timings.length,
    },
  };
}

/**
 * The follow-up SLA report: per rep (clocks are attributed to the owner they ran for, so a lead
 * reassigned after a breach counts against the first rep and is received by the second), per team
 * and overall. Running clocks past due at `now` count as misses; times are elapsed wall time.
 * @example slaReport({ reps, clocks, escalations: [{ fromOwnerId: 'ana' }], timings, now }).reps[0].sla.hitRate → 0.5
 */
export function slaReport(input: { reps: readonly ReportRep[]; clocks: readonly ReportClock[]; escalations: readonly { fromOwnerId: string | null }[]; timings: readonly HandoffTiming[]; now: Date }): SlaReport {
  const { reps, now } = input;
  const byRep = (id: string | null) => input.clocks.filter((c) => c.clock.ownerId === id);
  const escOf = (ids: Set<string | null>) => input.escalations.filter((e) => ids.has(e.fromOwnerId)).length;
  const timingsOf = (ids: Set<string | null>) => input.timings.filter((t) => ids.has(t.ownerId));
  const active = reps.filter((r) => input.clocks.some((c) => c.clock.ownerId === r.id));
  const repRows = active.map((r) => row(`rep:${r.id}`, r.name, r.team, byRep(r.id), escOf(new Set([r.id])), timingsOf(new Set([r.id])), now));
  const teams = [...new Set(active.map((r) => r.team ?? '(no team)'))].sort();
  const teamRows = teams.map((team) => {
    const ids = new Set<string | null>(active.filter((r) => (r.team ?? '(no team)') === team).map((r) => r.id));
    return row(`team:${team}`, team, team, input.clocks.filter((c) => ids.has(c.clock.ownerId)), escOf(ids), timingsOf(ids), now);
  });
  const all = new Set<string | null>([...input.clocks.map((c) => c.clock.ownerId)]);
  return { reps: repRows, teams: teamRows, total: row('total', 'All', null, [...input.clocks], escOf(all), timingsOf(all), now) };
}
