import type { Lead } from '../../api/types.ts';

/**
 * Rank of a rating, best first: "A1" (best fit, most engaged) … "D4", then the plain words of a
 * definition without a grid. Unknown or missing ratings sort last rather than being hidden.
 */
export function ratingRank(rating: string | null | undefined): number {
  if (!rating) return 99;
  const grid = /^([A-D])([1-4])$/i.exec(rating.trim());
  if (grid) return (grid[1]!.toUpperCase().charCodeAt(0) - 65) * 4 + Number(grid[2]) - 1;
  const words: Record<string, number> = { qualified: 0, hot: 0, warm: 8, cold: 12 };
  return words[rating.trim().toLowerCase()] ?? 50;
}

/** A lead that reached its stage less than this long ago is "fresh": the moment to call is now. */
export const FRESH_MS = 24 * 3_600_000;

/**
 * The inbox's four bands, in order (the full explanation is in docs/inbox-priority.md):
 * 0 fresh: in its stage for under 24 hours and not past its SLA — best rating first, then newest;
 * 1 on the clock: an SLA clock runs and is not yet due — soonest deadline first, then rating;
 * 2 overdue: past its SLA — most recently missed first (a deadline missed an hour ago can still be
 *   saved; one missed months ago cannot get worse), then rating;
 * 3 no clock running — best rating first, then most recent intent.
 */
export type PriorityBand = 0 | 1 | 2 | 3;
export const bandLabels: Record<PriorityBand, string> = { 0: 'New', 1: 'On the clock', 2: 'Overdue', 3: 'No SLA clock' };

const time = (iso: string | null | undefined, fallback: number) => (iso ? new Date(iso).getTime() : fallback);
const enteredAt = (l: Lead) => time(l.mql_at ?? l.stage_entered_at, 0);
const overdue = (l: Lead, now: number) => !!l.sla && (l.sla.state === 'breached' || time(l.sla.due_at, Infinity) <= now);

export function priorityBand(lead: Lead, now: number): PriorityBand {
  if (overdue(lead, now)) return 2;
  if (now - time(lead.stage_entered_at, 0) < FRESH_MS) return 0;
  return lead.sla ? 1 : 3;
}

/**
 * Inbox order at `now`. Fresh leads come first so a five-minute-old demo request is never buried under
 * leads overdue for months; overdue leads stay in the same list (not hidden, not a separate page), right
 * after the ones still on time, with the newest misses on top.
 * @example [...leads].sort(comparePriority(Date.now()))
 */
export function comparePriority(now: number): (a: Lead, b: Lead) => number {
  return (a, b) => {
    const band = priorityBand(a, now) - priorityBand(b, now);
    if (band !== 0) return band;
    const byRating = ratingRank(a.rating) - ratingRank(b.rating);
    const dueA = time(a.sla?.due_at, Infinity);
    const dueB = time(b.sla?.due_at, Infinity);
    switch (priorityBand(a, now)) {
      case 0: return byRating || enteredAt(b) - enteredAt(a);
      case 1: return dueA !== dueB ? (dueA < dueB ? -1 : 1) : byRating;
      case 2: return dueA !== dueB ? (dueA > dueB ? -1 : 1) : byRating;
      default: return byRating || enteredAt(b) - enteredAt(a);
    }
  };
}

/**
 * The order a signed definition may choose instead (`inbox: {sort: predicted}`): most likely to convert first,
 * leads without a prediction last (in the usual priority among themselves), ties broken by the usual priority.
 */
export function comparePredicted(now: number): (a: Lead, b: Lead) => number {
  const usual = comparePriority(now);
  return (a, b) => {
    const pa = a.prediction?.probability ?? -1;
    const pb = b.prediction?.probability ?? -1;
    return pa !== pb ? pb - pa : usual(a, b);
  };
}
