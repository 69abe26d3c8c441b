import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { parseAllowlist, type OutboundAllowlist } from '../../src/core/webhooks/target.rules.ts';
import { createServer } from '../../src/server/create-server.ts';
import { listAuditRows } from '../../src/storage/audit.repo.ts';
import { startHubspotConformance, type HubspotConformance } from '../conformance/hubspot-server.ts';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * CRM integration addresses obey the webhooks' outgoing-address rule (src/app/outbound/safe-target.ts):
 * a Salesforce login URL, the instance URL Salesforce's token answer names, and a HubSpot API base are
 * resolved and judged when connecting and again at every sync. `strict` serves the same database with
 * the default policy (nothing internal allowed); `t` allows loopback as LEADLOOP_OUTBOUND_ALLOW would,
 * which is how the suite's local Salesforce/HubSpot conformance servers (127.0.0.1) are reached.
 */
const SECRET = randomBytes(32).toString('base64');
const TOKEN = 'pat-na1-00000000-0000-4000-8000-000000000000';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let t: TestApp;
let strict: FastifyInstance;
let insider: Server; // an internal service that must never be reached: it answers a secret
let insiderUrl = '';
let insiderHits = 0;
let hs: HubspotConformance;
let sf: SalesforceConformance;

const serve = async (outbound: OutboundAllowlist | undefined) => {
  const s = await createServer({ app: { ...t.deps, outbound }, auth: createAuthService(t.deps, { sessionTtlHours: 24 }), publicUrl: 'http://localhost:3000', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false, crmSecretKey: SECRET });
  await s.ready();
  return s;
};
const asAdmin = (app: FastifyInstance, url: string, body: unknown) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t.keys.admin}` }, payload: body as object });
const sfConnect = (login_url: string) => ({ login_url, client_id: 'leadloop-app', username: 'integration@acme.sf', private_key: privatePem });
const connectionRows = () => t.db.selectFrom('crm_connection').select(['provider']).execute();
const integrationAudit = async () => (await listAuditRows(t.db, t.workspace.id, { objectType: 'crm_connection' }, { limit: 50 })).data;

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  strict = await serve(undefined);
  insider = createHttpServer((req, res) => { insiderHits++; req.resume(); res.writeHead(200, { 'content-type': 'application/json' }).end('{"portalId":1,"secret":"internal-answer-7f3a"}'); });
  await new Promise<void>((resolve) => insider.listen(0, '127.0.0.1', resolve));
  insiderUrl = `http://127.0.0.1:${(insider.address() as AddressInfo).port}`;
  hs = await startHubspotConformance({ token: TOKEN });
  sf = await startSalesforceConformance({
    clientId: 'leadloop-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    users: [{ Username: 'integration@acme.sf', Email: 'integration@acme.test', Name: 'Integration' }],
  });
}, 60_000);
afterAll(async () => {
  insider?.closeAllConnections();
  await new Promise((r) => insider?.close(r));
  await hs?.close();
  await sf?.close();
  await strict?.close();
  await t?.close();
});

