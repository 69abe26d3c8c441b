/** A score change as GET /api/v1/contacts/:id/score-history answers it (the fields the chart reads). */
export type ScorePoint = { id: string; at: string; definition_id: string; fit: number; engagement: number; rating: string; cell: string; cause: string; delta: number; explanation: string };
export type ScoreMarker = { at: string; label: string };

const dayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
/** "3 Nov": short, unambiguous in any locale. */
export const shortDay = (iso: string) => dayFmt.format(new Date(iso));

const DAY = 86_400_000;

function move(name: string, from: number, to: number): string {
  if (from === to) return `${name} stayed at ${to}`;
  return `${name} ${to > from ? 'rose' : 'fell'} from ${from} to ${to}`;
}

/**
 * The score history in one sentence, for screen readers and for anyone who does not read charts:
 * "Engagement rose from 12 to 52 over 9 days; fit stayed at 72; rating A2; MQL on 3 Nov."
 * `points` are in time order (oldest first).
 */
export function summarizeScores(points: readonly ScorePoint[], markers: readonly ScoreMarker[] = []): string {
  if (points.length === 0) return 'No score changes recorded yet.';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const mqls = markers.length ? `; ${markers.map((m) => `${m.label} on ${shortDay(m.at)}`).join(', ')}` : '';
  if (points.length === 1) return `Scored once on ${shortDay(first.at)}: fit ${first.fit}, engagement ${first.engagement}, rating ${first.cell}${mqls}.`;
  const days = Math.round((new Date(last.at).getTime() - new Date(first.at).getTime()) / DAY);
  const span = days >= 1 ? `over ${days} day${days === 1 ? '' : 's'}` : 'within a day';
  const rating = first.cell === last.cell ? `rating ${last.cell}` : `rating ${first.cell} → ${last.cell}`;
  return `${move('Engagement', first.engagement, last.engagement)} ${span}; ${move('fit', first.fit, last.fit)}; ${rating}${mqls}.`;
}

/** Indexes of the points where the rating cell changed from the point before (the first point counts as a change). */
export function ratingChanges(points: readonly ScorePoint[]): number[] {
  return points.flatMap((p, i) => (i === 0 || points[i - 1]!.cell !== p.cell ? [i] : []));
}
