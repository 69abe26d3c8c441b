import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { changeWebhook, createWebhook, removeWebhook, replayDelivery, rotateWebhookSecret, webhookDeliveries, webhooksOf } from '../app/webhooks/webhook-admin.ts';
import { principalOf } from './auth.guard.ts';
import { pageInMemory } from '../core/lists.rules.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import {
  deliveryDto, eventTypeDto, eventTypeList, rotateSecretInput, toDeliveryDto, toWebhookDto, webhookDto, webhookInput, webhookPatch,
} from './contract/webhooks.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function webhooksRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];
  const now = () => deps.app.clock.now();

  app.get('/api/v1/webhooks/event-types', { config: { permission: 'admin' }, schema: { tags, summary: 'Event types an endpoint can subscribe to (a fixed catalogue, by name)', querystring: z.strictObject(pageParams({ keyed: ['text'] })), response: { 200: pageOf(eventTypeDto), ...errorResponses } } },
    async (request) => {
      // A fixed catalogue held in memory: paged in memory by type name, with the same key1 cursor as the stored lists.
      const page = pageInMemory(eventTypeList, (t) => t.type, request.query.limit, request.query.cursor);
      return { data: page.data, next_cursor: page.nextCursor };
    });

  app.get('/api/v1/webhooks', { config: { permission: 'admin' }, schema: { tags, summary: 'Webhook endpoints: Slack alerts, or lifecycle events signed per Standard Webhooks', querystring: z.strictObject(pageParams()), response: { 200: pageOf(webhookDto), ...errorResponses } } },
    async (request) => {
      const page = await webhooksOf(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map((w) => toWebhookDto(w, false, now())), next_cursor: page.nextCursor };
    });

  app.post('/api/v1/webhooks', { config: { permission: 'admin' }, schema: { tags, summary: 'Add a webhook; the signing secret is returned once', body: webhookInput, response: { 201: webhookDto, ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const result = await createWebhook(deps.app, principalOf(request), { name: b.name, kind: b.kind, url: b.url, eventTypes: b.event_types });
      return result.ok ? reply.code(201).send(toWebhookDto(result.value, true, now())) : sendFailure(reply, result);
    });

  app.patch('/api/v1/webhooks/:id', { config: { permission: 'admin' }, schema: { tags, summary: 'Rename, move, pause or change the event types of a webhook', params: idParams, body: webhookPatch, response: { 200: webhookDto, ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const result = await changeWebhook(deps.app, principalOf(request), request.params.id, { name: b.name, url: b.url, active: b.active, eventTypes: b.event_types });
      return result.ok ? toWebhookDto(result.value, false, now()) : sendFailure(reply, result);
    });

  app.post('/api/v1/webhooks/:id/rotate-secret', { config: { permission: 'admin' }, schema: { tags, summary: 'New signing secret; the old one keeps signing during the overlap window', params: idParams, body: rotateSecretInput, response: { 200: webhookDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await rotateWebhookSecret(deps.app, principalOf(request), request.params.id, { overlapHours: request.body.overlap_hours, reason: request.body.reason });
      return result.ok ? toWebhookDto(result.value, true, now()) : sendFailure(reply, result);
    });

  app.delete('/api/v1/webhooks/:id', { config: { permission: 'admin' }, schema: { tags, summary: 'Delete a webhook and its delivery log', params: idParams, response: { 200: z.object({ id: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const result = await removeWebhook(deps.app, principalOf(request), request.params.id);
      return result.ok ? result.value : sendFailure(reply, result);
    });

  app.get('/api/v1/webhooks/:id/deliveries', { config: { permission: 'admin' }, schema: { tags, summary: 'Every delivery attempt: status, response code, duration, error', params: idParams, querystring: z.strictObject(pageParams({ defaultLimit: 100 })), response: { 200: pageOf(deliveryDto), ...errorResponses } } },
    async (request, reply) => {
      const result = await webhookDeliveries(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
      return result.ok ? { data: result.value.data.map(toDeliveryDto), next_cursor: result.value.nextCursor } : sendFailure(reply, result);
    });

  app.post('/api/v1/webhooks/deliveries/:id/replay', { config: { permission: 'admin' }, schema: { tags, summary: "Send a delivery's alert or event to its webhook again (an event keeps its webhook-id)", params: idParams, response: { 202: z.object({ queued: z.boolean(), webhook_id: z.string(), alert_id: z.string().nullable(), event_id: z.string().nullable() }), ...errorResponses } } },
    async (request, reply) => {
      const result = await replayDelivery(deps.app, principalOf(request).workspaceId, request.params.id);
      return result.ok
        ? reply.code(202).send({ queued: true, webhook_id: result.value.webhookId, alert_id: result.value.alertId, event_id: result.value.eventId })
        : sendFailure(reply, result);
    });
}
