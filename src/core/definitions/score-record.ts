import type { LeadEvaluation } from './lead-evaluation.ts';
import type { FitScore } from './scoring.ts';

/**
 * What a contact's score row holds after an evaluation (the `contact_score` columns but the
 * definition id). Pure, so every writer of score rows — live scoring, the hourly decay, the
 * definition recompute and imports — stores an evaluation the same way.
 * `ratingQualified`: the `qualifies` flag to store (live qualification compares the new rating with
 * the stored one, so a caller that qualifies later passes the previous value).
 */
export type ScoreRecord = {
  contactId: string; fitPoints: number; fitGrade: string; fit: Record<string, unknown>; engagementState: Record<string, unknown>;
  engagementPoints: number; level: number; rating: string; cell: string; qualifies: boolean; explanation: string; updatedAt: Date;
};

export function scoreRecordOf(contactId: string, ev: LeadEvaluation, ratingQualified: boolean, now: Date): ScoreRecord {
  return {
    contactId, fitPoints: ev.fit.points, fitGrade: ev.fit.grade, fit: fitJson(ev.fit), engagementState: ev.state as unknown as Record<string, unknown>,
    engagementPoints: ev.engagement.points, level: ev.engagement.level, rating: ev.rating.rating, cell: ev.rating.cell,
    qualifies: ratingQualified, explanation: ev.explanation, updatedAt: now,
  };
}

const fitJson = (fit: FitScore): Record<string, unknown> => ({ points: fit.points, grade: fit.grade, contributions: fit.contributions, exclusions: fit.exclusions });
