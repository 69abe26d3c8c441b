const stageLabels: Record<string, string> = {
  inquiry: 'Inquiry', mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won', lost: 'Lost',
  nurture: 'Nurture', disqualified: 'Disqualified',
};

export const stageLabel = (stage: string) => stageLabels[stage] ?? stage;

export function StageBadge({ stage }: { stage: string }) {
  return <span className={`badge stage-${stage}`}>{stageLabel(stage)}</span>;
}

/** Ratings look like "A1" (fit grade × engagement level) or a word (qualified / warm / cold). */
export function RatingBadge({ rating }: { rating: string | null }) {
  if (!rating) return <span className="muted">—</span>;
  const tone = /^A|qualified/i.test(rating) ? 'hot' : /^B|warm/i.test(rating) ? 'warm' : 'cold';
  return <span className={`badge rating rating-${tone}`} title={`Rating ${rating}`}>{rating}</span>;
}

export function Tag({ children, tone = 'neutral' }: { children: string; tone?: 'neutral' | 'blue' | 'green' | 'amber' }) {
  return <span className={`tag tag-${tone}`}>{children}</span>;
}
