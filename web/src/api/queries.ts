import { useQuery } from '@tanstack/react-query';
import { get, isNotFound, qs, setCsrfToken } from './client.ts';
import type { Account, Activity, Contact, ContentAsset, Lead, Me, Page, ReasonCode, StageTransition, User } from './types.ts';

// Query keys and fetchers in one place, so a mutation knows exactly what to invalidate.
export const keys = {
  me: ['me'] as const,
  users: ['users'] as const,
  reasons: ['reason-codes'] as const,
  leads: (filter: Record<string, string | undefined>) => ['leads', filter] as const,
  lead: (id: string) => ['lead', id] as const,
  transitions: (id: string) => ['lead', id, 'transitions'] as const,
  contact: (id: string) => ['contact', id] as const,
  account: (id: string) => ['account', id] as const,
  activities: (contactId: string) => ['contact', contactId, 'activities'] as const,
  content: (id: string) => ['content', id] as const,
};

/** The session check; also started by main.tsx before React renders, ahead of any prefetched data. */
export const meQuery = {
  queryKey: keys.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      const me = await get<Me>('/api/v1/me');
      setCsrfToken(me.csrf_token);
      return me;
    } catch (e) {
      // Not logged in is an answer, not an error: the app shows the login page.
      if (e instanceof Error && 'status' in e && (e as { status: number }).status === 401) return null;
      throw e;
    }
  },
  staleTime: 60_000,
};

export const useMe = () => useQuery(meQuery);

export const useUsers = () => useQuery({ queryKey: keys.users, queryFn: () => fetchAll<User>('/api/v1/users', {}), staleTime: 60_000 });
export const useReasonCodes = () => useQuery({ queryKey: keys.reasons, queryFn: () => fetchAll<ReasonCode>('/api/v1/reason-codes', {}), staleTime: 300_000 });
export const useLead = (id: string) => useQuery({ queryKey: keys.lead(id), queryFn: () => get<Lead>(`/api/v1/leads/${id}`) });
export const useTransitions = (id: string) => useQuery({ queryKey: keys.transitions(id), queryFn: () => fetchAll<StageTransition>(`/api/v1/leads/${id}/transitions`, {}) });
export const useContact = (id: string | null | undefined) => useQuery({ queryKey: keys.contact(id ?? ''), queryFn: () => get<Contact>(`/api/v1/contacts/${id}`), enabled: !!id, staleTime: 60_000 });
export const useAccount = (id: string | null | undefined) => useQuery({ queryKey: keys.account(id ?? ''), queryFn: () => get<Account>(`/api/v1/accounts/${id}`), enabled: !!id, staleTime: 300_000 });
export const useActivities = (contactId: string | null | undefined) => useQuery({
  queryKey: keys.activities(contactId ?? ''), enabled: !!contactId,
  queryFn: () => get<Page<Activity>>(`/api/v1/contacts/${contactId}/activities${qs({ limit: 200 })}`),
});
export const useContentAsset = (id: string) => useQuery({ queryKey: keys.content(id), queryFn: () => get<ContentAsset>(`/api/v1/content/${id}`), staleTime: 300_000 });

/** Pages through a list endpoint; `max` bounds the work so a huge workspace cannot freeze the browser. */
export async function fetchAll<T>(url: string, params: Record<string, string | undefined>, max = 10_000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<Page<T>>(`${url}${qs({ ...params, limit: 500, cursor })}`);
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** A GET whose endpoint may not exist yet (issues still in progress): 404 resolves to null. */
export async function getOptional<T>(url: string): Promise<T | null> {
  try {
    return await get<T>(url);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
