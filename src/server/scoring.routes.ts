import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { logActivity } from '../app/scoring/log-activity.ts';
import { contactScoreHistory, highIntentSignals, leadScore } from '../app/scoring/score-queries.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageQuery } from './contract/common.contract.ts';
import { activityDto, toActivityDto } from './contract/contacts.contract.ts';
import {
  activityInput, highIntentDto, leadScoreDto, scoreEventDto, scoringOutcomeDto, toHighIntentDto, toLeadScoreDto, toScoreEventDto,
} from './contract/scoring.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function scoringRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.post('/api/v1/activities', {
    config: { permission: 'write' },
    schema: {
      tags: ['activities'], summary: 'Record an activity of a known contact (e.g. a sales touch) and score it at once',
      body: activityInput, response: { 201: z.object({ activity: activityDto, duplicate: z.boolean(), scoring: scoringOutcomeDto }), 200: z.object({ activity: activityDto, duplicate: z.boolean(), scoring: scoringOutcomeDto }), ...errorResponses },
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body;
    const result = await logActivity(deps.app, p.workspaceId, {
      contactId: b.contact_id, type: b.type, occurredAt: new Date(b.occurred_at), source: b.source, medium: b.medium, utmCampaign: b.utm_campaign,
      campaignId: b.campaign_id, contentId: b.content_id, url: b.url, referrer: b.referrer, eventName: b.event_name, properties: b.properties,
      idempotencyKey: b.idempotency_key, actorUserId: p.userId,
    });
    if (!result.ok) return sendFailure(reply, result);
    const { activity, duplicate, scoring } = result.value;
    return reply.code(duplicate ? 200 : 201).send({
      activity: toActivityDto(activity), duplicate,
      scoring: scoring && {
        definition_id: scoring.definitionId, definition_version: scoring.definitionVersion,
        contacts: scoring.contacts.map((c) => ({ contact_id: c.contactId, fit: c.fit, engagement: c.engagement, rating: c.rating, cell: c.cell, qualifies: c.qualifies, explanation: c.explanation })),
        mqls: scoring.mqls.map((m) => ({ contact_id: m.contactId, lead_id: m.leadId, from: m.from, opened: m.opened, explanation: m.explanation })),
        inquiries: scoring.inquiries.map((q) => ({ contact_id: q.contactId, lead_id: q.leadId, at: q.at.toISOString(), rule_id: q.ruleId, reason: q.reason })),
        high_intent: scoring.highIntent.map((s) => ({ id: s.id, via: s.via, detail: s.detail })),
      },
    });
  });

  app.get('/api/v1/leads/:id/score', {
    config: { permission: 'read' },
    schema: { tags: ['leads'], summary: "A lead's current fit and engagement, rule by rule, under the definition version that scores it", params: idParams, response: { 200: leadScoreDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await leadScore(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toLeadScoreDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/contacts/:id/score-history', {
    config: { permission: 'read' },
    schema: { tags: ['contacts'], summary: "A contact's score changes (newest first): activity, attribute change, decay, recompute or merge", params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(scoreEventDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await contactScoreHistory(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    if (!result.ok) return sendFailure(reply, result);
    return { data: result.value.data.map(toScoreEventDto), next_cursor: result.value.nextCursor };
  });

  app.get('/api/v1/high-intent-signals', {
    config: { permission: 'read' },
    schema: { tags: ['leads'], summary: 'Contacts who consumed agreed high-intent content (newest first)', querystring: z.strictObject({ contact_id: z.uuid().optional(), ...pageQuery }), response: { 200: pageOf(highIntentDto), ...errorResponses } },
  }, async (request) => {
    const q = request.query;
    const page = await highIntentSignals(deps.app, principalOf(request).workspaceId, { contactId: q.contact_id }, { limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(toHighIntentDto), next_cursor: page.nextCursor };
  });
}
