import './badges.css';
const stageLabels: Record<string, string> = {
  inquiry: 'Inquiry', mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won', lost: 'Lost',
  nurture: 'Nurture', disqualified: 'Disqualified',
};

export const stageLabel = (stage: string) => stageLabels[stage] ?? stage;

export function StageBadge({ stage }: { stage: string }) {
  return <span className={`badge stage-${stage}`}>{stageLabel(stage)}</span>;
}

/** The rating cell an explanation names ("definition v3: rating A2 (fit 72 …)" → "A2"). */
export const ratingInNote = (note: string | null | undefined) => (note ? /\brating ([A-D][1-4])\b/.exec(note)?.[1] ?? null : null);

const ratingTitle = (cell: string) => {
  const m = /^([A-D])([1-4])$/.exec(cell);
  return m ? `Rating ${cell}: fit grade ${m[1]} (A best), engagement level ${m[2]} (1 most engaged)` : `Rating ${cell}`;
};

/**
 * Ratings look like "A1" (fit grade × engagement level) or a word (qualified / warm / cold). The
 * badge shows the rating now; engagement decays, so it can differ from the cell the lead qualified
 * at. `qualifiedAs` says so beside the badge instead of leaving a badge and an explanation that disagree.
 */
export function RatingBadge({ rating, qualifiedAs }: { rating: string | null; qualifiedAs?: string | null }) {
  if (!rating) return <span className="muted">—</span>;
  const tone = /^A|qualified/i.test(rating) ? 'hot' : /^B|warm/i.test(rating) ? 'warm' : 'cold';
  const badge = <span className={`badge rating rating-${tone}`} title={ratingTitle(rating)}>{rating}</span>;
  if (!qualifiedAs || qualifiedAs === rating) return badge;
  return (
    <span className="rating-then" title={`${ratingTitle(rating)} now; it was ${qualifiedAs} when it qualified (engagement points fade over time).`}>
      {badge}<span className="rating-was">was {qualifiedAs}</span>
    </span>
  );
}

export function Tag({ children, tone = 'neutral' }: { children: string; tone?: 'neutral' | 'blue' | 'green' | 'amber' }) {
  return <span className={`tag tag-${tone}`}>{children}</span>;
}
