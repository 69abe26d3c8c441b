import { slaReport, type SlaReport } from '../../core/sla/sla-report.rules.ts';
import { clocksStartedIn, escalationsIn, handoffTimings, rejectionCounts, reportReps, type RejectionCount, type Window } from '../../storage/handoff-reports.repo.ts';
import type { AppDeps } from '../context.ts';

/** Default window: the last 30 days up to now. */
export function reportWindow(deps: AppDeps, from?: Date, to?: Date): Window {
  const end = to ?? deps.clock.now();
  return { from: from ?? new Date(end.getTime() - 30 * 86_400_000), to: end };
}

/** The follow-up rate: per rep and team, over clocks started in the window. */
export async function computeSlaReport(deps: AppDeps, workspaceId: string, window: Window): Promise<SlaReport & { window: Window }> {
  const [reps, clocks, escalations, timings] = await Promise.all([
    reportReps(deps.db, workspaceId), clocksStartedIn(deps.db, workspaceId, window), escalationsIn(deps.db, workspaceId, window), handoffTimings(deps.db, workspaceId, window),
  ]);
  return { ...slaReport({ reps, clocks, escalations, timings, now: deps.clock.now() }), window };
}

export async function computeRejections(deps: AppDeps, workspaceId: string, window: Window): Promise<{ window: Window; rows: RejectionCount[] }> {
  return { window, rows: await rejectionCounts(deps.db, workspaceId, window) };
}
