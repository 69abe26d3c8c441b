import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { clockDto } from '../../../../src/server/contract/handoff.contract.ts';
import { get } from '../../api/client.ts';
import type { Lead, SlaClock } from '../../api/types.ts';

type Clock = z.infer<typeof clockDto>;

/** The accept / first-touch clock that matters now: the open one due first, else how the last one ended. */
export function slaFromClocks(clocks: Clock[], now: number): SlaClock | null {
  const relevant = clocks.filter((c) => c.kind === 'accept' || c.kind === 'first_touch');
  if (!relevant.length) return null;
  const open = relevant.filter((c) => !c.stopped_at).sort((a, b) => a.due_at.localeCompare(b.due_at))[0];
  if (open) return { due_at: open.due_at, state: new Date(open.due_at).getTime() < now ? 'breached' : 'running' };
  const last = [...relevant].sort((a, b) => (a.stopped_at ?? '').localeCompare(b.stopped_at ?? '')).at(-1)!;
  return { due_at: null, state: last.stop_reason ?? 'stopped' };
}

/** A row's SLA: the lead's own field when the list carries it, else its hand-off trail (only when `enabled`: few rows). */
export function useRowSla(lead: Lead, enabled: boolean, now: number): SlaClock | null | undefined {
  const needs = enabled && lead.sla === undefined && (lead.stage === 'mql' || lead.stage === 'sal');
  const handoff = useQuery({
    queryKey: ['lead', lead.id, 'handoff'], enabled: needs, staleTime: 60_000,
    queryFn: () => get<{ clocks: Clock[] }>(`/api/v1/leads/${lead.id}/handoff`),
  });
  if (lead.sla !== undefined) return lead.sla;
  return handoff.data ? slaFromClocks(handoff.data.clocks, now) : null;
}
