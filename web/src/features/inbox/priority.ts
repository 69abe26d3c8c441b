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

const time = (iso: string | null | undefined, fallback: number) => (iso ? new Date(iso).getTime() : fallback);

/**
 * Inbox order: best rating first; among equals, the SLA deadline that comes soonest (a lead about
 * to breach beats a fresh one); then the most recent sign of intent. The deadline goes before
 * recency because recency alone would almost never tie, leaving the SLA without effect.
 */
export function comparePriority(a: Lead, b: Lead): number {
  const byRating = ratingRank(a.rating) - ratingRank(b.rating);
  if (byRating !== 0) return byRating;
  const dueA = time(a.sla?.due_at, Number.POSITIVE_INFINITY);
  const dueB = time(b.sla?.due_at, Number.POSITIVE_INFINITY);
  if (dueA !== dueB) return dueA < dueB ? -1 : 1;
  return time(b.mql_at ?? b.stage_entered_at, 0) - time(a.mql_at ?? a.stage_entered_at, 0);
}
