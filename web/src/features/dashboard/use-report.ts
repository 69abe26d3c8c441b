import type { QueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { get, qs } from '../../api/client.ts';
import type { Envelope } from './reports/envelope.ts';
import type { SlaRaw } from './reports/process.adapter.ts';
import type { ReportView } from './reports/report-model.ts';

export type ReportState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'empty'; reason?: string }
  | { status: 'ready'; view: ReportView };

export type DashboardFilters = { from: string; to: string; by: string; model: string };

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export function defaultFilters(now = new Date()): DashboardFilters {
  return { from: isoDay(new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), now.getUTCDate() + 1))), to: isoDay(now), by: 'source', model: 'linear' };
}

/** One query per report; kept free of chart code so the app shell can start them before the chart bundle loads. */
export const reportQuery = (name: string, params: Record<string, string | undefined>) => ({
  queryKey: ['report', name, params] as const,
  queryFn: () => get<Envelope>(`/api/v1/reports/${name}${qs(params)}`),
  staleTime: 60_000,
});
export const slaQuery = (f: DashboardFilters) => {
  const params = { from: `${f.from}T00:00:00.000Z`, to: new Date(Date.parse(`${f.to}T00:00:00.000Z`) + 86_400_000).toISOString() };
  return { queryKey: ['report', 'sla', params] as const, queryFn: () => get<SlaRaw>(`/api/v1/reports/sla${qs(params)}`), staleTime: 60_000 };
};

/** Every request of the dashboard, fired in parallel. */
export function dashboardQueries(f: DashboardFilters) {
  const period = { from: f.from, to: f.to };
  return {
    funnel: reportQuery('funnel', { ...period, by: 'month' }),
    ttsr: reportQuery('time-to-sales-ready', { ...period, by: 'month' }),
    sources: reportQuery('sources', { ...period, by: f.by }),
    attribution: reportQuery('attribution', { ...period, model: f.model }),
    cpod: reportQuery('cpod', period),
    sla: slaQuery(f),
  };
}

export function prefetchDashboard(client: QueryClient) {
  const q = dashboardQueries(defaultFilters());
  for (const query of Object.values(q)) void client.prefetchQuery(query as Parameters<QueryClient['prefetchQuery']>[0]);
}

export function stateOf<T>(query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined }, adapt: (raw: T) => ReportView | null, emptyReason?: string): ReportState {
  if (query.isPending) return { status: 'loading' };
  if (query.isError) return { status: 'error', error: query.error };
  const view = adapt(query.data as T);
  return view ? { status: 'ready', view } : { status: 'empty', reason: emptyReason };
}

/**
 * The chart state of one query, recomputed only when its data (or an adapter input) changes. Without this,
 * each of the six responses re-rendered the page and handed every chart a new option object, so every
 * chart was redrawn up to six times during the first load.
 */
export function useReportState<T>(query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined }, adapt: (raw: T) => ReportView | null, deps: readonly unknown[] = [], emptyReason?: string): ReportState {
  const { isPending, isError, error, data } = query;
  return useMemo(() => stateOf({ isPending, isError, error, data }, adapt, emptyReason), [isPending, isError, error, data, emptyReason, ...deps]);
}
