import { useMutation, useQueryClient } from '@tanstack/react-query';
import { allowedTransitions, isStage } from '../../../../src/core/lifecycle.ts';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { Lead, Page, StageTransition } from '../../api/types.ts';

export type TransitionRequest = { lead: Lead; to: string; reason_code?: string | null; note?: string | null; recheck_at?: string | null };

const inboxStages = new Set(['mql', 'sal', 'sql']);

/** The moves the lifecycle table allows from a stage, in the API's shape (the UI predicts the next buttons). */
function allowedFrom(stage: string): Lead['allowed_transitions'] {
  if (!isStage(stage)) return [];
  return allowedTransitions(stage).map((r) => ({ to: r.to, action: r.action, label: r.label, reason_required: r.reason }));
}

/**
 * Moves a lead with an optimistic update: the inbox reflects the decision at once (a rejected lead
 * leaves, an accepted one becomes SAL), and rolls back with the server's message if refused.
 */
export function useTransitionLead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ lead, to, reason_code, note, recheck_at }: TransitionRequest) =>
      api<{ lead: Lead; transition: StageTransition }>('POST', `/api/v1/leads/${lead.id}/transitions`, { to, reason_code, note, recheck_at }),
    onMutate: async ({ lead, to }) => {
      await queryClient.cancelQueries({ queryKey: ['leads'] });
      const snapshot = queryClient.getQueriesData<Page<Lead>>({ queryKey: ['leads'] });
      queryClient.setQueriesData<Page<Lead>>({ queryKey: ['leads'] }, (page) => {
        if (!page) return page;
        const data = inboxStages.has(to)
          ? page.data.map((l) => (l.id === lead.id ? { ...l, stage: to, allowed_transitions: allowedFrom(to), stage_entered_at: new Date().toISOString() } : l))
          : page.data.filter((l) => l.id !== lead.id);
        return { ...page, data };
      });
      return { snapshot };
    },
    onError: (_err, _req, context) => {
      for (const [key, data] of context?.snapshot ?? []) queryClient.setQueryData(key, data);
    },
    onSuccess: (result) => {
      queryClient.setQueryData(keys.lead(result.lead.id), result.lead);
    },
    onSettled: (_data, _err, { lead }) => {
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      void queryClient.invalidateQueries({ queryKey: keys.transitions(lead.id) });
    },
  });
}
