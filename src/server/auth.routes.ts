import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { findUser } from '../app/workspaces.ts';
import { principalOf, SESSION_COOKIE } from './auth.guard.ts';
import { errorSchema } from './contract/common.contract.ts';
import { toUserDto, userDto } from './contract/admin.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

const meDto = z.object({ user: userDto.nullable(), workspace_id: z.string(), permissions: z.array(z.string()), via: z.string() });

export function authRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/auth/login', {
    config: { permission: 'public' },
    schema: {
      tags: ['auth'], summary: 'Log in to the web app (sets a session cookie)',
      body: z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1000), workspace_id: z.uuid().optional() }),
      response: { 200: z.object({ user: userDto, expires_at: z.string() }), 401: errorSchema },
    },
  }, async (request, reply) => {
    const result = await deps.auth.login({ email: request.body.email, password: request.body.password, workspaceId: request.body.workspace_id });
    if (!result.ok) return sendFailure(reply, result);
    reply.setCookie(SESSION_COOKIE, result.value.token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, expires: result.value.expiresAt,
    });
    return { user: toUserDto(result.value.user), expires_at: result.value.expiresAt.toISOString() };
  });

  app.post('/api/v1/auth/logout', { config: { permission: 'public' }, schema: { tags: ['auth'], summary: 'End the web session' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await deps.auth.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/v1/me', {
    config: { permission: 'read' },
    schema: { tags: ['auth'], summary: 'Who am I: user, workspace and permissions', response: { 200: meDto, 401: errorSchema } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const user = p.userId ? await findUser(deps.app, p.workspaceId, p.userId) : null;
    if (p.userId && !user) return sendError(reply, 'Unauthenticated', 'This user no longer exists.');
    return { user: user ? toUserDto(user) : null, workspace_id: p.workspaceId, permissions: [...p.permissions], via: p.apiKeyId ? 'api_key' : 'session' };
  });
}
