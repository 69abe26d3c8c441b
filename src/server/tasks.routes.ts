import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { changeTask, createTask, tasksOf } from '../app/tasks.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf } from './contract/common.contract.ts';
import { taskDto, taskInput, taskPatch, taskQuery, toTaskDto } from './contract/tasks.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function tasksRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['tasks'];

  app.get('/api/v1/tasks', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Follow-up tasks by due time (default: open ones)', querystring: taskQuery, response: { 200: pageOf(taskDto), ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const q = request.query;
    if (q.owner === 'me' && !p.userId) return sendFailure(reply, { ok: false, code: 'ValidationFailed', message: 'An API key has no tasks of its own: give owner=<user id>.', details: [{ path: 'querystring.owner', message: 'use a user id' }] });
    if (q.owner && q.owner !== 'me' && !z.uuid().safeParse(q.owner).success) return sendFailure(reply, { ok: false, code: 'ValidationFailed', message: 'owner must be "me" or a user id.', details: [{ path: 'querystring.owner', message: 'must be "me" or a UUID' }] });
    const ownerId = q.owner === 'me' ? p.userId! : q.owner;
    const open = q.status === 'all' ? undefined : q.status === 'open';
    const page = await tasksOf(deps.app, p.workspaceId, { ownerId, leadId: q.lead_id, contactId: q.contact_id, open }, { limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(toTaskDto), next_cursor: page.nextCursor };
  });

  app.post('/api/v1/tasks', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Add a follow-up task on a lead or a contact', body: taskInput, response: { 201: taskDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await createTask(deps.app, principalOf(request), { leadId: b.lead_id, contactId: b.contact_id, title: b.title, dueAt: new Date(b.due_at), ownerId: b.owner_id });
    return result.ok ? reply.code(201).send(toTaskDto(result.value)) : sendFailure(reply, result);
  });

  app.patch('/api/v1/tasks/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Mark a task done (or open again), rename it or move its due time', params: idParams, body: taskPatch, response: { 200: taskDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await changeTask(deps.app, principalOf(request), request.params.id, { title: b.title, dueAt: b.due_at ? new Date(b.due_at) : undefined, done: b.done });
    return result.ok ? toTaskDto(result.value) : sendFailure(reply, result);
  });
}
