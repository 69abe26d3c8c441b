import type { QualificationDecision } from './qualification.ts';
import { roundScore, type Contribution, type EngagementScore, type FitScore, type RatingCell } from './scoring.ts';

/**
 * The sentence a rep reads on a lead and the stage history records with an MQL:
 * "definition v3: rating A2 (fit 72 = title VP +30, industry SaaS +25, 200–1000 employees +17;
 * engagement 48 = pricing page ×2 +20, case study download +15, webinar +13)".
 */

export type ExplanationInput = {
  /** The definition version that produced the score (v3). */
  version: number | string;
  fit: FitScore;
  engagement: Pick<EngagementScore, 'points' | 'contributions'>;
  rating: RatingCell;
  /** When given, hand-raises and exclusions lead the sentence. */
  qualification?: QualificationDecision | null;
};

const signed = (n: number): string => (n >= 0 ? `+${n}` : `-${Math.abs(n)}`);

/** "pricing page ×2 +20"; null when the contribution rounds to nothing. */
export function formatContribution(c: Contribution): string | null {
  const points = roundScore(c.points);
  if (points === 0) return null;
  if (c.predicted) return `${signed(points)} pts: ${c.label}`;
  return `${c.label}${c.hits > 1 ? ` ×${c.hits}` : ''} ${signed(points)}`;
}

/** Largest contributions first (ties keep rule order), zero contributions left out. */
export function formatContributions(contributions: readonly Contribution[]): string {
  const parts = contributions
    .map((c, i) => ({ c, i, p: roundScore(c.points) }))
    .filter((x) => x.p !== 0)
    .sort((a, b) => b.p - a.p || a.i - b.i)
    .map((x) => formatContribution(x.c) as string);
  return parts.length ? parts.join(', ') : 'no matching rules';
}

/** @example explainScore({ version: 3, fit, engagement, rating }) // "definition v3: rating A2 (fit 72 = ...; engagement 35 = ...)" */
export function explainScore(input: ExplanationInput): string {
  const { fit, engagement, rating, qualification } = input;
  const detail = `fit ${fit.points} = ${formatContributions(fit.contributions)}; engagement ${engagement.points} = ${formatContributions(engagement.contributions)}`;
  let lead = `rating ${rating.cell}`;
  if (qualification?.excluded) lead = `excluded (${qualification.excluded.label}), rating ${rating.cell}`;
  else if (qualification?.via === 'hand_raise' && qualification.handRaise) lead = `hand-raise: ${qualification.handRaise.label}, rating ${rating.cell}`;
  else if (qualification?.via === 'predicted' && qualification.predicted) lead = `${qualification.predicted.label}, rating ${rating.cell}`;
  else if (fit.exclusions[0]) lead = `excluded (${fit.exclusions[0].label}), rating ${rating.cell}`;
  return `definition v${input.version}: ${lead} (${detail})`;
}
