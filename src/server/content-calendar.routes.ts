import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { calendarAsCsv, calendarAsIcs, changePlan, createPlan, findPlan, plansOf, removePlan } from '../app/content-calendar.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import { planDto, planInput, planPatch, planQuery, toPlanDto } from './contract/content-library.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

/**
 * The editorial calendar lives at `/api/v1/content-calendar`. It was at `/api/v1/content/calendar`, where
 * `/api/v1/content/calendar/{id}` and `/api/v1/content/{id}/stats` both matched `/api/v1/content/calendar/stats`
 * (ambiguous for clients and generators; Redocly's no-ambiguous-paths). The old paths still answer the same, are
 * left out of the OpenAPI document and carry `Deprecation` (RFC 9745) and a `Link` to their successor.
 */
export const CALENDAR_PATH = '/api/v1/content-calendar';
export const DEPRECATED_CALENDAR_PATH = '/api/v1/content/calendar';
/** When the old paths were deprecated (RFC 9745 `Deprecation: @<epoch seconds>`): 2026-12-05. */
const DEPRECATED_AT = '@1796428800';

export function contentCalendarRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];
  const host = new URL(deps.publicUrl).hostname;
  register(CALENDAR_PATH, false);
  register(DEPRECATED_CALENDAR_PATH, true);

  function register(base: string, deprecated: boolean): void {
    const hide = deprecated;
    const onRequest = async (request: { url: string }, reply: { header: (name: string, value: string) => unknown }) => {
      if (!deprecated) return;
      reply.header('deprecation', DEPRECATED_AT);
      reply.header('link', `<${request.url.replace(DEPRECATED_CALENDAR_PATH, CALENDAR_PATH)}>; rel="successor-version"`);
    };

    app.get(base, {
      config: { permission: 'read' }, onRequest,
      schema: { hide, tags, summary: 'The editorial calendar: planned assets by date', querystring: planQuery.extend(pageParams({ sorted: true })), response: { 200: pageOf(planDto), ...errorResponses } },
    }, async (request) => {
      const { limit, cursor, ...range } = request.query;
      const page = await plansOf(deps.app, principalOf(request).workspaceId, range, { limit, cursor });
      return { data: page.data.map(toPlanDto), next_cursor: page.nextCursor };
    });

    app.post(base, {
      config: { permission: 'write' }, onRequest,
      schema: { hide, tags, summary: 'Plan an asset (date, owner, target stage/persona/topic)', body: planInput, response: { 201: planDto, ...errorResponses } },
    }, async (request, reply) => {
      const b = request.body;
      const r = await createPlan(deps.app, principalOf(request).workspaceId, {
        title: b.title, plannedOn: b.planned_on, ownerId: b.owner_id ?? null, targetStage: b.target_stage ?? null, targetPersona: b.target_persona ?? null,
        targetTopic: b.target_topic ?? null, status: b.status, notes: b.notes ?? null,
      });
      return r.ok ? reply.code(201).send(toPlanDto(r.value)) : sendFailure(reply, r);
    });

    app.get(`${base}.csv`, {
      config: { permission: 'read' }, onRequest,
      schema: { hide, tags, summary: 'The editorial calendar as CSV (RFC 4180)', querystring: planQuery },
    }, async (request, reply) => {
      const csv = await calendarAsCsv(deps.app, principalOf(request).workspaceId, request.query);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="editorial-calendar.csv"').send(csv);
    });

    app.get(`${base}.ics`, {
      config: { permission: 'read' }, onRequest,
      schema: { hide, tags, summary: 'The editorial calendar as iCalendar (RFC 5545), one all-day event per planned asset', querystring: planQuery },
    }, async (request, reply) => {
      const ics = await calendarAsIcs(deps.app, principalOf(request).workspaceId, request.query, host);
      return reply.header('content-type', 'text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="editorial-calendar.ics"').send(ics);
    });

    app.get(`${base}/:id`, {
      config: { permission: 'read' }, onRequest,
      schema: { hide, tags, summary: 'A calendar entry', params: idParams, response: { 200: planDto, ...errorResponses } },
    }, async (request, reply) => {
      const r = await findPlan(deps.app, principalOf(request).workspaceId, request.params.id);
      return r.ok ? toPlanDto(r.value) : sendFailure(reply, r);
    });

    app.patch(`${base}/:id`, {
      config: { permission: 'write' }, onRequest,
      schema: { hide, tags, summary: 'Change a calendar entry', params: idParams, body: planPatch, response: { 200: planDto, ...errorResponses } },
    }, async (request, reply) => {
      const b = request.body;
      const r = await changePlan(deps.app, principalOf(request).workspaceId, request.params.id, {
        title: b.title, plannedOn: b.planned_on, ownerId: b.owner_id, targetStage: b.target_stage, targetPersona: b.target_persona,
        targetTopic: b.target_topic, status: b.status, notes: b.notes,
      });
      return r.ok ? toPlanDto(r.value) : sendFailure(reply, r);
    });

    app.delete(`${base}/:id`, {
      config: { permission: 'write' }, onRequest,
      schema: { hide, tags, summary: 'Remove a calendar entry', params: idParams, response: { 200: z.object({ id: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const r = await removePlan(deps.app, principalOf(request).workspaceId, request.params.id);
      return r.ok ? r.value : sendFailure(reply, r);
    });
  }
}
