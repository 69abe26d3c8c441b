import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../app/context.ts';
import { authorizeLead } from '../app/permissions.ts';
import { reassignLead } from '../app/handoff/assignment.ts';
import { leadHandoffTrail, leadRecycles, logTouch, putReasonCodes, rejectLead } from '../app/handoff/lead-handoff.ts';
import { logNote } from '../app/handoff/sales-activity.ts';
import { slaPolicyInForce } from '../app/handoff/sla-setup.ts';
import { currentRoutingRules, putRoutingConfig, repSettingsOf, routingHistory, setRepSettings, setTeam, teamsOf } from '../app/handoff/routing-config.ts';
import { allowedTransitions } from '../core/lifecycle.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, iso, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import {
  assignInput, assignmentDto, clockDto, rejectInput, reasonCodesPut, repSettingsDto, repSettingsInput, routingDto, routingPut, slaPolicyDto, slaPolicyQuery,
  teamDto, teamInput,
  toAssignmentDto, toClockDto, touchInput,
} from './contract/handoff.contract.ts';
import { leadDto, toLeadDto, toTransitionDto, transitionDto } from './contract/leads.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const routingOut = (c: Awaited<ReturnType<typeof currentRoutingRules>>) => ({ version: c.version, rules: c.rules, created_by: c.createdBy, created_at: iso(c.createdAt) });

