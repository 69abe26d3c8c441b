import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { memberDto, performanceDto } from '../../../../src/server/contract/campaigns.contract.ts';
import { api, get, qs } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';
import type { Campaign, Contact, Page } from '../../api/types.ts';

export type Performance = z.infer<typeof performanceDto>;
export type Member = z.infer<typeof memberDto>;
export type CampaignFields = {
  name: string; channel: string; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null;
  starts_on: string | null; ends_on: string | null; budget: number | null;
};
export type CostChange = { period_start: string; amount: number | null; currency: string };

export const campaignKeys = {
  all: ['campaigns'] as const,
  one: (id: string) => ['campaigns', id] as const,
  performance: (id: string) => ['campaigns', id, 'performance'] as const,
  members: (id: string) => ['campaigns', id, 'members'] as const,
};

export const useCampaigns = () => useQuery({ queryKey: campaignKeys.all, queryFn: () => fetchAll<Campaign>('/api/v1/campaigns', {}, 2000) });
export const useCampaign = (id: string | null) => useQuery({ queryKey: campaignKeys.one(id ?? ''), enabled: !!id, queryFn: () => get<Campaign>(`/api/v1/campaigns/${id}`) });
export const usePerformance = (id: string | null) => useQuery({ queryKey: campaignKeys.performance(id ?? ''), enabled: !!id, queryFn: () => get<Performance>(`/api/v1/campaigns/${id}/performance`) });
export const useMembers = (id: string | null) => useQuery({ queryKey: campaignKeys.members(id ?? ''), enabled: !!id, queryFn: () => get<{ data: Member[] }>(`/api/v1/campaigns/${id}/members`) });
export const useContactSearch = (q: string) => useQuery({
  queryKey: ['contacts', 'search', q], enabled: q.trim().length >= 2, staleTime: 30_000,
  queryFn: () => get<Page<Contact>>(`/api/v1/contacts${qs({ q: q.trim(), limit: 8 })}`),
});

export function useCampaignMutations(id: string | null) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: campaignKeys.all });
  return {
    create: useMutation({ mutationFn: (f: CampaignFields & { costs: CostChange[] }) => api<Campaign>('POST', '/api/v1/campaigns', { ...f, costs: f.costs.filter((c) => c.amount !== null) }), onSuccess: refresh }),
    save: useMutation({ mutationFn: (f: CampaignFields & { costs: CostChange[] }) => api<Campaign>('PATCH', `/api/v1/campaigns/${id}`, f), onSuccess: refresh }),
    remove: useMutation({ mutationFn: () => api('DELETE', `/api/v1/campaigns/${id}`), onSuccess: refresh }),
    addMember: useMutation({ mutationFn: (contactId: string) => api('POST', `/api/v1/campaigns/${id}/members`, { members: [{ contact_id: contactId }] }), onSuccess: refresh }),
    removeMember: useMutation({ mutationFn: (contactId: string) => api('DELETE', `/api/v1/campaigns/${id}/members/${contactId}`), onSuccess: refresh }),
  };
}
