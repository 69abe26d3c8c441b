import { median } from '../stats/descriptive.rules.ts';

export type EnrollmentRow = { trackId: string; leadId: string; status: string; exitReason: string | null; leadOpenedAt: Date; mqlAfterEntryAt: Date | null; origin?: string | null };
export type StepRow = { trackId: string; stepIndex: number; sent: number; skipped: number; failed: number; bounced: number; opened: number; clicked: number; unsubscribed: number };

export type TrackMetrics = {
  trackId: string; name: string; entered: number;
  /** Entered by origin: live_inquiry (opened by the inquiry rule from live traffic), recycle, sweep, manual, unrecorded. */
  enteredByOrigin: Record<string, number>;
  active: number; paused: number; finished: number; exitedByReason: Record<string, number>;
  mql: number; mqlConversion: number | null; medianDaysToSalesReady: number | null;
  steps: (StepRow & { openRate: number | null; clickRate: number | null })[];
};
export type NurtureReport = {
  tracks: TrackMetrics[];
  timeToSalesReady: { nurturedMedianDays: number | null; nurturedLeads: number; notNurturedMedianDays: number | null; notNurturedLeads: number };
};

const DAY = 86_400_000;
const days = (ms: number | null) => (ms === null ? null : Math.round((ms / DAY) * 10) / 10);
const rate = (n: number, d: number) => (d ? Math.round((n / d) * 1000) / 1000 : null);

/**
 * Nurture metrics. Time to sales-ready is measured the same way for both groups, from the lead's
 * opening to its first MQL, so nurtured leads (MQL after entering a track) compare fairly with
 * leads never in a track. Rates are per email sent.
 */
export function nurtureReport(tracks: readonly { id: string; name: string }[], enrollments: readonly EnrollmentRow[], steps: readonly StepRow[], unnurtured: readonly { openedAt: Date; mqlAt: Date }[]): NurtureReport {
  const toReady = (rows: readonly EnrollmentRow[]) => rows.filter((e) => e.mqlAfterEntryAt).map((e) => e.mqlAfterEntryAt!.getTime() - e.leadOpenedAt.getTime());
  const metrics = tracks.map((t): TrackMetrics => {
    const rows = enrollments.filter((e) => e.trackId === t.id);
    const exitedByReason: Record<string, number> = {};
    for (const e of rows) if (e.status === 'exited') exitedByReason[e.exitReason ?? 'unknown'] = (exitedByReason[e.exitReason ?? 'unknown'] ?? 0) + 1;
    const mqlLeads = new Set(rows.filter((e) => e.mqlAfterEntryAt).map((e) => e.leadId));
    const leads = new Set(rows.map((e) => e.leadId));
    const enteredByOrigin: Record<string, number> = {};
    for (const e of rows) enteredByOrigin[e.origin ?? 'unrecorded'] = (enteredByOrigin[e.origin ?? 'unrecorded'] ?? 0) + 1;
    return {
      trackId: t.id, name: t.name, entered: rows.length, enteredByOrigin, active: rows.filter((e) => e.status === 'active').length, paused: rows.filter((e) => e.status === 'paused').length,
      finished: rows.filter((e) => e.status === 'finished').length, exitedByReason, mql: mqlLeads.size, mqlConversion: rate(mqlLeads.size, leads.size),
      medianDaysToSalesReady: days(median(toReady(rows))),
      steps: steps.filter((s) => s.trackId === t.id).map((s) => ({ ...s, openRate: rate(s.opened, s.sent), clickRate: rate(s.clicked, s.sent) })),
    };
  });
  // A lead in several tracks counts once, with its first MQL after any entry.
  const firstByLead = new Map<string, EnrollmentRow>();
  for (const e of enrollments) {
    const seen = firstByLead.get(e.leadId);
    if (!seen || (e.mqlAfterEntryAt && (!seen.mqlAfterEntryAt || e.mqlAfterEntryAt < seen.mqlAfterEntryAt))) firstByLead.set(e.leadId, e);
  }
  const nurtured = toReady([...firstByLead.values()]);
  const others = unnurtured.map((u) => u.mqlAt.getTime() - u.openedAt.getTime());
  return {
    tracks: metrics,
    timeToSalesReady: { nurturedMedianDays: days(median(nurtured)), nurturedLeads: nurtured.length, notNurturedMedianDays: days(median(others)), notNurturedLeads: others.length },
  };
}
