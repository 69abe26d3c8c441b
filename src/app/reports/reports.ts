import type { Result } from '../../core/result.ts';
import { ok } from '../../core/result.ts';
import type { AppDeps } from '../context.ts';
import { attributionPaths, attributionReport } from './attribution.report.ts';
import { funnelReport } from './funnel.report.ts';
import { cpodReport, interactionsReport, leakageReport, timeToSalesReadyReport } from './process.report.ts';
import { reportParams, type ReportEnvelope, type ReportName, type ReportParams, type ReportQuery, type Row } from './report.types.ts';
import { sourcesReport } from './sources.report.ts';

const builders: Record<ReportName, (deps: AppDeps, workspaceId: string, p: ReportParams) => Promise<ReportEnvelope>> = {
  funnel: funnelReport,
  'time-to-sales-ready': timeToSalesReadyReport,
  sources: sourcesReport,
  cpod: cpodReport,
  attribution: attributionReport,
  interactions: interactionsReport,
  leakage: leakageReport,
};

/** Runs one report for a workspace: validated period and filters in, the report envelope out. */
export async function runReport(deps: AppDeps, workspaceId: string, name: ReportName, query: Omit<ReportQuery, 'format'>): Promise<Result<ReportEnvelope>> {
  const params = reportParams(name, query, deps.clock.now());
  if (!params.ok) return params;
  return ok(await builders[name](deps, workspaceId, params.value));
}

/** The attribution report's Markov paths in ChannelAttribution's input format (same period and settings). */
export async function runAttributionPaths(deps: AppDeps, workspaceId: string, query: Omit<ReportQuery, 'format'>): Promise<Result<{ columns: string[]; rows: Row[] }>> {
  const params = reportParams('attribution', query, deps.clock.now());
  if (!params.ok) return params;
  return ok(await attributionPaths(deps, workspaceId, params.value));
}
