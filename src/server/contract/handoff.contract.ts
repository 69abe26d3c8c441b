import { z } from 'zod';
import type { Alert } from '../../storage/alerts.repo.ts';
import type { Assignment } from '../../storage/assignments.repo.ts';
import type { StoredClock } from '../../storage/sla-clocks.repo.ts';
import { iso, isoDateTime } from './common.contract.ts';

export const routingPut = z.strictObject({ rules: z.array(z.unknown()).min(1).describe('Ordered routing rules; the last must be a fallback_queue.') });
export const routingDto = z.object({
  version: z.number().nullable(), rules: z.array(z.unknown()), created_by: z.string().nullable(), created_at: z.string().nullable(),
}).meta({ id: 'RoutingConfig' });

export const repSettingsInput = z.strictObject({
  weight: z.number().int().min(0).max(100).default(1).describe('Round-robin weight (0: gets no new leads).'),
  capacity: z.number().int().min(0).max(100_000).nullable().default(null).describe('Most open leads (mql, sal, sql) at once; null: no cap.'),
});
export const repSettingsDto = z.object({ user_id: z.string(), weight: z.number(), capacity: z.number().nullable() });

export const teamInput = z.strictObject({
  calendar: z.record(z.string(), z.unknown()).nullable().default(null).describe("Business calendar: { timeZone, days [1..7], start 'HH:MM', end, holidays }"),
  manager_id: z.uuid().nullable().default(null),
});
export const teamDto = z.object({ name: z.string(), calendar: z.record(z.string(), z.unknown()).nullable(), manager_id: z.string().nullable() });

export const slaPolicyQuery = z.strictObject({ team: z.string().min(1).max(100).optional().describe("A team: its own calendar replaces the policy's, when set.") });
export const slaPolicyDto = z.object({
  source: z.string().describe("Where the targets come from: 'definition v3', 'workspace setting' or 'workspace default'."),
  team: z.string().nullable(),
  policy: z.record(z.string(), z.unknown()).describe('{ accept, firstTouch, opportunityDecision: { within, businessHours, escalation? }, escalation }'),
  calendar: z.record(z.string(), z.unknown()).describe('The business calendar in force: the team\'s own, else the policy\'s.'),
  calendar_source: z.enum(['team', 'policy']),
}).meta({ id: 'SlaPolicyInForce' });

export const assignInput = z.strictObject({ owner_id: z.uuid(), note: z.string().max(2000).nullable().optional() });
export const assignmentDto = z.object({
  id: z.string(), lead_id: z.string(), owner_id: z.string().nullable(), previous_owner_id: z.string().nullable(), queue: z.string().nullable(),
  team: z.string().nullable(), rule_index: z.number().nullable(), rule_kind: z.string(), explanation: z.string(), trace: z.array(z.string()),
  routing_version: z.number().nullable(), actor: z.object({ type: z.string(), id: z.string().nullable() }), note: z.string().nullable(), at: z.string(),
}).meta({ id: 'Assignment' });
export const toAssignmentDto = (a: Assignment): z.infer<typeof assignmentDto> => ({
  id: a.id, lead_id: a.leadId, owner_id: a.ownerId, previous_owner_id: a.previousOwnerId, queue: a.queue, team: a.team, rule_index: a.ruleIndex,
  rule_kind: a.ruleKind, explanation: a.explanation, trace: a.trace, routing_version: a.routingVersion, actor: a.actor, note: a.note, at: a.at.toISOString(),
});

export const clockDto = z.object({
  id: z.string(), kind: z.string(), owner_id: z.string().nullable(), started_at: z.string(), due_at: z.string(), stopped_at: z.string().nullable(),
  stop_reason: z.string().nullable(), escalation: z.array(z.object({ index: z.number(), after: z.string(), action: z.string(), due_at: z.string(), fired_at: z.string().nullable() })),
});
export const toClockDto = (c: StoredClock): z.infer<typeof clockDto> => ({
  id: c.id, kind: c.clock.kind, owner_id: c.clock.ownerId, started_at: c.clock.startedAt.toISOString(), due_at: c.clock.dueAt.toISOString(),
  stopped_at: iso(c.clock.stoppedAt), stop_reason: c.clock.stopReason,
  escalation: c.clock.escalation.map((s) => ({ index: s.index, after: s.after, action: s.action, due_at: s.dueAt.toISOString(), fired_at: iso(s.firedAt) })),
});

export const touchInput = z.strictObject({
  type: z.enum(['sales_call', 'sales_email', 'meeting', 'sales_touch']),
  note: z.string().max(5000).nullable().optional(),
  occurred_at: isoDateTime.optional().describe('When the touch happened (default: now).'),
});

export const rejectInput = z.strictObject({
  reason_code: z.string().min(1).max(100).describe('The reason decides the destination: its outcome nurture recycles, disqualified closes.'),
  note: z.string().max(2000).nullable().optional(),
  recheck_at: isoDateTime.nullable().optional(),
});

export const reasonCodesPut = z.strictObject({
  codes: z.array(z.strictObject({
    code: z.string().regex(/^[a-z0-9_]{1,60}$/, 'lower-case letters, digits, underscores'), label: z.string().min(1).max(200),
    outcome: z.enum(['nurture', 'disqualified', 'lost']),
  })).min(1),
});

export const alertDto = z.object({
  id: z.string(), user_id: z.string(), lead_id: z.string(), kind: z.string(), title: z.string(), body: z.string(), url: z.string(),
  context: z.record(z.string(), z.unknown()), created_at: z.string(), read_at: z.string().nullable(), delivered_at: z.string().nullable(),
  email_status: z.string().nullable(),
}).meta({ id: 'Alert' });
export const toAlertDto = (a: Alert, publicUrl: string): z.infer<typeof alertDto> => ({
  id: a.id, user_id: a.userId, lead_id: a.leadId, kind: a.kind, title: a.title, body: a.body, url: `${publicUrl}${String(a.context.path ?? '')}`,
  context: a.context, created_at: a.createdAt.toISOString(), read_at: iso(a.readAt), delivered_at: iso(a.deliveredAt), email_status: a.emailStatus,
});
export const alertQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.uuid().optional(),
});

// Webhook DTOs live in webhooks.contract.ts.
