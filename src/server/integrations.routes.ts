import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../app/context.ts';
import { parseSecretKey } from '../app/crm/credentials.ts';
import { configureCrm, connectCrm, connectionsPage, mappingVersions, syncCrm, syncLog, syncRuns, type ConnectionView, type SyncReport } from '../app/crm/crm.ts';
import { finishSalesforceAuthorization, startSalesforceAuthorization } from '../app/crm/salesforce/salesforce-oauth.ts';
import type { CrmSyncLogEntry, NewSyncLogEntry } from '../storage/crm.repo.ts';
import { principalOf, SESSION_COOKIE } from './auth.guard.ts';
import { errorResponses, iso, pageOf, pageParams } from './contract/common.contract.ts';
import {
  connectionDto, hubspotConnectInput, mappingInput, mappingVersionDto, providerParams, runsQuery, salesforceAuthorizeDto, salesforceAuthorizeInput,
  salesforceCallbackInput, salesforceConnectInput, syncInput, syncLogDto,
  syncLogQuery, syncReportDto, syncRunDto, type ConnectionDto, type SyncLogDto, type SyncReportDto,
} from './contract/integrations.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const toConnectionDto = (c: ConnectionView): ConnectionDto => ({
  id: c.id, provider: c.provider, status: c.status, paused_reason: c.pausedReason, paused_at: iso(c.pausedAt), account: c.account,
  settings: c.settings, mapping: c.mapping, mapping_version: c.mappingVersion, cursors: c.cursors, push_since: c.pushSince.toISOString(),
  last_sync_at: iso(c.lastSyncAt), api_usage: c.apiUsage, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
});
const toLogDto = (e: CrmSyncLogEntry | NewSyncLogEntry): SyncLogDto => ({
  ...('id' in e ? { id: e.id } : {}), run_id: e.runId, direction: e.direction, object_type: e.objectType, external_id: e.externalId, local_id: e.localId,
  action: e.action, outcome: e.outcome, error: e.error, attempt: e.attempt, at: e.at.toISOString(),
});
const toReportDto = (r: SyncReport): SyncReportDto => ({
  run_id: r.runId, provider: r.provider, dry_run: r.dryRun, outcome: r.outcome, message: r.message, counts: r.counts, api_usage: r.apiUsage,
  entries: r.entries.map(toLogDto),
});

