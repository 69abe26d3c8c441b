import { useEffect, useState } from 'react';
import type { SlaClock } from '../../api/types.ts';
import { formatDuration, humanize } from '../../ui/format.ts';

/** The current time, refreshed on an interval, so countdowns move without refetching. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function SlaCountdown({ sla, now }: { sla: SlaClock | null | undefined; now: number }) {
  if (!sla) return <span className="muted" aria-label="No SLA clock">—</span>;
  if (!sla.due_at) return <span className="sla sla-done">{humanize(sla.state)}</span>;
  const left = new Date(sla.due_at).getTime() - now;
  const breached = sla.state === 'breached' || left < 0;
  if (breached) return <span className="sla sla-breached">Overdue {formatDuration(left)}</span>;
  const tone = left < 3_600_000 ? 'sla-soon' : 'sla-ok';
  return <span className={`sla ${tone}`} title={`Due ${new Date(sla.due_at).toLocaleString()}`}>{formatDuration(left)} left</span>;
}
