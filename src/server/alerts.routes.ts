import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { alertFeed, readAlert } from '../app/handoff/alerts.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf } from './contract/common.contract.ts';
import { alertDto, alertQuery, toAlertDto } from './contract/handoff.contract.ts';
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

  // Webhook endpoints: webhooks.routes.ts.
}