/** Settings › Integrations: CRM connectors (admin only: credentials and mappings govern what leaves Leadloop). */
export function integrationsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['integrations'];
  const secret = () => parseSecretKey(deps.crmSecretKey);

  app.get('/api/v1/integrations', { config: { permission: 'admin' }, schema: { tags, summary: 'CRM connections by provider: status (paused with the reason), last sync, API usage, mapping', querystring: z.strictObject(pageParams({ keyed: ['text'] })), response: { 200: pageOf(connectionDto), ...errorResponses } } },
    async (request) => {
      const page = await connectionsPage(deps.app, principalOf(request).workspaceId, request.query);
      return { data: page.data.map(toConnectionDto), next_cursor: page.nextCursor };
    });

  app.post('/api/v1/integrations/salesforce/connect', { config: { permission: 'admin' }, schema: { tags, summary: 'Connect Salesforce (OAuth 2.0 JWT bearer); the credentials are checked by signing in, then stored encrypted', body: salesforceConnectInput, response: { 201: connectionDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const result = await connectCrm(deps.app, p.workspaceId, secret(), {
        provider: 'salesforce', credentials: { loginUrl: b.login_url, clientId: b.client_id, username: b.username, privateKey: b.private_key },
        pushSince: b.push_since ? new Date(b.push_since) : null,
      }, actorOf(p));
      return result.ok ? reply.code(201).send(toConnectionDto(result.value)) : sendFailure(reply, result);
    });

  // The web-server flow (authorization code + PKCE) is bound to the browser session that starts it:
  // only a request made with the session cookie (never a Bearer key) carries a session to bind to.
  const sessionOf = (request: FastifyRequest) => (request.headers.authorization ? null : request.cookies?.[SESSION_COOKIE] ?? null);
  // Salesforce sends the browser back to the settings page of the origin the admin uses (the guard
  // already checked that a session request's Origin is Leadloop's own).
  const callbackUrl = (request: FastifyRequest) => {
    const origin = typeof request.headers.origin === 'string' && request.headers.origin !== 'null' ? request.headers.origin : `${request.protocol}://${request.host}`;
    return `${origin}/settings/integrations`;
  };

  app.post('/api/v1/integrations/salesforce/authorize', { config: { permission: 'admin' }, schema: { tags, summary: "Start connecting Salesforce with the OAuth 2.0 web-server flow (authorization code + PKCE): answers Salesforce's sign-in URL for this browser session", body: salesforceAuthorizeInput, response: { 201: salesforceAuthorizeDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const redirectUri = callbackUrl(request);
      const result = await startSalesforceAuthorization(deps.app, p.workspaceId, secret(), {
        loginUrl: b.login_url, clientId: b.client_id, clientSecret: b.client_secret, redirectUri, sessionToken: sessionOf(request), userId: p.userId,
        pushSince: b.push_since ? new Date(b.push_since) : null,
      });
      return result.ok
        ? reply.code(201).send({ authorize_url: result.value.authorizeUrl, redirect_uri: redirectUri, expires_at: result.value.expiresAt.toISOString() })
        : sendFailure(reply, result);
    });

  app.post('/api/v1/integrations/salesforce/callback', { config: { permission: 'admin' }, schema: { tags, summary: 'Finish connecting Salesforce: the code and state Salesforce sent back, from the session that started; the refresh token is stored encrypted', body: salesforceCallbackInput, response: { 201: connectionDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const result = await finishSalesforceAuthorization(deps.app, p.workspaceId, secret(), {
        state: b.state, code: b.code ?? null, error: b.error ?? null, errorDescription: b.error_description ?? null, sessionToken: sessionOf(request),
      }, actorOf(p));
      return result.ok ? reply.code(201).send(toConnectionDto(result.value)) : sendFailure(reply, result);
    });

  app.post('/api/v1/integrations/hubspot/connect', { config: { permission: 'admin' }, schema: { tags, summary: 'Connect HubSpot (private app token); checked by calling HubSpot, then stored encrypted', body: hubspotConnectInput, response: { 201: connectionDto, ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const result = await connectCrm(deps.app, p.workspaceId, secret(), {
        provider: 'hubspot', credentials: { accessToken: b.access_token, basePath: b.base_path ?? null }, pushSince: b.push_since ? new Date(b.push_since) : null,
      }, actorOf(p));
      return result.ok ? reply.code(201).send(toConnectionDto(result.value)) : sendFailure(reply, result);
    });

  app.put('/api/v1/integrations/:provider/mapping', { config: { permission: 'admin' }, schema: { tags, summary: 'Save the field and stage/status mapping as a new version', params: providerParams, body: mappingInput, response: { 200: z.object({ version: z.number(), mapping: z.record(z.string(), z.unknown()) }), ...errorResponses } } },
    async (request, reply) => {
      const p = principalOf(request);
      const result = await configureCrm(deps.app, p.workspaceId, request.params.provider, request.body.mapping, actorOf(p));
      return result.ok ? result.value : sendFailure(reply, result);
    });

  app.get('/api/v1/integrations/:provider/mapping/versions', { config: { permission: 'admin' }, schema: { tags, summary: 'Every saved mapping version, newest first', params: providerParams, querystring: z.strictObject(pageParams({ keyed: ['integer'] })), response: { 200: pageOf(mappingVersionDto), ...errorResponses } } },
    async (request, reply) => {
      const result = await mappingVersions(deps.app, principalOf(request).workspaceId, request.params.provider, request.query);
      return result.ok
        ? { data: result.value.data.map((v) => ({ version: v.version, mapping: v.mapping, created_at: v.createdAt.toISOString(), actor_type: v.actorType, actor_id: v.actorId })), next_cursor: result.value.nextCursor }
        : sendFailure(reply, result);
    });

  app.post('/api/v1/integrations/:provider/sync', { config: { permission: 'admin' }, schema: { tags, summary: 'Run a sync now (push MQLs, pull status, conversions and deals); dry_run shows what would change', params: providerParams, body: syncInput, response: { 200: syncReportDto, ...errorResponses } } },
    async (request, reply) => {
      const result = await syncCrm(deps.app, principalOf(request).workspaceId, request.params.provider, { dryRun: request.body.dry_run, backfill: request.body.backfill, secret: secret() });
      return result.ok ? toReportDto(result.value) : sendFailure(reply, result);
    });

  app.get('/api/v1/integrations/:provider/runs', { config: { permission: 'admin' }, schema: { tags, summary: 'Sync runs, newest first', params: providerParams, querystring: runsQuery, response: { 200: pageOf(syncRunDto), ...errorResponses } } },
    async (request, reply) => {
      const result = await syncRuns(deps.app, principalOf(request).workspaceId, request.params.provider, { limit: request.query.limit, cursor: request.query.cursor });
      return result.ok
        ? { data: result.value.data.map((r) => ({ id: r.id, dry_run: r.dryRun, started_at: r.startedAt.toISOString(), finished_at: iso(r.finishedAt), outcome: r.outcome, counts: r.counts, error: r.error })), next_cursor: result.value.nextCursor }
        : sendFailure(reply, result);
    });

  app.get('/api/v1/integrations/:provider/log', { config: { permission: 'admin' }, schema: { tags, summary: 'The per-record sync log: direction, outcome, error, attempt (newest first)', params: providerParams, querystring: syncLogQuery, response: { 200: pageOf(syncLogDto), ...errorResponses } } },
    async (request, reply) => {
      const q = request.query;
      const result = await syncLog(deps.app, principalOf(request).workspaceId, request.params.provider,
        { runId: q.run_id, outcome: q.outcome, localId: q.local_id, externalId: q.external_id }, { limit: q.limit, cursor: q.cursor });
      return result.ok ? { data: result.value.data.map(toLogDto), next_cursor: result.value.nextCursor } : sendFailure(reply, result);
    });
}
