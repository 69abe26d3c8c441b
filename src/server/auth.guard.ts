import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../core/access.ts';
import type { AuthService } from '../app/auth.ts';
import type { Principal } from '../app/context.ts';
import { sameSecret } from '../app/secrets.ts';
import { sendError } from './errors.ts';

export const SESSION_COOKIE = 'leadloop_session';

export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest { principal: Principal | null }
  interface FastifyContextConfig {
    permission?: Permission | 'public';
    /** A public door for the web app's own forms (sign-in, reset): refused when a browser says another origin sent it. */
    sameOriginOnly?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a browser request must be refused as cross-origin, or null. Browsers name the page that sent a
 * request (`Sec-Fetch-Site`, `Origin`); SameSite cookies do not stop a *same-site* page on another
 * port or a sibling subdomain, so anything but this exact origin is refused.
 */
export function crossOriginRefusal(request: FastifyRequest, publicOrigin: string | null): string | null {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const self = `${request.protocol}://${request.host}`;
  const what = `${request.method} ${request.routeOptions.url ?? request.url}`;
  if (typeof origin === 'string' && origin !== 'null' && origin !== self && origin !== publicOrigin) {
    return `Cross-origin request refused: ${what} was sent by a page of ${origin.slice(0, 200)}, not by Leadloop (${publicOrigin ?? self}). Use the Leadloop web app, or call the API with an API key (Authorization: Bearer <key>).`;
  }
  if (origin === 'null' || (typeof site === 'string' && site !== 'same-origin' && site !== 'none')) {
    return `Cross-origin request refused: ${what} was sent by a ${origin === 'null' ? 'sandboxed or opaque' : site} page, not by Leadloop (${publicOrigin ?? self}). Use the Leadloop web app, or call the API with an API key (Authorization: Bearer <key>).`;
  }
  return null;
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
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
export function authGuard(auth: AuthService, options: { publicUrl?: string } = {}) {
  const publicOrigin = originOf(options.publicUrl);
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const needed = request.routeOptions.config.permission;
    if (needed === 'public' && request.routeOptions.config.sameOriginOnly && !SAFE_METHODS.has(request.method)) {
      const refusal = crossOriginRefusal(request, publicOrigin);
      if (refusal) return sendError(reply, 'Forbidden', refusal);
    }
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
    if (!token && cookie && !SAFE_METHODS.has(request.method)) {
      // The session cookie travels with every request the browser makes, whoever's page makes it:
      // a state change needs this origin and the session's CSRF token, which only the web app holds.
      const refusal = crossOriginRefusal(request, publicOrigin);
      if (refusal) return sendError(reply, 'Forbidden', refusal);
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, auth.csrfTokenFor(cookie))) {
        return sendError(reply, 'Forbidden', `${request.method} ${request.routeOptions.url} with the session cookie needs the X-CSRF-Token header of this session (the web app sends it; reload the page if you see this there). Scripts should use an API key: Authorization: Bearer <key>.`, [{ path: `headers.${CSRF_HEADER}`, message: typeof sent === 'string' ? 'does not match this session' : 'missing' }]);
      }
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
