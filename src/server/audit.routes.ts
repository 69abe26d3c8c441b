import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditLogCsv, auditLogPage, runAsActor, type AuditQuery } from '../app/audit.ts';
import { principalOf } from './auth.guard.ts';
import { auditEntryDto, auditQuery, toAuditEntryDto } from './contract/audit.contract.ts';
import { errorResponses, pageOf } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';

/**
 * preHandler hook (after the auth guard): the rest of the request runs with its principal as the
 * default actor of audit entries, so use cases record who acted without threading it through.
 * Callback style on purpose: the handler then runs inside the AsyncLocalStorage context.
 */
export function auditActorHook(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (request.principal) runAsActor(request.principal, done);
  else done();
}

/** The audit log: read-only (nothing in the API, or the database, updates or deletes it). Admins. */
export function auditRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/audit-log', {
    config: { permission: 'admin' },
    schema: {
      tags: ['audit'], querystring: auditQuery, response: { 200: pageOf(auditEntryDto), ...errorResponses },
      summary: 'Who changed what, when, from what to what: filter by actor, object, action and time; newest first, cursor pagination; format=csv exports every matching row',
    },
  }, async (request, reply) => {
    const q = request.query;
    const from = q.from ? new Date(q.from) : null;
    const to = q.to ? new Date(q.to) : null;
    if (from && to && from >= to) return sendError(reply, 'ValidationFailed', '`from` must be before `to`.', [{ path: 'querystring.to', message: 'must be after from' }]);
    const filter: AuditQuery = { actorId: q.actor, actorKind: q.actor_kind, objectType: q.object_type, objectId: q.object_id, action: q.action, from, to };
    const ws = principalOf(request).workspaceId;
    if (q.format === 'csv') {
      const csv = await auditLogCsv(deps.app, ws, filter);
      return (reply as unknown as FastifyReply).type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-log-${deps.app.clock.now().toISOString().slice(0, 10)}.csv"`).send(csv);
    }
    const page = await auditLogPage(deps.app, ws, filter, { limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(toAuditEntryDto), next_cursor: page.nextCursor } satisfies z.infer<ReturnType<typeof pageOf<typeof auditEntryDto>>>;
  });
}
