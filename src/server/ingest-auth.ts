import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../app/auth.ts';
import type { Principal } from '../app/context.ts';
import { sendError } from './errors.ts';

/**
 * Finds the write key of an ingestion request the ways Segment clients send it: HTTP Basic with
 * the key as user name (Segment/RudderStack SDKs), Bearer, `writeKey` in the body (the Segment
 * HTTP API allows it), or `?key=` (browsers: sendBeacon and plain HTML forms cannot set headers).
 */
export function ingestKeyOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
      if (user) return user;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) return bearer[1]!;
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.key === 'string' && query.key) return query.key;
  if (typeof query?.writeKey === 'string' && query.writeKey) return query.writeKey;
  const body = request.body as { writeKey?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.writeKey === 'string' && body.writeKey) return body.writeKey;
  return null;
}

/** A preHandler for public ingestion routes: any key with the `ingest` permission (ingest keys are public). */
export function ingestGuard(auth: AuthService) {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const key = ingestKeyOf(request);
    if (!key) {
      return sendError(reply, 'Unauthenticated', 'Missing write key: send it as the HTTP Basic user name (Segment SDKs do), as a Bearer token, as writeKey in the body, or as ?key=.');
    }
    const principal = await auth.authenticateKey(key);
    if (!principal) return sendError(reply, 'Unauthenticated', 'This write key is unknown or revoked.');
    if (!principal.permissions.has('ingest')) {
      return sendError(reply, 'Forbidden', "This key cannot send events: it needs the 'ingest' scope.");
    }
    request.principal = principal;
  };
}

export function ingestPrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('ingestion route without the ingest guard');
  return request.principal;
}

/** Ingest keys are meant for web pages on any site: every origin may call, without credentials. */
export function allowAnyOrigin(reply: FastifyReply): void {
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
  reply.header('access-control-allow-headers', 'authorization, content-type, content-encoding');
  reply.header('access-control-max-age', '86400');
}
