import type { AccountFact, ActivityFact, ContactFact, ContentFact } from '../activity.ts';
import type { LeadDefinition } from './definition-schema.ts';
import { explainScore } from './explanation.ts';
import { decideQualification, matchHighIntent, type HighIntentMatch, type QualificationDecision } from './qualification.ts';
import {
  applyActivity, decayTo, rateLead, scoreFit, summarizeEngagement, type EngagementScore, type EngagementState, type FitScore,
  type MatchedRule, type RatingCell,
} from './scoring.ts';

/**
 * Everything the ingestion pipeline's "score → qualify" step needs from core for one contact,
 * in one call: apply the activity (if any) to the engagement state, decay to `now`, rate, decide,
 * detect high intent and explain. The caller persists `state` and acts on `qualification`.
 */
export type LeadEvaluationInput = {
  definition: LeadDefinition;
  /** The definition version number, for the explanation ("definition v3: ..."). */
  version: number | string;
  contact: ContactFact;
  account: AccountFact | null;
  state: EngagementState;
  /** Absent when re-evaluating on a fit change or a scheduled decay refresh. */
  activity?: ActivityFact | null;
  content?: ContentFact | null;
  now: Date;
  /**
   * The contact's fit when the caller already has it (`scoreFit(contact, account, definition)`): fit reads only who
   * the person is, so a caller evaluating one person's activities one after another scores it once.
   */
  fit?: FitScore;
};

export type LeadEvaluation = {
  state: EngagementState;
  delta: number;
  matchedRules: MatchedRule[];
  fit: FitScore;
  engagement: EngagementScore;
  rating: RatingCell;
  qualification: QualificationDecision;
  highIntent: HighIntentMatch | null;
  explanation: string;
};

export function evaluateLead(input: LeadEvaluationInput): LeadEvaluation {
  const { definition, activity, now } = input;
  const content = input.content ?? null;
  let state = input.state;
  let delta = 0;
  let matchedRules: MatchedRule[] = [];
  if (activity) ({ state, delta, matchedRules } = applyActivity(state, activity, content, definition, now));
  state = decayTo(state, now);
  const fit = input.fit ?? scoreFit(input.contact, input.account, definition);
  const engagement = summarizeEngagement(state, definition, input.contact);
  const rating = rateLead(fit.grade, engagement.level, definition);
  const qualification = decideQualification({ fit, engagement, activity: activity ?? null, content, contact: input.contact }, definition);
  const highIntent = activity ? matchHighIntent(activity, content, definition) : null;
  const explanation = explainScore({ version: input.version, fit, engagement, rating, qualification });
  return { state, delta, matchedRules, fit, engagement, rating, qualification, highIntent, explanation };
}
