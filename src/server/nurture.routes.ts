import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { enrollLead } from '../app/nurture/nurture-enrollment.ts';
import { nurtureMetrics, nurtureReportJson } from '../app/nurture/nurture-report.ts';
import { changeTrack, createTrack, enrollmentsOf, findTrack, tracksOf } from '../app/nurture/nurture-tracks.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams } from './contract/common.contract.ts';
import { enrollmentDto, toEnrollmentDto, toTrackDto, trackDto, trackInput, trackPatch } from './contract/nurture.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function nurtureRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['nurture'];

  app.get('/api/v1/nurture/tracks', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List nurture tracks (highest priority first)', response: { 200: z.object({ data: z.array(trackDto) }), ...errorResponses } },
  }, async (request) => ({ data: (await tracksOf(deps.app, principalOf(request).workspaceId)).map(toTrackDto) }));

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

  app.get('/api/v1/nurture/enrollments', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Nurture enrollments of a lead, a contact or a track',
      querystring: z.strictObject({ lead_id: z.uuid().optional(), contact_id: z.uuid().optional(), track_id: z.uuid().optional() }),
      response: { 200: z.object({ data: z.array(enrollmentDto) }), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    return { data: (await enrollmentsOf(deps.app, principalOf(request).workspaceId, { leadId: q.lead_id, contactId: q.contact_id, trackId: q.track_id })).map(toEnrollmentDto) };
  });

  app.get('/api/v1/reports/nurture', {
    config: { permission: 'read' },
    schema: { tags: ['reports'], summary: 'Nurture metrics per track and step, and time to sales-ready for nurtured vs other leads', response: { 200: z.record(z.string(), z.unknown()), ...errorResponses } },
  }, async (request) => nurtureReportJson(await nurtureMetrics(deps.app, principalOf(request).workspaceId)));
}
