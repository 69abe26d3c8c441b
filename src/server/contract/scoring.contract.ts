import { z } from 'zod';
import type { LeadScore } from '../../app/scoring/score-queries.ts';
import { activityTypes } from '../../core/activity.ts';
import type { HighIntentSignal, ScoreEvent } from '../../storage/scores.repo.ts';
import { isoDateTime } from './common.contract.ts';

export const activityInput = z.strictObject({
  contact_id: z.uuid({ message: 'must be the UUID of a contact' }),
  type: z.enum(activityTypes),
  occurred_at: isoDateTime,
  source: z.string().max(200).nullable().optional(), medium: z.string().max(200).nullable().optional(),
  utm_campaign: z.string().max(300).nullable().optional(), campaign_id: z.uuid().nullable().optional(),
  content_id: z.uuid().nullable().optional(), url: z.string().max(2000).nullable().optional(), referrer: z.string().max(2000).nullable().optional(),
  event_name: z.string().max(200).nullable().optional(), properties: z.record(z.string(), z.unknown()).optional(),
  idempotency_key: z.string().min(1).max(200).nullable().optional().describe('Repeating a key returns the first activity instead of recording it twice.'),
});

const contribution = z.object({ rule_id: z.string(), label: z.string(), points: z.number(), hits: z.number() });
const toContribution = (c: { ruleId: string; label: string; points: number; hits: number }) => ({ rule_id: c.ruleId, label: c.label, points: Math.round(c.points * 100) / 100, hits: c.hits });

export const scoringOutcomeDto = z.object({
  definition_id: z.string().nullable(), definition_version: z.number().nullable(),
  contacts: z.array(z.object({ contact_id: z.string(), fit: z.number(), engagement: z.number(), rating: z.string(), cell: z.string(), qualifies: z.boolean(), explanation: z.string() })),
  mqls: z.array(z.object({ contact_id: z.string(), lead_id: z.string(), from: z.string(), opened: z.boolean(), explanation: z.string() })),
  /** Leads the definition's inquiry rule opened at `inquiry` (dated at the activity), with the reason recorded. */
  inquiries: z.array(z.object({ contact_id: z.string(), lead_id: z.string(), at: z.string(), rule_id: z.string(), reason: z.string() })),
  high_intent: z.array(z.object({ id: z.string(), via: z.string(), detail: z.string() })),
}).nullable();

export const leadScoreDto = z.object({
  lead_id: z.string(), contact_id: z.string(), definition: z.object({ id: z.string(), version: z.number(), name: z.string() }),
  fit: z.object({ points: z.number(), grade: z.string(), contributions: z.array(contribution), exclusions: z.array(z.object({ rule_id: z.string(), label: z.string() })) }),
  engagement: z.object({ points: z.number(), level: z.number(), contributions: z.array(contribution) }),
  rating: z.string(), cell: z.string(), qualifies: z.boolean(), explanation: z.string(), scored_at: z.string(), as_of: z.string(),
}).meta({ id: 'LeadScore' });

export const toLeadScoreDto = (s: LeadScore): z.infer<typeof leadScoreDto> => ({
  lead_id: s.leadId, contact_id: s.contactId, definition: s.definition,
  fit: { points: s.fit.points, grade: s.fit.grade, contributions: s.fit.contributions.map(toContribution), exclusions: s.fit.exclusions.map((e) => ({ rule_id: e.ruleId, label: e.label })) },
  engagement: { points: s.engagement.points, level: s.engagement.level, contributions: s.engagement.contributions.map(toContribution) },
  rating: s.rating, cell: s.cell, qualifies: s.qualifies, explanation: s.explanation, scored_at: s.scoredAt.toISOString(), as_of: s.asOf.toISOString(),
});

export const scoreEventDto = z.object({
  id: z.string(), at: z.string(), definition_id: z.string(), fit: z.number(), engagement: z.number(), rating: z.string(), cell: z.string(),
  cause: z.string(), activity_id: z.string().nullable(), delta: z.number(), explanation: z.string(),
}).meta({ id: 'ScoreEvent' });

export const toScoreEventDto = (e: ScoreEvent): z.infer<typeof scoreEventDto> => ({
  id: e.id, at: e.at.toISOString(), definition_id: e.definitionId, fit: e.fit, engagement: e.engagement, rating: e.rating, cell: e.cell,
  cause: e.cause, activity_id: e.activityId, delta: Math.round(e.delta * 100) / 100, explanation: e.explanation,
});

export const highIntentDto = z.object({
  id: z.string(), contact_id: z.string(), lead_id: z.string().nullable(), activity_id: z.string(), definition_id: z.string(), via: z.string(), detail: z.string(), at: z.string(),
}).meta({ id: 'HighIntentSignal' });

export const toHighIntentDto = (s: HighIntentSignal): z.infer<typeof highIntentDto> => ({
  id: s.id, contact_id: s.contactId, lead_id: s.leadId, activity_id: s.activityId, definition_id: s.definitionId, via: s.via, detail: s.detail, at: s.at.toISOString(),
});
