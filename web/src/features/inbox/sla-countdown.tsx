import { useEffect, useState } from 'react';
import type { LeadSla } from '../../api/types.ts';
import { formatDateTime, formatDuration, formatWithin } from '../../ui/format.ts';

/** The current time, refreshed on an interval, so countdowns move without refetching. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

const clockNames: Record<LeadSla['kind'], string> = { accept: 'Accept', first_touch: 'First touch', opportunity_decision: 'Opportunity decision' };
export const clockName = (kind: LeadSla['kind']) => clockNames[kind] ?? kind;

/** "Accept within 4 h (business hours)": the policy target a clock runs against. */
export function slaTarget(sla: LeadSla): string {
  return `${clockName(sla.kind)} within ${formatWithin(sla.within)}${sla.business_hours ? ' (business hours)' : ''}`;
}

/**
 * The lead's open SLA clock as a countdown. The server sends the deadline (GET /api/v1/leads carries
 * it); `now` ticks here, so a clock turns overdue on screen without a refetch.
 */
export function SlaCountdown({ sla, now }: { sla: LeadSla | null | undefined; now: number }) {
  if (!sla) return <span className="muted" aria-label="No SLA clock running">—</span>;
  const left = new Date(sla.due_at).getTime() - now;
  const title = `${slaTarget(sla)}; due ${formatDateTime(sla.due_at)}${sla.escalation_level ? `; escalated ${sla.escalation_level} of ${sla.escalation_steps}` : ''}`;
  const kind = <span className="sla-kind">{clockName(sla.kind)}{sla.escalation_level ? ` · escalated ${sla.escalation_level}×` : ''}</span>;
  if (sla.state === 'breached' || left <= 0) return <span className="sla sla-breached" title={title}>Overdue {formatDuration(left)} {kind}</span>;
  const tone = left < 3_600_000 ? 'sla-soon' : 'sla-ok';
  return <span className={`sla ${tone}`} title={title}>{formatDuration(left)} left {kind}</span>;
}
