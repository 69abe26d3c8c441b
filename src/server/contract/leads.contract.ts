import { z } from 'zod';
import { pollQuery } from './polling.contract.ts';
import { stages } from '../../core/lifecycle.ts';
import type { OpenClockStatus } from '../../core/sla/clock-status.rules.ts';
import { clockKinds } from '../../core/sla/sla-clock.rules.ts';
import type { Lead } from '../../storage/leads.repo.ts';
import type { Qualification, StageTransition } from '../../storage/transitions.repo.ts';
import { iso, isoDateTime } from './common.contract.ts';

export const stageSchema = z.enum(stages);

export const leadInput = z.strictObject({
  contact_id: z.uuid({ message: 'must be the UUID of a contact' }),
  owner_id: z.uuid().nullable().optional(),
});

export const transitionInput = z.strictObject({
  to: stageSchema,
  reason_code: z.string().min(1).max(100).nullable().optional(),
  note: z.string().max(2000).nullable().optional(),
  recheck_at: isoDateTime.nullable().optional().describe('When a handed-back lead should be looked at again (to=nurture only).'),
  opportunity_id: z.uuid().nullable().optional().describe('to=opportunity only: link this open opportunity; omitted, a new one is opened (amount 0, stage Qualification).'),
});

export const leadQuery = z.strictObject({
  stage: z.string().optional().describe('Comma-separated stages, e.g. mql,sal'),
  owner: z.string().optional().describe("A user id, or 'me'"),
  contact_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  ...pollQuery,
  include: z.string().regex(/^(contact|account|qualification|prediction)(,(contact|account|qualification|prediction))*$/, "comma-separated: contact, account, qualification, prediction").optional()
    .describe('contact,account,qualification: embed each lead\'s contact, account and latest move into MQL with its explanation (one query per kind for the whole page)'),
});

export const leadSlaDto = z.object({
  kind: z.enum(clockKinds).describe('What the clock waits for: accept (MQL → decision), first_touch, opportunity_decision.'),
  state: z.enum(['running', 'breached']).describe('breached once the due time has passed, even before the timer job records it.'),
  started_at: z.string(), due_at: z.string(),
  within: z.string().describe("The policy's target for this clock, e.g. '4h'."),
  business_hours: z.boolean().describe('Whether `within` counts business hours of the team calendar.'),
  escalation_level: z.number().int().describe('Escalation steps already fired (0: none).'),
  escalation_steps: z.number().int(),
  next_escalation_at: z.string().nullable(),
}).meta({ id: 'LeadSla', description: "The lead's open SLA clock due first." });

export const toLeadSlaDto = (s: OpenClockStatus): z.infer<typeof leadSlaDto> => ({
  kind: s.kind, state: s.state, started_at: s.startedAt.toISOString(), due_at: s.dueAt.toISOString(), within: s.within, business_hours: s.businessHours,
  escalation_level: s.escalationLevel, escalation_steps: s.escalationSteps, next_escalation_at: iso(s.nextEscalationAt),
});

export const leadDto = z.object({
  id: z.string(), contact_id: z.string(), account_id: z.string().nullable(), stage: z.string(), owner_id: z.string().nullable(),
  opened_at: z.string(), stage_entered_at: z.string(), closed_at: z.string().nullable(), mql_at: z.string().nullable(),
  recycle_count: z.number(), last_reason_code: z.string().nullable(), recheck_at: z.string().nullable(),
  source: z.string().nullable(), campaign: z.string().nullable(), first_touch_at: z.string().nullable(),
  fit_score: z.number().nullable(), engagement_score: z.number().nullable(), rating: z.string().nullable(),
  definition_id: z.string().nullable(),
  allowed_transitions: z.array(z.object({ to: z.string(), action: z.string(), label: z.string(), reason_required: z.string().nullable() })),
  sla: leadSlaDto.nullable().optional().describe('The open SLA clock due first (null: none runs). Present on list, get and transition answers.'),
  waiting: z.object({ queue: z.string().nullable(), team: z.string().nullable() }).nullable().optional()
    .describe("Where a lead without an owner waits (its latest assignment's queue and team): who may work it follows from it. Null for owned leads. Present on list, get and transition answers."),
}).meta({ id: 'Lead' });

export function toLeadDto(l: Lead, allowed: { to: string; action: string; label: string; reason: string | null }[]): z.infer<typeof leadDto> {
  return {
    id: l.id, contact_id: l.contactId, account_id: l.accountId, stage: l.stage, owner_id: l.ownerId, opened_at: l.openedAt.toISOString(),
    stage_entered_at: l.stageEnteredAt.toISOString(), closed_at: iso(l.closedAt), mql_at: iso(l.mqlAt), recycle_count: l.recycleCount,
    last_reason_code: l.lastReasonCode, recheck_at: iso(l.recheckAt), source: l.source, campaign: l.campaign,
    first_touch_at: iso(l.firstTouchAt), fit_score: l.fitScore, engagement_score: l.engagementScore, rating: l.rating,
    definition_id: l.definitionId,
    allowed_transitions: allowed.map((a) => ({ to: a.to, action: a.action, label: a.label, reason_required: a.reason })),
  };
}

export const qualificationDto = z.object({
  at: z.string(), note: z.string().nullable().describe('Why the lead became sales-ready, in the words of the definition version that qualified it.'),
  definition_id: z.string().nullable(),
}).meta({ id: 'LeadQualification' });
export const toQualificationDto = (q: Qualification): z.infer<typeof qualificationDto> => ({ at: q.at.toISOString(), note: q.note, definition_id: q.definitionId });

export const transitionDto = z.object({
  id: z.string(), lead_id: z.string(), from: z.string().nullable(), to: z.string(), at: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }), reason_code: z.string().nullable(), note: z.string().nullable(),
  definition_id: z.string().nullable(), is_recycle: z.boolean(),
}).meta({ id: 'StageTransition' });

export const toTransitionDto = (t: StageTransition): z.infer<typeof transitionDto> => ({
  id: t.id, lead_id: t.leadId, from: t.from, to: t.to, at: t.at.toISOString(), actor: t.actor, reason_code: t.reasonCode,
  note: t.note, definition_id: t.definitionId, is_recycle: t.isRecycle,
});

/** The inbox's probability for a lead's person, under the model the active definition sorts the inbox by. */
export const leadPredictionDto = z.object({
  probability: z.number().min(0).max(1),
  model_version: z.number().int().nullable(),
  top_reason: z.string().nullable().describe("The strongest reason, in words (e.g. '+18 pts: Seniority: VP')."),
  computed_at: z.string(),
});
export const inboxSortDto = z.object({
  sort: z.enum(['priority', 'predicted']),
  model_id: z.string().nullable(),
  model_version: z.number().int().nullable(),
  definition_version: z.number().int().nullable().describe('The active definition version that chose this order.'),
}).describe("How the active definition orders the inbox: 'predicted' (most likely first, leads without a prediction last) or 'priority' (the usual bands).");
