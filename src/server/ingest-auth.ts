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
      return sendError(reply, 'Unauthenticated', 'Missing write key: send your ingest key as the HTTP Basic user name (Segment and RudderStack SDKs do), as a Bearer token, as writeKey in the body, or as ?key= (or ?writeKey=) in the URL.');
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

// What the browser SDKs send besides the body: Segment analytics-next (Authorization, X-Retry-Count),
// RudderStack v3 (AnonymousId, SentAt, Rsa-* retry headers), gzip senders (Content-Encoding).
const SDK_HEADERS = [
  'authorization', 'content-type', 'content-encoding', 'accept', 'x-retry-count', 'anonymousid', 'sentat',
  'rsa-recovered', 'rsa-retry-attempt', 'rsa-retry-reason', 'rsa-since-first-attempt', 'rsa-since-last-attempt',
];
const headerName = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Ingest keys are meant for web pages on any site: every origin may call, without credentials.
 * The preflight also allows whatever other header names the page asks for (a newer SDK's retry
 * header must not silently block delivery); `*` alone would not cover Authorization.
 */
export function allowAnyOrigin(reply: FastifyReply, request?: FastifyRequest): void {
  const asked = String(request?.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase())
    .filter((h) => headerName.test(h) && !SDK_HEADERS.includes(h)).slice(0, 20);
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
  reply.header('access-control-allow-headers', [...SDK_HEADERS, ...asked].join(', '));
  reply.header('access-control-max-age', '86400');
}

/** The paths browsers reach with an ingest key: the Segment-compatible API, RudderStack's beacon and source config. */
export const isBrowserIngestPath = (url: string) => url.startsWith('/v1/') || url.startsWith('/beacon/') || url.startsWith('/sourceConfig');

/**
 * Root onRequest hook: CORS headers on every answer of the ingestion paths, errors included (401,
 * 400, 404, 413...), so a browser SDK sees the refusal instead of an opaque network error.
 */
export async function ingestCors(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isBrowserIngestPath(request.url)) allowAnyOrigin(reply, request);
}
