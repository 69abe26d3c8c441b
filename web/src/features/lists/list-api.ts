import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ListEntity } from '../../../../src/core/lists.rules.ts';
import type { accountsPageDto, leadRowDto, opportunityRowDto, personRowDto } from '../../../../src/server/contract/lists.contract.ts';
import type { savedViewDto } from '../../../../src/server/contract/lists-views.contract.ts';
import type { Account } from '../../api/types.ts';
import { api, get } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';

export type PersonRow = z.infer<typeof personRowDto>;
export type LeadRow = z.infer<typeof leadRowDto>;
export type OpportunityRow = z.infer<typeof opportunityRowDto>;
export type AccountRow = z.infer<typeof accountsPageDto>['data'][number] & Account;
export type SavedView = z.infer<typeof savedViewDto>;
export type RowOf<E extends ListEntity> = E extends 'people' ? PersonRow : E extends 'leads' ? LeadRow : E extends 'accounts' ? AccountRow : OpportunityRow;
type ListAnswer<T> = { data: T[]; next_cursor: string | null };

/** The list URL for these filters (the screen's own URL parameters, minus the ones the API does not take). */
export function listUrl(entity: ListEntity, params: URLSearchParams, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams(params);
  p.delete('view');
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return `/api/v1/lists/${entity}${s ? `?${s}` : ''}`;
}

/** Pages of a list, 50 rows at a time, each page asked for with the previous page's keyset cursor. */
export function useListPages<E extends ListEntity>(entity: E, params: URLSearchParams) {
  const key = params.toString();
  return useInfiniteQuery({
    queryKey: ['list', entity, key],
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<ListAnswer<RowOf<E>>>(listUrl(entity, params, { limit: '50', ...(pageParam ? { cursor: pageParam } : {}) })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Every row matching the filters (for export), 500 a request; `onProgress` hears the count so far. */
export async function fetchAllRows<E extends ListEntity>(entity: E, params: URLSearchParams, onProgress: (n: number) => void, max = 50_000): Promise<RowOf<E>[]> {
  const out: RowOf<E>[] = [];
  let cursor: string | null = null;
  do {
    const page: ListAnswer<RowOf<E>> = await get<ListAnswer<RowOf<E>>>(listUrl(entity, params, { limit: '500', ...(cursor ? { cursor } : {}) }));
    out.push(...page.data);
    onProgress(out.length);
    cursor = page.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

export function useSavedViews(entity: ListEntity) {
  return useQuery({ queryKey: ['saved-views', entity], queryFn: () => fetchAll<SavedView>('/api/v1/saved-views', { entity }), staleTime: 60_000 });
}

export function useSaveView(entity: ListEntity) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; query: string; share: 'team' | 'everyone' }) => api<SavedView>('POST', '/api/v1/saved-views', { entity, ...input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['saved-views', entity] }),
  });
}

export function useDeleteView(entity: ListEntity) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/v1/saved-views/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['saved-views', entity] }),
  });
}
