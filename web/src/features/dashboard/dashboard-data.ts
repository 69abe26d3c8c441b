import type { QueryClient } from '@tanstack/react-query';
import { fetchAll } from '../../api/queries.ts';
import type { Lead } from '../../api/types.ts';

// Kept apart from the chart code so the app shell can start this fetch before the chart bundle has loaded.
export const dashboardLeadsQuery = {
  queryKey: ['dashboard', 'leads'] as const,
  queryFn: () => fetchAll<Lead>('/api/v1/leads', {}),
  staleTime: 60_000,
};

export const prefetchDashboard = (queryClient: QueryClient) => queryClient.prefetchQuery(dashboardLeadsQuery);