export function handoffRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['hand-off'];

  app.get('/api/v1/routing', { config: { permission: 'read' }, schema: { tags, summary: 'The current routing rules (version, who, when)', response: { 200: routingDto, ...errorResponses } } },
    async (request) => routingOut(await currentRoutingRules(deps.app.db, principalOf(request).workspaceId)));

  app.put('/api/v1/routing', { config: { permission: 'admin' }, schema: { tags, summary: 'Store a new version of the routing rules', body: routingPut, response: { 200: routingDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const result = await putRoutingConfig(deps.app, p.workspaceId, { rules: request.body.rules, userId: p.userId });
      return result.ok ? routingOut(result.value) : sendFailure(reply, result);
    });

  app.get('/api/v1/routing/versions', { config: { permission: 'read' }, schema: { tags, summary: 'Every version of the routing rules, newest first', querystring: z.strictObject(pageParams({ keyed: ['integer'] })), response: { 200: pageOf(routingDto), ...errorResponses } } },
    async (request) => {
      const page = await routingHistory(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map(routingOut), next_cursor: page.nextCursor };
    });

  app.get('/api/v1/rep-settings', { config: { permission: 'read' }, schema: { tags, summary: 'Round-robin weight and capacity per rep', querystring: z.strictObject(pageParams()), response: { 200: pageOf(repSettingsDto), ...errorResponses } } },
    async (request) => {
      const page = await repSettingsOf(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map((s) => ({ user_id: s.userId, weight: s.weight, capacity: s.capacity })), next_cursor: page.nextCursor };
    });

  app.put('/api/v1/users/:id/rep-settings', { config: { permission: 'admin' }, schema: { tags, summary: "Set a rep's round-robin weight and capacity", params: idParams, body: repSettingsInput, response: { 200: repSettingsDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await setRepSettings(deps.app, principalOf(request).workspaceId, { userId: request.params.id, weight: request.body.weight, capacity: request.body.capacity });
      return result.ok ? { user_id: result.value.userId, weight: result.value.weight, capacity: result.value.capacity } : sendFailure(reply, result);
    });

  app.get('/api/v1/teams', { config: { permission: 'read' }, schema: { tags, summary: 'Teams (by name) with their business calendar and manager', querystring: z.strictObject(pageParams({ keyed: ['text'] })), response: { 200: pageOf(teamDto), ...errorResponses } } },
    async (request) => {
      const page = await teamsOf(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map((t) => ({ name: t.name, calendar: t.calendar, manager_id: t.managerId })), next_cursor: page.nextCursor };
    });

  app.put('/api/v1/teams/:name', { config: { permission: 'admin' }, schema: { tags, summary: "Set a team's business calendar (SLA hours, time zone) and manager", params: z.strictObject({ name: z.string().min(1).max(100) }), body: teamInput, response: { 200: teamDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await setTeam(deps.app, principalOf(request).workspaceId, { name: request.params.name, calendar: request.body.calendar, managerId: request.body.manager_id });
      return result.ok ? { name: result.value.name, calendar: result.value.calendar, manager_id: result.value.managerId } : sendFailure(reply, result);
    });

  app.get('/api/v1/sla-policy', { config: { permission: 'read' }, schema: { tags, summary: 'The SLA targets, escalation steps and business calendar in force (for a team)', querystring: slaPolicyQuery, response: { 200: slaPolicyDto, ...errorResponses } } },
    async (request) => {
      const team = request.query.team ?? null;
      const s = await slaPolicyInForce(deps.app.db, principalOf(request).workspaceId, team);
      return { source: s.source, team, policy: s.policy, calendar: s.calendar, calendar_source: s.calendarSource };
    });

  app.post('/api/v1/leads/:id/assign', { config: { permission: 'write' }, schema: { tags, summary: 'Reassign a lead (sales managers and admins); recorded with the note', params: idParams, body: assignInput, response: { 201: z.object({ lead: leadDto, assignment: assignmentDto }), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      // Managers of the lead's team and admins reassign; a machine key needs the admin scope.
      const allowed = await authorizeLead(deps.app, p, request.params.id, { act: 'assign' });
      if (!allowed.ok) return sendFailure(reply, allowed);
      const result = await reassignLead(deps.app, p.workspaceId, request.params.id, { ownerId: request.body.owner_id, note: request.body.note ?? null, actor: actorOf(p) });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send({ lead: toLeadDto(result.value.lead, allowedTransitions(result.value.lead.stage)), assignment: toAssignmentDto(result.value.assignment) });
    });

  app.post('/api/v1/leads/:id/touches', { config: { permission: 'write' }, schema: { tags, summary: 'Log a sales call, email or meeting (stops the first-touch SLA clock)', params: idParams, body: touchInput, response: { 201: z.object({ activity_id: z.string(), type: z.string(), occurred_at: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const allowed = await authorizeLead(deps.app, p, request.params.id, { act: 'touch' });
      if (!allowed.ok) return sendFailure(reply, allowed);
      const result = await logTouch(deps.app, p.workspaceId, request.params.id, { type: b.type, note: b.note ?? null, occurredAt: b.occurred_at ? new Date(b.occurred_at) : null, actor: actorOf(p) });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send({ activity_id: result.value.id, type: result.value.type, occurred_at: result.value.occurredAt.toISOString() });
    });

  app.post('/api/v1/leads/:id/notes', { config: { permission: 'write' }, schema: { tags, summary: "Add a rep's note to a lead's timeline (a note is not a touch: the first-touch clock keeps running)", params: idParams, body: z.strictObject({ note: z.string().trim().min(1, 'must not be empty').max(5000) }), response: { 201: z.object({ activity_id: z.string(), occurred_at: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const allowed = await authorizeLead(deps.app, p, request.params.id, { act: 'touch' });
      if (!allowed.ok) return sendFailure(reply, allowed);
      const result = await logNote(deps.app, p.workspaceId, request.params.id, { note: request.body.note, actor: actorOf(p) });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send({ activity_id: result.value.id, occurred_at: result.value.occurredAt.toISOString() });
    });

  app.post('/api/v1/leads/:id/reject', { config: { permission: 'write' }, schema: { tags, summary: "Reject or hand back with a reason; the reason's outcome decides nurture or disqualified", params: idParams, body: rejectInput, response: { 201: z.object({ lead: leadDto, transition: transitionDto }), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      // Rejecting an MQL or handing back a SAL/SQL: sales work on this lead (its stage says which).
      const allowed = await authorizeLead(deps.app, p, request.params.id, { act: 'reject' });
      if (!allowed.ok) return sendFailure(reply, allowed);
      const result = await rejectLead(deps.app, p.workspaceId, request.params.id, { reasonCode: b.reason_code, note: b.note ?? null, recheckAt: b.recheck_at ? new Date(b.recheck_at) : null, actor: actorOf(p) });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send({ lead: toLeadDto(result.value.lead, allowedTransitions(result.value.lead.stage)), transition: toTransitionDto(result.value.transition) });
    });

  const recycleEvent = transitionDto.extend({ reason_label: z.string().nullable(), outcome: z.string().nullable() });
  app.get('/api/v1/leads/:id/recycles', { config: { permission: 'read' }, schema: { tags, summary: "A lead's recycle count and reason history", params: idParams, response: { 200: z.object({ recycle_count: z.number(), events: z.array(recycleEvent) }), ...errorResponses } } },
    async (request, reply) => {
      const result = await leadRecycles(deps.app, principalOf(request).workspaceId, request.params.id);
      if (!result.ok) return sendFailure(reply, result);
      return { recycle_count: result.value.recycleCount, events: result.value.events.map((e) => ({ ...toTransitionDto(e), reason_label: e.reasonLabel, outcome: e.outcome })) };
    });

  const escalationDto = z.object({ id: z.string(), kind: z.string(), action: z.string(), recipient_id: z.string().nullable(), from_owner_id: z.string().nullable(), to_owner_id: z.string().nullable(), queue: z.string().nullable(), reason: z.string(), at: z.string() });
  app.get('/api/v1/leads/:id/handoff', { config: { permission: 'read' }, schema: { tags, summary: 'Assignments (with why), SLA clocks and escalations of a lead', params: idParams, response: { 200: z.object({ assignments: z.array(assignmentDto), clocks: z.array(clockDto), escalations: z.array(escalationDto) }), ...errorResponses } } },
    async (request, reply) => {
      const result = await leadHandoffTrail(deps.app, principalOf(request).workspaceId, request.params.id);
      if (!result.ok) return sendFailure(reply, result);
      return {
        assignments: result.value.assignments.map(toAssignmentDto), clocks: result.value.clocks.map(toClockDto),
        escalations: result.value.escalations.map((e) => ({ id: e.id, kind: e.kind, action: e.action, recipient_id: e.recipientId, from_owner_id: e.fromOwnerId, to_owner_id: e.toOwnerId, queue: e.queue, reason: e.reason, at: e.at.toISOString() })),
      };
    });

  app.put('/api/v1/reason-codes', { config: { permission: 'admin' }, schema: { tags, summary: 'Add or change reason codes and their outcome (nurture recycles, disqualified closes)', body: reasonCodesPut, response: { 200: z.object({ data: z.array(z.object({ code: z.string(), label: z.string(), outcome: z.string() })) }), ...errorResponses } } },
    async (request) => ({ data: await putReasonCodes(deps.app, principalOf(request).workspaceId, request.body.codes) }));
}
