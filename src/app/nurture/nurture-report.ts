import { nurtureReport, type NurtureReport } from '../../core/nurture/nurture-report.rules.ts';
import { listTracks } from '../../storage/nurture.repo.ts';
import { listEnrollmentFacts, listStepCounts, listUnnurturedMqlTimes } from '../../storage/nurture-report.repo.ts';
import type { AppDeps } from '../context.ts';

/** Per track and step: entered, active, exits by reason, MQL conversion, time to sales-ready, sends/opens/clicks. */
export async function nurtureMetrics(deps: AppDeps, workspaceId: string): Promise<NurtureReport> {
  const [tracks, enrollments, steps, unnurtured] = await Promise.all([
    listTracks(deps.db, workspaceId), listEnrollmentFacts(deps.db, workspaceId), listStepCounts(deps.db, workspaceId), listUnnurturedMqlTimes(deps.db, workspaceId),
  ]);
  return nurtureReport(tracks, enrollments, steps, unnurtured);
}

/** The report as the API and `leadloop report nurture --json` print it (snake_case). */
export function nurtureReportJson(r: NurtureReport) {
  return {
    tracks: r.tracks.map((t) => ({
      track_id: t.trackId, name: t.name, entered: t.entered, entered_by_origin: t.enteredByOrigin, active: t.active, paused: t.paused, finished: t.finished, exited_by_reason: t.exitedByReason,
      mql: t.mql, mql_conversion: t.mqlConversion, median_days_to_sales_ready: t.medianDaysToSalesReady,
      steps: t.steps.map((s) => ({ step: s.stepIndex, sent: s.sent, skipped: s.skipped, failed: s.failed, bounced: s.bounced, opened: s.opened, clicked: s.clicked, unsubscribed: s.unsubscribed, open_rate: s.openRate, click_rate: s.clickRate })),
    })),
    time_to_sales_ready: {
      nurtured_median_days: r.timeToSalesReady.nurturedMedianDays, nurtured_leads: r.timeToSalesReady.nurturedLeads,
      not_nurtured_median_days: r.timeToSalesReady.notNurturedMedianDays, not_nurtured_leads: r.timeToSalesReady.notNurturedLeads,
    },
  };
}
