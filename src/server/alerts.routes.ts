import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { alertFeed, readAlert } from '../app/handoff/alerts.ts';
import { changeWebhook, createWebhook, removeWebhook, replayDelivery, webhookDeliveries, webhooksOf } from '../app/handoff/webhooks.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf } from './contract/common.contract.ts';
import { alertDto, alertQuery, deliveryDto, toAlertDto, toDeliveryDto, toWebhookDto, webhookDto, webhookInput, webhookPatch } from './contract/handoff.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

export function alertsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['alerts'];
  const base = deps.publicUrl.replace(/\/$/, '');

  app.get('/api/v1/alerts', { config: { permission: 'read' }, schema: { tags, summary: "The caller's alerts feed, newest first", querystring: alertQuery, response: { 200: pageOf(alertDto), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      if (!p.userId) return sendError(reply, 'ValidationFailed', 'Alerts belong to a user: use a session or a personal API key.');
      const q = request.query;
      const page = await alertFeed(deps.app, p.workspaceId, p.userId, { unread: q.unread === undefined ? undefined : q.unread === 'true' }, { limit: q.limit, cursor: q.cursor });
      return { data: page.data.map((a) => toAlertDto(a, base)), next_cursor: page.nextCursor };
    });

  app.post('/api/v1/alerts/:id/read', { config: { permission: 'read' }, schema: { tags, summary: 'Mark one of your alerts read', params: idParams, response: { 200: alertDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      if (!p.userId) return sendError(reply, 'ValidationFailed', 'Alerts belong to a user: use a session or a personal API key.');
      const result = await readAlert(deps.app, p.workspaceId, p.userId, request.params.id);
      return result.ok ? toAlertDto(result.value, base) : sendFailure(reply, result);
    });

  const wtags = ['webhooks'];
  app.get('/api/v1/webhooks', { config: { permission: 'admin' }, schema: { tags: wtags, summary: 'Alert webhooks (Slack or signed JSON)', response: { 200: z.object({ data: z.array(webhookDto) }), ...errorResponses } } },
    async (request) => ({ data: (await webhooksOf(deps.app, principalOf(request).workspaceId)).map((w) => toWebhookDto(w)) }));

  app.post('/api/v1/webhooks', { config: { permission: 'admin' }, schema: { tags: wtags, summary: 'Add a webhook; the signing secret is returned once', body: webhookInput, response: { 201: webhookDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await createWebhook(deps.app, principalOf(request).workspaceId, request.body);
      return result.ok ? reply.code(201).send(toWebhookDto(result.value, true)) : sendFailure(reply, result);
    });

  app.patch('/api/v1/webhooks/:id', { config: { permission: 'admin' }, schema: { tags: wtags, summary: 'Rename, move or pause a webhook', params: idParams, body: webhookPatch, response: { 200: webhookDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await changeWebhook(deps.app, principalOf(request).workspaceId, request.params.id, request.body);
      return result.ok ? toWebhookDto(result.value) : sendFailure(reply, result);
    });

  app.delete('/api/v1/webhooks/:id', { config: { permission: 'admin' }, schema: { tags: wtags, summary: 'Delete a webhook and its delivery log', params: idParams, response: { 200: z.object({ id: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const result = await removeWebhook(deps.app, principalOf(request).workspaceId, request.params.id);
      return result.ok ? result.value : sendFailure(reply, result);
    });

  app.get('/api/v1/webhooks/:id/deliveries', { config: { permission: 'admin' }, schema: { tags: wtags, summary: 'Every delivery attempt: status, response code, duration, error', params: idParams, response: { 200: z.object({ data: z.array(deliveryDto) }), ...errorResponses } } },
    async (request, reply) => {
      const result = await webhookDeliveries(deps.app, principalOf(request).workspaceId, request.params.id);
      return result.ok ? { data: result.value.map(toDeliveryDto) } : sendFailure(reply, result);
    });

  app.post('/api/v1/webhooks/deliveries/:id/replay', { config: { permission: 'admin' }, schema: { tags: wtags, summary: "Send a delivery's alert to its webhook again", params: idParams, response: { 202: z.object({ queued: z.boolean(), webhook_id: z.string(), alert_id: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const result = await replayDelivery(deps.app, principalOf(request).workspaceId, request.params.id);
      return result.ok ? reply.code(202).send({ queued: true, webhook_id: result.value.webhookId, alert_id: result.value.alertId }) : sendFailure(reply, result);
    });
}
