import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { calendarAsCsv, calendarAsIcs, changePlan, createPlan, findPlan, plansOf, removePlan } from '../app/content-calendar.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams } from './contract/common.contract.ts';
import { planDto, planInput, planPatch, planQuery, toPlanDto } from './contract/content-library.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function contentCalendarRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];
  const host = new URL(deps.publicUrl).hostname;

  app.get('/api/v1/content/calendar', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The editorial calendar: planned assets by date', querystring: planQuery, response: { 200: z.object({ data: z.array(planDto) }), ...errorResponses } },
  }, async (request) => ({ data: (await plansOf(deps.app, principalOf(request).workspaceId, request.query)).map(toPlanDto) }));

  app.post('/api/v1/content/calendar', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Plan an asset (date, owner, target stage/persona/topic)', body: planInput, response: { 201: planDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const r = await createPlan(deps.app, principalOf(request).workspaceId, {
      title: b.title, plannedOn: b.planned_on, ownerId: b.owner_id ?? null, targetStage: b.target_stage ?? null, targetPersona: b.target_persona ?? null,
      targetTopic: b.target_topic ?? null, status: b.status, notes: b.notes ?? null,
    });
    return r.ok ? reply.code(201).send(toPlanDto(r.value)) : sendFailure(reply, r);
  });

  app.get('/api/v1/content/calendar.csv', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The editorial calendar as CSV (RFC 4180)', querystring: planQuery },
  }, async (request, reply) => {
    const csv = await calendarAsCsv(deps.app, principalOf(request).workspaceId, request.query);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="editorial-calendar.csv"').send(csv);
  });

  app.get('/api/v1/content/calendar.ics', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The editorial calendar as iCalendar (RFC 5545), one all-day event per planned asset', querystring: planQuery },
  }, async (request, reply) => {
    const ics = await calendarAsIcs(deps.app, principalOf(request).workspaceId, request.query, host);
    return reply.header('content-type', 'text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="editorial-calendar.ics"').send(ics);
  });

  app.get('/api/v1/content/calendar/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'A calendar entry', params: idParams, response: { 200: planDto, ...errorResponses } },
  }, async (request, reply) => {
    const r = await findPlan(deps.app, principalOf(request).workspaceId, request.params.id);
    return r.ok ? toPlanDto(r.value) : sendFailure(reply, r);
  });

  app.patch('/api/v1/content/calendar/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Change a calendar entry', params: idParams, body: planPatch, response: { 200: planDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const r = await changePlan(deps.app, principalOf(request).workspaceId, request.params.id, {
      title: b.title, plannedOn: b.planned_on, ownerId: b.owner_id, targetStage: b.target_stage, targetPersona: b.target_persona,
      targetTopic: b.target_topic, status: b.status, notes: b.notes,
    });
    return r.ok ? toPlanDto(r.value) : sendFailure(reply, r);
  });

  app.delete('/api/v1/content/calendar/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Remove a calendar entry', params: idParams, response: { 200: z.object({ id: z.string() }), ...errorResponses } },
  }, async (request, reply) => {
    const r = await removePlan(deps.app, principalOf(request).workspaceId, request.params.id);
    return r.ok ? r.value : sendFailure(reply, r);
  });
}
