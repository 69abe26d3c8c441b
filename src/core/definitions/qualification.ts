import type { ActivityFact, ContactFact, ContentFact } from '../activity.ts';
import { compileDefinition, type CompiledDefinition } from './compiled-definition.ts';
import { fitGrades, type EngagementLevel, type FitGrade, type LeadDefinition, type Rating } from './definition-schema.ts';
import { firingPredictedMql, hasPredictedMql } from './predicted.ts';
import { ActivityView } from './rule-matching.ts';
import { rateLead, type Exclusion, type FitScore } from './scoring.ts';

/**
 * The MQL decision and the high-intent signal. Both are stateless: whether a lead is already an
 * MQL (and may re-qualify) is the lifecycle's business; this answers "does the definition say
 * sales-ready now?".
 */

export type QualificationInput = {
  fit: Pick<FitScore, 'grade' | 'exclusions'>;
  engagement: { level: EngagementLevel };
  /** The activity being processed, if any: hand-raises only fire on the activity itself. */
  activity?: ActivityFact | null;
  content?: ContentFact | null;
  /** The person's stored predictions (for predicted MQL conditions); absent: none yet. */
  contact?: Pick<ContactFact, 'predictions'> | null;
};

export type QualificationDecision = {
  qualifies: boolean;
  via: 'rating' | 'hand_raise' | 'predicted' | null;
  rating: Rating;
  /** Rating cell, e.g. 'A2'. */
  cell: string;
  handRaise: { id: string; label: string } | null;
  /** The predicted MQL condition that qualified ("predicted 46% likely to reach opportunity (model v3) ≥ 40%"). */
  predicted?: { id: string; label: string } | null;
  /** The first exclusion that applies (the lead can never be an MQL while it holds). */
  excluded: Exclusion | null;
  reason: string;
};

/** Internal fast path shared with the backtest: which hand-raise (if any) fires for this grade and activity. */
export function firingHandRaise(compiled: CompiledDefinition, gradeIndex: number, view: ActivityView | null): CompiledDefinition['handRaises'][number] | null {
  if (!view) return null;
  const candidates = compiled.handRaisesByType.get(view.activity.type) ?? compiled.handRaises;
  for (const hr of candidates) if (gradeIndex <= hr.maxGradeIndex && hr.test(view)) return hr;
  return null;
}

/**
 * Decides whether the definition makes this lead an MQL now. Exclusions win over everything;
 * a hand-raise (e.g. a demo request with fit ≥ C) qualifies regardless of engagement.
 * @example decideQualification({ fit, engagement: { level: 2 } }, def) // { qualifies: true, via: 'rating', cell: 'A2', ... }
 */
export function decideQualification(input: QualificationInput, definition: LeadDefinition): QualificationDecision {
  const compiled = compileDefinition(definition);
  const { rating, cell } = rateLead(input.fit.grade, input.engagement.level, definition);
  const base = { rating, cell, handRaise: null, excluded: null };
  const excluded = input.fit.exclusions[0];
  if (excluded) {
    return { ...base, qualifies: false, via: null, excluded, reason: `excluded: ${excluded.label}` };
  }
  const gradeIndex = fitGrades.indexOf(input.fit.grade);
  const view = input.activity ? new ActivityView().set(input.activity, input.content ?? null) : null;
  const hr = firingHandRaise(compiled, gradeIndex, view);
  if (hr) {
    return {
      ...base, qualifies: true, via: 'hand_raise', handRaise: { id: hr.id, label: hr.label },
      reason: `hand-raise: ${hr.label} (fit ${input.fit.grade}, at least ${hr.rule.minFitGrade} needed)`,
    };
  }
  if (compiled.qualifying.has(rating)) {
    return { ...base, qualifies: true, via: 'rating', reason: `rating ${cell} is ${rating}` };
  }
  const predicted = firingPredictedMql(definition, input.contact);
  if (predicted) return { ...base, qualifies: true, via: 'predicted', predicted, reason: predicted.label };
  const needed = [...compiled.qualifying].join(' or ') || 'a hand-raise';
  if (hasPredictedMql(definition)) return { ...base, qualifies: false, via: null, reason: `rating ${cell} is ${rating}; MQL needs ${needed} or a predicted probability at its threshold` };
  return { ...base, qualifies: false, via: null, reason: `rating ${cell} is ${rating}; MQL needs ${needed}` };
}

export type HighIntentMatch =
  | { via: 'content'; contentId: string }
  | { via: 'url'; pattern: string; url: string };

/**
 * Did consuming this activity touch the agreed high-intent list? Only consumption counts
 * (a page view, download, click — not an email sent to them).
 * @example matchHighIntent(pricingView, null, def) // { via: 'url', pattern: '/pricing*', url: 'https://x.io/pricing' }
 */
export function matchHighIntent(activity: ActivityFact, content: ContentFact | null, definition: LeadDefinition): HighIntentMatch | null {
  const compiled = compileDefinition(definition);
  const hi = compiled.highIntent;
  if (!hi.types.has(activity.type)) return null;
  if (activity.contentId !== null && hi.contentIds.has(activity.contentId)) return { via: 'content', contentId: activity.contentId };
  if (!hi.urls.length) return null;
  const view = new ActivityView().set(activity, content);
  const parts = view.url();
  if (!parts) return null;
  for (const u of hi.urls) {
    if (u.test(parts)) return { via: 'url', pattern: u.pattern, url: activity.url ?? content?.url ?? '' };
  }
  return null;
}

/** A grade is at least as good as `min` (A best). */
export function gradeAtLeast(grade: FitGrade, min: FitGrade): boolean {
  return fitGrades.indexOf(grade) <= fitGrades.indexOf(min);
}
