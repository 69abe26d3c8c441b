import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../core/access.ts';
import type { AuthService } from '../app/auth.ts';
import type { Principal } from '../app/context.ts';
import { sendError } from './errors.ts';

export const SESSION_COOKIE = 'leadloop_session';

declare module 'fastify' {
  interface FastifyRequest { principal: Principal | null }
  interface FastifyContextConfig { permission?: Permission | 'public' }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Authenticates every route that declares `config.permission` (Bearer API key or session cookie)
 * and refuses, with the reason, a principal that lacks it.
 */
export function authGuard(auth: AuthService) {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const needed = request.routeOptions.config.permission;
    if (!needed || needed === 'public') return;
    const token = bearerToken(request);
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (request.headers.authorization && !token) {
      return sendError(reply, 'Unauthenticated', "Malformed Authorization header; use 'Authorization: Bearer <api key>'.");
    }
    const principal = token ? await auth.authenticateKey(token) : cookie ? await auth.authenticateSession(cookie) : null;
    if (!principal) {
      return sendError(reply, 'Unauthenticated', token
        ? 'This API key is unknown or revoked.'
        : 'Authentication required: send Authorization: Bearer <api key>, or log in at /api/v1/auth/login.');
    }
    if (!principal.permissions.has(needed)) {
      const has = [...principal.permissions].join(', ') || 'none';
      return sendError(reply, 'Forbidden', `${request.method} ${request.routeOptions.url} needs the '${needed}' permission; this ${principal.kind === 'user' && !principal.apiKeyId ? `user (role ${principal.role})` : 'key'} has: ${has}.`);
    }
    request.principal = { ...principal, request: { id: request.id, ip: request.ip } };
  };
}

/** The principal of an authenticated route (the guard guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route without a permission guard asked for a principal');
  return request.principal;
}
