import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { taskDto } from '../../../../src/server/contract/tasks.contract.ts';
import { api, get, qs } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';

export type SalesTask = z.infer<typeof taskDto>;
export type TouchKind = 'sales_call' | 'sales_email' | 'meeting' | 'note';

export const taskKeys = { mine: ['tasks', 'me'] as const, lead: (leadId: string) => ['tasks', 'lead', leadId] as const };

export function useMyTasks() {
  return useQuery({ queryKey: taskKeys.mine, queryFn: () => get<{ data: SalesTask[] }>(`/api/v1/tasks${qs({ owner: 'me', status: 'open' })}`), refetchInterval: 60_000 });
}

export function useCompleteTask() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, done }: { id: string; done: boolean }) => api<SalesTask>('PATCH', `/api/v1/tasks/${id}`, { done }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
}

export type LogRequest = { leadId: string; contactId: string; kind: TouchKind; note: string; occurredAt: string | null; task: { title: string; dueAt: string } | null };

/**
 * Logs a call, email or meeting (POST /leads/:id/touches: stops the first-touch SLA clock) or a note
 * (POST /leads/:id/notes: does not), then the follow-up task if one was asked for.
 */
export function useLogActivity() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (r: LogRequest) => {
      if (r.kind === 'note') await api('POST', `/api/v1/leads/${r.leadId}/notes`, { note: r.note });
      else await api('POST', `/api/v1/leads/${r.leadId}/touches`, { type: r.kind, note: r.note || null, ...(r.occurredAt ? { occurred_at: r.occurredAt } : {}) });
      if (r.task) await api('POST', '/api/v1/tasks', { lead_id: r.leadId, title: r.task.title, due_at: r.task.dueAt });
    },
    onSettled: async (_d, _e, r) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['leads'] }), queryClient.invalidateQueries({ queryKey: keys.lead(r.leadId) }),
        queryClient.invalidateQueries({ queryKey: keys.activities(r.contactId) }), queryClient.invalidateQueries({ queryKey: ['tasks'] }),
      ]);
    },
  });
}
