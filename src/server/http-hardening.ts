import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * HTTP hardening in one place: security headers and the web app's CSP (helmet), per-address rate
 * limits on the public doors (@fastify/rate-limit), and what a log line may say about a request
 * (no secrets: headers are left out, query values and path tokens that are credentials are scrubbed).
 */

// ---------------------------------------------------------------- log lines

// Query parameters whose values are credentials: ingest keys (?key=), tokens, passwords, signatures.
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|session|sig|code|ticket|credential/i;
// Path segments that are credentials: email link tokens (/r/, /u/, /preferences/, /o/) and anything token-shaped (/consent/confirm/<token>).
const TOKEN_PATH = /^\/(r|u|o|preferences|reset|invite|verify)\//;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_SHAPED = /^[A-Za-z0-9_~-]{32,}(?:\.[A-Za-z0-9_~-]+)*$/;

/** A URL fit for a log line: credential query values and token path segments replaced by `[redacted]`. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const segments = path.split('/');
  const cleanPath = TOKEN_PATH.test(path)
    ? segments.map((s, i) => (i === 2 ? '[redacted]' : s)).join('/')
    : segments.map((s) => (TOKEN_SHAPED.test(s) && !UUID.test(s) ? '[redacted]' : s)).join('/');
  if (!query) return cleanPath;
  const cleanQuery = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name = rawName;
    try { name = decodeURIComponent(rawName.replace(/\+/g, ' ')); } catch { /* keep the raw name */ }
    return eq !== -1 && SECRET_PARAM.test(name) ? `${rawName}=[redacted]` : pair;
  }).join('&');
  return `${cleanPath}?${cleanQuery}`;
}

/** Header and body paths pino removes from every line, whatever logs them (a request, an error, a debug object). */
export const redactedLogPaths = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie',
  'body.password', 'body.new_password', 'body.current_password', 'body.token', 'body.key', 'body.writeKey',
  '*.password', '*.apiKey', '*.api_key', '*.secret', '*.token', '*.writeKey',
];

/** Logger options for Fastify: redaction plus a request serializer that never prints headers or raw query secrets. */
export function loggerOptions(level: string, stream?: { write: (line: string) => void }) {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method, url: scrubUrl(request.url), host: request.host,
        remoteAddress: request.ip, remotePort: request.socket?.remotePort,
      }),
    },
  };
}

// ---------------------------------------------------------------- security headers

/**
 * Answers meant to be used by other sites (the snippet, ingestion, forms, ratings, email links and
 * pixels) may be loaded cross-origin; everything else is same-origin only.
 */
const CROSS_ORIGIN_PATH = /^\/(t\.js|v1\/|beacon\/|sourceConfig|r\/|o\/|u\/|preferences\/|api\/v1\/forms\/)/;

export async function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): Promise<void> {
  const upgrade = publicUrl.startsWith('https:');
  await app.register(helmet, {
    // The web app is a Vite bundle: scripts and styles come from our own /assets; charts draw on canvas.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(upgrade ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    // HSTS only when Leadloop is served over https (a plain-http install would lock browsers out).
    strictTransportSecurity: upgrade ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (CROSS_ORIGIN_PATH.test(request.url)) reply.header('cross-origin-resource-policy', 'cross-origin');
  });
}

// ---------------------------------------------------------------- rate limits

/** Public doors, each with its own per-address budget per minute. Authenticated routes are not limited here. */
export type RateLimitGroup = 'ingest' | 'forms' | 'ratings' | 'links' | 'auth';
export const defaultRateLimits: Record<RateLimitGroup, number> = {
  // Server-side CDPs forward from one address: generous, it only stops floods.
  ingest: 6000,
  forms: 60,
  ratings: 60,
  links: 300,
  auth: 60,
};

/** The rate-limit group of a public route (by its route pattern), or null when it is not limited here. */
export function rateLimitGroupOf(routeUrl: string | undefined, permission: string | undefined): RateLimitGroup | null {
  if (!routeUrl || permission !== 'public') return null;
  if (routeUrl.startsWith('/api/v1/forms/')) return 'forms';
  if (routeUrl === '/v1/content-ratings') return 'ratings';
  if (/^\/(v1\/|beacon\/|sourceConfig)/.test(routeUrl)) return 'ingest';
  if (/^\/(t\.js|r\/|o\/|u\/|preferences\/|consent\/confirm\/)/.test(routeUrl)) return 'links';
  if (routeUrl.startsWith('/api/v1/auth/')) return 'auth';
  return null;
}

export async function registerRateLimits(app: FastifyInstance, limits: Partial<Record<RateLimitGroup, number>> = {}): Promise<void> {
  const perMinute = { ...defaultRateLimits, ...limits };
  const groupOf = (request: FastifyRequest) => rateLimitGroupOf(request.routeOptions.url, request.routeOptions.config.permission);
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    // request.ip is the socket address, or the forwarded one only when the socket is a configured trusted proxy.
    keyGenerator: (request) => `${groupOf(request) ?? '-'}|${request.ip}`,
    allowList: (request) => request.method === 'OPTIONS' || groupOf(request) === null,
    max: (request) => perMinute[groupOf(request) ?? 'ingest'],
    errorResponseBuilder: (request, context) => {
      const group = groupOf(request);
      return Object.assign(new Error(`Too many requests to ${group === 'forms' ? 'form submissions' : group === 'auth' ? 'sign-in' : 'this endpoint'} from your address (at most ${context.max} a minute); retry in ${context.after}.`), { statusCode: 429 });
    },
  });
}
