import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { removeView, savedViewsFor, saveView } from '../app/saved-views.ts';
import { listEntities } from '../core/lists.rules.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import { listQuery } from './contract/lists.contract.ts';
import { savedViewDto, toSavedViewDto as toDto } from './contract/lists-views.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

// A view stores filters and sort, never a page position.
const viewQuery = listQuery.omit({ cursor: true, limit: true, updated_since: true });

export function savedViewsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['lists'];

  app.get('/api/v1/saved-views', {
    config: { permission: 'read' },
    schema: { tags, summary: "A list's saved views you see: everyone's and your team's", querystring: z.strictObject({ entity: z.enum(listEntities), ...pageParams({ sorted: true }) }), response: { 200: pageOf(savedViewDto), ...errorResponses } },
  }, async (request) => {
    const { entity, ...page } = request.query;
    const views = await savedViewsFor(deps.app, principalOf(request), entity, page);
    return { data: views.data.map(toDto), next_cursor: views.nextCursor };
  });

  app.post('/api/v1/saved-views', {
    config: { permission: 'read' },
    schema: {
      tags, summary: "Save a list's filters under a name, shared with your team (or everyone)",
      body: z.strictObject({ entity: z.enum(listEntities), name: z.string().trim().min(1).max(80), query: z.string().max(2000), share: z.enum(['team', 'everyone']).default('team') }),
      response: { 201: savedViewDto, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body;
    const params = new URLSearchParams(b.query.replace(/^\?/, ''));
    const parsed = viewQuery.safeParse(Object.fromEntries(params));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendError(reply, 'ValidationFailed', `The view's query is not a valid list filter: ${issue.message}.`, [{ path: `query.${issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(',') || ''}`, message: issue.message }]);
    }
    const result = await saveView(deps.app, principalOf(request), { entity: b.entity, name: b.name, query: params.toString(), share: b.share });
    return result.ok ? reply.code(201).send(toDto(result.value)) : sendFailure(reply, result);
  });

  app.delete('/api/v1/saved-views/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Delete a saved view (its creator or an admin)', params: idParams, response: { 200: z.object({ id: z.string() }), ...errorResponses } },
  }, async (request, reply) => {
    const result = await removeView(deps.app, principalOf(request), request.params.id);
    return result.ok ? { id: request.params.id } : sendFailure(reply, result);
  });
}
