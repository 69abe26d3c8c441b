import { useQuery } from '@tanstack/react-query';
import { getOptional } from '../../api/queries.ts';
import type { ReportView } from './reports/report-model.ts';

export type ReportState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'unavailable'; reason: string }
  | { status: 'ready'; view: ReportView };

/** Fetches GET /api/v1/reports/{name}; a 404 (endpoint not built yet) is a state, not a crash. */
export function useReportData(name: string, params = '') {
  return useQuery({ queryKey: ['report', name, params], queryFn: () => getOptional<unknown>(`/api/v1/reports/${name}${params}`), staleTime: 60_000 });
}

export function reportState(query: ReturnType<typeof useReportData>, adapt: (raw: unknown) => ReportView | null, name: string): ReportState {
  if (query.isPending) return { status: 'loading' };
  if (query.isError) return { status: 'error', error: query.error };
  if (query.data === null) return { status: 'unavailable', reason: `The ${name} report endpoint (/api/v1/reports/${name}) is not part of this server yet.` };
  const view = adapt(query.data);
  return view ? { status: 'ready', view } : { status: 'unavailable', reason: `The ${name} report answered in a shape this dashboard does not read yet.` };
}
