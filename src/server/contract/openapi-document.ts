import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

// What makes the OpenAPI document something client and workflow generators can use, applied centrally while the
// document is built (every route, including ones added later, gets it without touching its route file). This only
// shapes the document: request validation and serialization keep the route's own schemas.

/** Security schemes, by the doors that use them. */
export const securitySchemes = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`ll_…`), or a personal key acting as its user.' },
  session: { type: 'apiKey', in: 'cookie', name: 'leadloop_session', description: 'The web app\'s sign-in session; state changes also need the X-CSRF-Token header.' },
  ingestKey: { type: 'http', scheme: 'basic', description: 'Segment-style ingestion: the ingest key as the Basic user name, empty password (Segment and RudderStack SDKs do this). Also accepted as a Bearer token, `writeKey` in the body, or `?key=`.' },
  ingestBearer: { type: 'http', scheme: 'bearer', description: 'The ingest key as a Bearer token.' },
} as const;

const methodVerbs: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'put', PATCH: 'update', DELETE: 'delete', HEAD: 'head', OPTIONS: 'options' };

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const camelWords = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w, i) => (i === 0 ? w : capitalise(w))).join('');

/**
 * A stable operationId from method and path: `GET /api/v1/leads/:id/transitions` → `getLeadsByIdTransitions`,
 * `POST /v1/batch` → `createSegmentBatch`. One route has one method and path, so ids are unique by construction
 * (the contract test checks it). A route may name its own with `config.operationId`.
 */
export function operationIdFor(method: string, url: string): string {
  const verb = methodVerbs[method.toUpperCase()] ?? method.toLowerCase();
  const segments = url.replace(/^\/api\/v1(?=\/|$)/, '').replace(/^\/v1(?=\/)/, '/segment').split('/').filter(Boolean);
  const words = segments.map((segment) => (segment.startsWith(':') ? `by ${segment.slice(1)}` : segment));
  return verb + capitalise(camelWords(words.join(' ')) || 'root');
}

type Route = { method: string | string[]; url: string; config?: unknown };

function permissionOf(route: Route): string | undefined {
  const config = route.config as { permission?: string } | undefined;
  return config?.permission;
}

/** Who may call a route, as the auth guard and the ingestion doors decide it. */
export function securityFor(route: Route, url: string): Array<Record<string, string[]>> {
  const permission = permissionOf(route);
  // The Segment-compatible doors and the prospect rating door take the ingest key (public in the guard's
  // sense: the door checks the key itself).
  if (url.startsWith('/v1/')) return [{ ingestKey: [] }, { ingestBearer: [] }];
  if (permission === undefined || permission === 'public') return [];
  return [{ apiKey: [] }, { session: [] }];
}

type ResponseMap = Record<string, unknown>;

/** Routes whose success body varies (reports) still document their 2xx: JSON, and CSV when `format=csv` exists. */
function ensureSuccessResponse(schema: Record<string, unknown>): void {
  const response = (schema.response ?? {}) as ResponseMap;
  if (Object.keys(response).some((code) => /^2/.test(code))) return;
  const query = schema.querystring as { properties?: { format?: { enum?: unknown[] } } } | undefined;
  const csv = query?.properties?.format?.enum?.includes('csv');
  const content: Record<string, { schema: unknown }> = { 'application/json': { schema: { type: 'object', additionalProperties: true } } };
  if (csv) content['text/csv'] = { schema: { type: 'string' } };
  schema.response = { 200: { description: 'Success: the body is described in the operation description.', content }, ...response };
}

// A query of any names (z.record, e.g. what an OpenID provider sends back) has no parameter list: OpenAPI cannot
// list it as parameters, and the plugin would emit an invalid one; it is said in words instead.
function documentFreeFormQuery(schema: Record<string, unknown>): void {
  const query = schema.querystring as { properties?: object } | undefined;
  if (!query || query.properties) return;
  delete schema.querystring;
  schema.description = [schema.description, 'Accepts any query parameters (string values).'].filter(Boolean).join(' ');
}

/** zod → JSON Schema (fastify-type-provider-zod), then operationId, security and a documented 2xx. */
export const contractTransform: SwaggerTransform = (input) => {
  const { schema, url } = jsonSchemaTransform(input) as { schema: Record<string, unknown>; url: string };
  const route = input.route as Route;
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const config = route.config as { operationId?: string } | undefined;
  const shaped: Record<string, unknown> = { ...schema };
  if (shaped.hide) return { schema: shaped, url };
  shaped.operationId ??= config?.operationId ?? operationIdFor(method, route.url);
  shaped.security ??= securityFor(route, route.url);
  const permission = permissionOf(route);
  if (permission && permission !== 'public') shaped['x-leadloop-permission'] = permission;
  ensureSuccessResponse(shaped);
  documentFreeFormQuery(shaped);
  return { schema: shaped, url };
};

const isEmptySchema = (value: unknown) => !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;

// JSON Schema 2020-12 allows `$id` only as a URI without a fragment; the zod registry's `#/components/schemas/X`
// made every component schema invalid. Components are named by their key, so the `$id` adds nothing.
// `anyOf: [{}, …]` (z.unknown().nullable()) accepts anything: said as `{}` so linters do not flag it.
function cleanSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanSchema);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$id' && typeof inner === 'string' && inner.includes('#')) continue;
    if (key === 'anyOf' && Array.isArray(inner) && inner.some(isEmptySchema)) continue;
    out[key] = cleanSchema(inner);
  }
  return out;
}

const refPattern = /"#\/components\/schemas\/([^"]+)"/g;

// The registry emits an `…Input` twin of every schema; only those some operation reaches are published.
function reachableSchemas(paths: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
  const reached = new Set<string>();
  const visit = (value: unknown) => {
    for (const match of JSON.stringify(value ?? null).matchAll(refPattern)) {
      const name = match[1]!;
      if (reached.has(name) || !(name in schemas)) continue;
      reached.add(name);
      visit(schemas[name]);
    }
  };
  visit(paths);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name)));
}

/** The component schemas from the zod registry: valid JSON Schema 2020-12, and only those operations use. */
export const contractTransformObject: SwaggerTransformObject = (documentObject) => {
  const document = jsonSchemaTransformObject(documentObject) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas;
  if (!schemas) return document as ReturnType<SwaggerTransformObject>;
  const used = reachableSchemas(document.paths, cleanSchema(schemas) as Record<string, unknown>);
  return { ...document, components: { ...document.components, schemas: used as Record<string, never> } } as ReturnType<SwaggerTransformObject>;
};
