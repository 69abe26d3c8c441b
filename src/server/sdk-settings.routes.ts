import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';
import { ingestGuard } from './ingest-auth.ts';

/**
 * The settings the browser SDKs fetch before sending anything, served by Leadloop itself so a site
 * needs neither Segment's CDN nor RudderStack's control plane:
 * - `@segment/analytics-next` with `cdnURL: <leadloop>` reads GET /v1/projects/<writeKey>/settings;
 * - `@rudderstack/analytics-js` v3 with `configUrl: <leadloop>` reads GET /sourceConfig/?writeKey=...
 *   (HTTP Basic with the write key).
 * Both point delivery back at this server and switch the vendors' telemetry off.
 */
export function sdkSettingsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const guard = ingestGuard(deps.auth);
  const cache = (reply: FastifyReply) => reply.header('cache-control', 'public, max-age=300');

  server.get<{ Params: { writeKey: string } }>('/v1/projects/:writeKey/settings', { config: { permission: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const principal = await deps.auth.authenticateKey(request.params.writeKey);
    if (!principal || !principal.permissions.has('ingest')) {
      return sendError(reply, 'NotFound', 'No source for this write key: use an ingest key of your Leadloop workspace (Settings → API keys, scope ingest).');
    }
    cache(reply);
    return segmentCdnSettings(request.params.writeKey, serverOrigin(request));
  });

  for (const path of ['/sourceConfig', '/sourceConfig/']) {
    server.get(path, { config: { permission: 'public' }, preHandler: guard, schema: { hide: true } }, async (_request, reply) => {
      cache(reply);
      return rudderSourceConfig();
    });
  }
}

/** How the browser reached us (behind a proxy: X-Forwarded-Proto/Host, trusted by the server). */
function serverOrigin(request: FastifyRequest): { protocol: 'http' | 'https'; host: string } {
  return { protocol: request.protocol === 'https' ? 'https' : 'http', host: request.host };
}

/** analytics-next's CDN settings: only the Segment.io destination, pointed at this server's /v1. */
export function segmentCdnSettings(writeKey: string, origin: { protocol: 'http' | 'https'; host: string }) {
  return {
    integrations: {
      'Segment.io': { apiKey: writeKey, apiHost: `${origin.host}/v1`, protocol: origin.protocol, unbundledIntegrations: [], addBundledMetadata: false },
    },
    // Its performance counters would otherwise go to Segment's API.
    metrics: { sampleRate: 0 },
    remotePlugins: [],
    enabledMiddleware: {},
  };
}

/** RudderStack v3's source config: enabled, no device-mode destinations, no error/metrics reporting. */
export function rudderSourceConfig() {
  return {
    isHosted: false,
    source: {
      id: 'leadloop', name: 'Leadloop', workspaceId: 'leadloop', enabled: true,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}
