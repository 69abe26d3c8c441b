import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { enrollLead } from '../app/nurture/nurture-enrollment.ts';
import { nurtureMetrics, nurtureReportJson } from '../app/nurture/nurture-report.ts';
import { changeTrack, createTrack, enrollmentsOf, findTrack, tracksOf } from '../app/nurture/nurture-tracks.ts';
import { enrollSegment, peopleOfEnrollments, queueTestSend, removeEnrollment, renderTestEmail, SEGMENT_LIMIT } from '../app/nurture/nurture-segments.ts';
import { entryRules, sendEmailStep } from '../core/nurture/nurture-track.schema.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import { enrollmentDto, toEnrollmentDto, toTrackDto, trackDto, trackInput, trackPatch } from './contract/nurture.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const segmentOutcomeDto = z.object({ matched: z.number(), enrolled: z.number(), already_in_track: z.number(), not_emailable: z.number(), waiting_for_recheck: z.number(), dry_run: z.boolean() });

export function nurtureRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['nurture'];

  app.get('/api/v1/nurture/tracks', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List nurture tracks (highest priority first, then by name)', querystring: z.strictObject(pageParams({ keyed: ['integer', 'text', 'uuid'] })), response: { 200: pageOf(trackDto), ...errorResponses } },
  }, async (request) => {
    const page = await tracksOf(deps.app, principalOf(request).workspaceId, request.query);
    return { data: page.data.map(toTrackDto), next_cursor: page.nextCursor };
  });

  app.post('/api/v1/nurture/tracks', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Create a nurture track: entry rules, steps, cadence, exit rules', body: trackInput, response: { 201: trackDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await createTrack(deps.app, principalOf(request).workspaceId, request.body);
    return result.ok ? reply.code(201).send(toTrackDto(result.value)) : sendFailure(reply, result);
  });

  app.get('/api/v1/nurture/tracks/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Get a nurture track', params: idParams, response: { 200: trackDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findTrack(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toTrackDto(result.value) : sendFailure(reply, result);
  });

  app.patch('/api/v1/nurture/tracks/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Change a nurture track (e.g. deactivate it)', params: idParams, body: trackPatch, response: { 200: trackDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await changeTrack(deps.app, principalOf(request).workspaceId, request.params.id, request.body);
    return result.ok ? toTrackDto(result.value) : sendFailure(reply, result);
  });

  app.post('/api/v1/nurture/tracks/:id/enrollments', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Enroll a lead in a track by hand (one track per person)', params: idParams, body: z.strictObject({ lead_id: z.uuid() }), response: { 201: enrollmentDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await enrollLead(deps.app, principalOf(request).workspaceId, request.params.id, request.body.lead_id);
    return result.ok ? reply.code(201).send(toEnrollmentDto(result.value)) : sendFailure(reply, result);
  });

  app.post('/api/v1/nurture/tracks/:id/segment-enrollments', {
    config: { permission: 'write' },
    schema: {
      tags, summary: 'Enrol a segment of open inquiry/nurture leads (default: who fits the track\'s entry rules); dry_run counts only', params: idParams,
      body: z.strictObject({ segment: entryRules.optional(), limit: z.number().int().min(1).max(SEGMENT_LIMIT).optional(), dry_run: z.boolean().optional() }),
      response: { 200: segmentOutcomeDto, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body;
    const result = await enrollSegment(deps.app, principalOf(request).workspaceId, request.params.id, { segment: b.segment, limit: b.limit, dryRun: b.dry_run });
    if (!result.ok) return sendFailure(reply, result);
    const o = result.value;
    return { matched: o.matched, enrolled: o.enrolled, already_in_track: o.alreadyInTrack, not_emailable: o.notEmailable, waiting_for_recheck: o.waitingForRecheck, dry_run: o.dryRun };
  });

  app.post('/api/v1/nurture/enrollments/:id/remove', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Take a person out of their track (exit reason: removed)', params: idParams, response: { 200: enrollmentDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await removeEnrollment(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toEnrollmentDto(result.value) : sendFailure(reply, result);
  });

  app.post('/api/v1/nurture/test-sends', {
    config: { permission: 'write' },
    schema: {
      tags, summary: 'Send a template as a test email through the worker\'s mailer (default recipient: you); answers the rendered email',
      body: z.strictObject({ to: z.email({ message: 'must be an email address' }).optional(), subject: sendEmailStep.shape.subject, template: sendEmailStep.shape.template, asset_id: z.uuid().optional() }),
      response: { 202: z.object({ to: z.string(), subject: z.string(), text: z.string() }), ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body;
    const result = await queueTestSend(deps.app, principalOf(request), { to: b.to, subject: b.subject, template: b.template, assetId: b.asset_id });
    if (!result.ok) return sendFailure(reply, result);
    const mail = renderTestEmail(result.value, deps.publicUrl);
    return reply.code(202).send({ to: result.value.to, subject: mail.subject, text: mail.text });
  });

  app.get('/api/v1/nurture/enrollments', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Nurture enrollments of a lead, a contact or a track',
      querystring: z.strictObject({ lead_id: z.uuid().optional(), contact_id: z.uuid().optional(), track_id: z.uuid().optional(), include: z.literal('person').optional().describe('person: embed each enrollment\'s name and email (one query for the page)'), ...pageParams({ defaultLimit: 1000, maxLimit: 1000 }) }),
      response: { 200: pageOf(enrollmentDto.extend({ person: z.object({ name: z.string(), email: z.string().nullable() }).nullable().optional() })), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const ws = principalOf(request).workspaceId;
    const page = await enrollmentsOf(deps.app, ws, { leadId: q.lead_id, contactId: q.contact_id, trackId: q.track_id }, { limit: q.limit, cursor: q.cursor });
    const list = page.data;
    if (q.include !== 'person') return { data: list.map(toEnrollmentDto), next_cursor: page.nextCursor };
    const people = await peopleOfEnrollments(deps.app, ws, list);
    return { data: list.map((e) => ({ ...toEnrollmentDto(e), person: people.get(e.contactId) ?? null })), next_cursor: page.nextCursor };
  });

  app.get('/api/v1/reports/nurture', {
    config: { permission: 'read' },
    schema: { tags: ['reports'], summary: 'Nurture metrics per track and step, and time to sales-ready for nurtured vs other leads', response: { 200: z.record(z.string(), z.unknown()), ...errorResponses } },
  }, async (request) => nurtureReportJson(await nurtureMetrics(deps.app, principalOf(request).workspaceId)));
}