describe('CRM integration targets', () => {
  it('Salesforce at the cloud metadata address 169.254.169.254 → 400 naming the field, the reason and the setting; nothing saved or audited', async () => {
    const r = await asAdmin(strict, '/api/v1/integrations/salesforce/connect', sfConnect('http://169.254.169.254/latest/meta-data'));
    expect(r.statusCode, r.body).toBe(400);
    const error = json(r).error;
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toContain('Salesforce was not connected; nothing was saved.');
    expect(error.message).toContain('Refused target 169.254.169.254');
    expect(error.message).toContain('link-local');
    expect(error.message).toContain('LEADLOOP_OUTBOUND_ALLOW');
    expect(error.details).toEqual([{ path: 'body.login_url', message: expect.stringContaining('public address required') }]);
    expect(await connectionRows()).toEqual([]);
    expect(await integrationAudit()).toEqual([]);
  });

  it('HubSpot at a loopback service that is not allowlisted → 400; the service gets no request and its answer appears nowhere', async () => {
    const r = await asAdmin(strict, '/api/v1/integrations/hubspot/connect', { access_token: TOKEN, base_path: `${insiderUrl}/internal` });
    expect(r.statusCode, r.body).toBe(400);
    expect(json(r).error.message).toContain('a loopback address');
    expect(json(r).error.details).toEqual([{ path: 'body.base_path', message: expect.stringContaining('127.0.0.1') }]);
    expect(r.body).not.toContain('internal-answer-7f3a');
    expect(insiderHits).toBe(0);
    expect(await connectionRows()).toEqual([]);
  });

  it.each([
    ['a private address (10.x)', 'hubspot', { access_token: TOKEN, base_path: 'https://10.20.30.40' }, 'a private network address'],
    ['a private address (10.x)', 'salesforce', sfConnect('https://10.0.0.7'), 'a private network address'],
    ['loopback by name', 'salesforce', sfConnect('http://localhost:9'), 'a loopback address'],
    ['the conformance server when not allowlisted', 'salesforce', null, 'a loopback address'],
  ])('refuses %s for %s', async (_what, provider, body, reason) => {
    const r = await asAdmin(strict, `/api/v1/integrations/${provider}/connect`, body ?? sfConnect(sf.url));
    expect(r.statusCode, r.body).toBe(400);
    expect(json(r).error.message).toContain(reason);
    expect(await connectionRows()).toEqual([]);
  });

  it('an instance URL that the sign-in answer points inside is refused before any API call', async () => {
    // A token endpoint that answers a metadata-address instance URL; only its own host name is allowlisted.
    const calls: string[] = [];
    const evil = createHttpServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok', instance_url: 'http://169.254.169.254', id: 'http://169.254.169.254/id/00D/005', token_type: 'Bearer' }));
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const onlyThatHost = must(parseAllowlist(['127.0.0.1/32']));
    const app = await serve(onlyThatHost);
    try {
      const r = await asAdmin(app, '/api/v1/integrations/salesforce/connect', sfConnect(`http://127.0.0.1:${(evil.address() as AddressInfo).port}`));
      expect(r.statusCode, r.body).toBe(400);
      expect(json(r).error.message).toContain('Refused target 169.254.169.254');
      expect(json(r).error.details).toEqual([{ path: 'instance_url', message: expect.any(String) }]);
      expect(calls).toEqual(['POST /services/oauth2/token']);
      expect(await connectionRows()).toEqual([]);
    } finally {
      await app.close();
      evil.closeAllConnections();
      await new Promise((r) => evil.close(r));
    }
  });

  it('the allowlisted conformance servers connect; a sync after the allowlist no longer names them is refused before any request', async () => {
    const hsConnected = await t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: TOKEN, base_path: hs.url });
    expect(hsConnected.statusCode, hsConnected.body).toBe(201);
    const sfConnected = await t.api('POST', '/api/v1/integrations/salesforce/connect', sfConnect(sf.url));
    expect(sfConnected.statusCode, sfConnected.body).toBe(201);
    expect(json(sfConnected).settings.instance_url).toBe(sf.url);
    expect((await integrationAudit()).map((a) => a.action).sort()).toEqual(['integration.connected', 'integration.connected']);

    const allowed = await t.api('POST', '/api/v1/integrations/hubspot/sync', { dry_run: true });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect(json(allowed).outcome).toBe('ok');

    // The same stored connections, served by a process whose policy refuses loopback (as if DNS now said loopback).
    for (const [provider, server] of [['hubspot', hs], ['salesforce', sf]] as const) {
      const before = server.requests.length;
      const r = await asAdmin(strict, `/api/v1/integrations/${provider}/sync`, { dry_run: false });
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r)).toMatchObject({ outcome: 'failed', message: expect.stringContaining('Refused target 127.0.0.1') });
      expect(json(r).message).toContain('REFUSED_TARGET');
      expect(server.requests.length).toBe(before);
    }
  });
});
