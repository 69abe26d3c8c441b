import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createApiKey, listKeys, revokeKey } from '../app/auth.ts';
import { changeUser, createUser, reasonTaxonomy, usersPage } from '../app/workspaces.ts';
import { principalOf } from './auth.guard.ts';
import { apiKeyDto, apiKeyInput, invitationDto, inviteInput, toApiKeyDto, toUserDto, userDto, userInput, userPatch } from './contract/admin.contract.ts';
import type { Invitation } from '../app/auth.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function adminRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get('/api/v1/users', { config: { permission: 'read' }, schema: { tags, summary: 'List users, by email', querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(userDto), ...errorResponses } } },
    async (request) => {
      const page = await usersPage(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map(toUserDto), next_cursor: page.nextCursor };
    });

  app.post('/api/v1/users', { config: { permission: 'admin' }, schema: { tags, summary: 'Create a user', body: userInput, response: { 201: userDto, ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const result = await createUser(deps.app, principalOf(request).workspaceId, { email: b.email, name: b.name, role: b.role, password: b.password, team: b.team, managerId: b.manager_id });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send(toUserDto(result.value));
    });

  const toInvitationDto = (i: Invitation) => ({ user: toUserDto(i.user), expires_at: i.expiresAt.toISOString(), email_sent: i.emailSent, detail: i.emailDetail, invite_url: i.inviteUrl });

  app.post('/api/v1/users/invite', { config: { permission: 'admin' }, schema: { tags, summary: 'Invite a user by email: they choose their own password through a single-use link (7 days)', body: inviteInput, response: { 201: invitationDto, ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const result = await deps.auth.inviteUser(principalOf(request), { email: b.email, name: b.name, role: b.role, team: b.team, managerId: b.manager_id });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send(toInvitationDto(result.value));
    });

  app.post('/api/v1/users/:id/invite', { config: { permission: 'admin' }, schema: { tags, summary: 'Send a user who has no password yet a new invitation (earlier links stop working)', params: idParams, response: { 200: invitationDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await deps.auth.resendInvite(principalOf(request), request.params.id);
      if (!result.ok) return sendFailure(reply, result);
      return toInvitationDto(result.value);
    });

  app.patch('/api/v1/users/:id', { config: { permission: 'admin' }, schema: { tags, summary: 'Change a user (role, team, out of office, disabled)', params: idParams, body: userPatch, response: { 200: userDto, ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const result = await changeUser(deps.app, principalOf(request).workspaceId, request.params.id, {
        name: b.name, role: b.role, team: b.team, managerId: b.manager_id, disabled: b.disabled,
        outOfOfficeUntil: b.out_of_office_until === undefined ? undefined : b.out_of_office_until === null ? null : new Date(b.out_of_office_until),
      });
      if (!result.ok) return sendFailure(reply, result);
      return toUserDto(result.value);
    });

  app.get('/api/v1/api-keys', { config: { permission: 'admin' }, schema: { tags, summary: 'List API keys (never the secrets), newest first', querystring: z.strictObject(pageParams()), response: { 200: pageOf(apiKeyDto), ...errorResponses } } },
    async (request) => {
      const page = await listKeys(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map(toApiKeyDto), next_cursor: page.nextCursor };
    });

  app.post('/api/v1/api-keys', { config: { permission: 'admin' }, schema: { tags, summary: 'Create an API key; the secret is shown once', body: apiKeyInput, response: { 201: apiKeyDto.extend({ key: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const result = await createApiKey(deps.app, principalOf(request).workspaceId, { name: request.body.name, scopes: request.body.scopes, userId: request.body.user_id });
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(201).send({ ...toApiKeyDto(result.value.apiKey), key: result.value.key });
    });

  app.delete('/api/v1/api-keys/:id', { config: { permission: 'admin' }, schema: { tags, summary: 'Revoke an API key', params: idParams, response: { 200: apiKeyDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await revokeKey(deps.app, principalOf(request).workspaceId, request.params.id);
      if (!result.ok) return sendFailure(reply, result);
      deps.auth.forgetCachedKeys();
      return toApiKeyDto(result.value);
    });

  app.get('/api/v1/reason-codes', { config: { permission: 'read' }, schema: { tags, summary: 'The reject / recycle / disqualify / lost reason taxonomy, by code', querystring: z.strictObject(pageParams({ keyed: ['text'] })), response: { 200: pageOf(z.object({ code: z.string(), label: z.string(), outcome: z.string() })), ...errorResponses } } },
    async (request) => {
      const page = await reasonTaxonomy(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data, next_cursor: page.nextCursor };
    });
}
