import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createAuthService } from '../../src/app/auth.ts';
import { createServer, type ServerDeps } from '../../src/server/create-server.ts';
import { createDb, createPool } from '../../src/storage/db.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const servers: FastifyInstance[] = [];

/** Another server over the same test database, with its own options (limits, proxies, logging). */
async function serverWith(extra: Partial<ServerDeps>): Promise<FastifyInstance> {
  const server = await createServer({
    app: t.deps, auth: createAuthService(t.deps, { sessionTtlHours: 24 }), publicUrl: 'http://localhost:3000', logLevel: 'silent',
    sessionTtlHours: 24, secureCookies: false, ...extra,
  });
  await server.ready();
  servers.push(server);
  return server;
}

beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => {
  for (const s of servers) await s.close();
  await t?.close();
});

describe('security headers', () => {
  it('API answers and the web app carry a CSP and the usual headers; public doors may be used cross-origin', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    const csp = String(api.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(api.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(api.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(api.headers['strict-transport-security']).toBeUndefined();
    const snippet = await t.app.inject({ method: 'GET', url: '/t.js' });
    expect(snippet.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(String(docs.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    expect(String(docs.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
  });

  it('sends HSTS only when served over https', async () => {
    const s = await serverWith({ publicUrl: 'https://leads.example' });
    const r = await s.inject({ method: 'GET', url: '/health/live' });
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(String(r.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });
});

describe('authentication before validation', () => {
  it('an unauthenticated request with a bad body gets 401, not 400', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', payload: { email: 42, nonsense: true } });
    expect(bad.statusCode).toBe(401);
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
    expect(malformed.statusCode).toBe(401);
    const hostile = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/json' }, payload: '{"email":"a\\u0000b"}' });
    expect(hostile.statusCode).toBe(401);
    // Authenticated, the same body is a 400 that says what is wrong.
    const authed = await t.api('POST', '/api/v1/contacts', { email: 42 });
    expect(authed.statusCode).toBe(400);
    expect(JSON.parse(authed.body).error.details[0].path).toBe('body.email');
    expect(Number((await t.db.selectFrom('contact').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  });
});

describe('rate limits on public doors', () => {
  const submit = (s: FastifyInstance, headers: Record<string, string> = {}, remoteAddress = '203.0.113.7') => s.inject({
    method: 'POST', url: `/api/v1/forms/demo/submissions?key=${t.keys.ingest}`, remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: `email=${Math.random().toString(36).slice(2)}@rl.example`,
  });

  it('the form endpoint answers 429 with a retry time once an address is over its budget; X-Forwarded-For does not reset it', async () => {
    const s = await serverWith({ rateLimits: { forms: 3 } });
    for (let i = 0; i < 3; i++) expect((await submit(s, { 'x-forwarded-for': `198.51.100.${i}` })).statusCode).toBe(200);
    const refused = await submit(s, { 'x-forwarded-for': '198.51.100.99' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const body = JSON.parse(refused.body);
    expect(body.error.code).toBe('RateLimited');
    expect(body.error.details[0].path).toBe('request');
    // A browser form or SDK on another site can read the refusal (CORS headers on the 429 too).
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    expect(body.error.message).toMatch(/form submissions from your address \(at most 3 a minute\); retry in/);
    // Another address has its own budget; authenticated API routes are not limited by this.
    expect((await submit(s, {}, '203.0.113.8')).statusCode).toBe(200);
    expect((await s.inject({ method: 'GET', url: '/api/v1/contacts', remoteAddress: '203.0.113.7', headers: { authorization: `Bearer ${t.keys.read}` } })).statusCode).toBe(200);
  });

  it('behind a configured proxy, the forwarded address is the client', async () => {
    const s = await serverWith({ rateLimits: { forms: 2 }, trustedProxies: ['10.0.0.0/8'] });
    const viaProxy = (client: string) => submit(s, { 'x-forwarded-for': client }, '10.1.2.3');
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(200);
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(200);
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(429);
    expect((await viaProxy('198.51.100.2')).statusCode).toBe(200);
    // A header from an untrusted address is ignored: the socket address is the client.
    expect((await submit(s, { 'x-forwarded-for': '198.51.100.3' }, '203.0.113.50')).statusCode).toBe(200);
    expect((await submit(s, { 'x-forwarded-for': '198.51.100.4' }, '203.0.113.50')).statusCode).toBe(200);
    expect((await submit(s, { 'x-forwarded-for': '198.51.100.5' }, '203.0.113.50')).statusCode).toBe(429);
  });

  it("content ratings' per-address limit is not bypassed by X-Forwarded-For", async () => {
    const asset = JSON.parse((await t.api('POST', '/api/v1/content', { title: 'Guide', url: 'https://acme.test/guide', format: 'pdf' })).body);
    const rate = (i: number) => t.app.inject({
      method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, remoteAddress: '203.0.113.77',
      headers: { 'x-forwarded-for': `192.0.2.${i}` }, payload: { asset_id: asset.id, rating: 5 },
    });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await rate(i)).statusCode);
    expect(codes.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });
});

describe('health probes', () => {
  it('live and ready answer 200 with PostgreSQL up and migrations applied', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok', database: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
  });

  it('with PostgreSQL down, ready and /api/v1/health answer 503 (live stays 200)', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/none', 2, () => {});
    const deadDb = createDb(deadPool);
    try {
      const s = await serverWith({ app: { ...t.deps, db: deadDb } });
      expect((await s.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      const ready = await s.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'unavailable', database: 'unreachable', reason: 'unreachable' });
      const api = await s.inject({ method: 'GET', url: '/api/v1/health' });
      expect(api.statusCode).toBe(503);
      expect(JSON.parse(api.body).message).toMatch(/PostgreSQL does not answer/);
    } finally {
      await deadDb.destroy();
    }
  });

  it('a database without the migrations is not ready', async () => {
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    const name = `health_empty_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const emptyUrl = new URL(t.url);
    emptyUrl.pathname = `/${name}`;
    const emptyDb = createDb(createPool(emptyUrl.toString(), 2));
    try {
      const s = await serverWith({ app: { ...t.deps, db: emptyDb } });
      const ready = await s.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      const body = JSON.parse(ready.body);
      expect(body).toMatchObject({ status: 'unavailable', database: 'ok', reason: 'migrations_pending' });
      expect(body.message).toMatch(/leadloop migrate/);
      expect(body.pending_migrations.length).toBeGreaterThan(10);
    } finally {
      await emptyDb.destroy();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  });
});

describe('secrets never reach the logs', () => {
  it('keys in ?key=, bearer keys, cookies, passwords and email-link tokens are absent from every debug line', async () => {
    const lines: string[] = [];
    const s = await serverWith({ logLevel: 'trace', logStream: { write: (line) => { lines.push(line); } } });
    const linkToken = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF.sig';
    await s.inject({ method: 'POST', url: `/api/v1/forms/demo/submissions?key=${t.keys.ingest}&utm_source=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=log@example.com' });
    await s.inject({ method: 'GET', url: '/api/v1/contacts?access_token=SECRETACCESSTOKEN', headers: { authorization: `Bearer ${t.keys.admin}` } });
    await s.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: 'leadloop_session=SECRETSESSIONCOOKIE' } });
    await s.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@acme.test', password: 'SECRETPASSWORDVALUE' } });
    await s.inject({ method: 'GET', url: `/u/${linkToken}` });
    await s.inject({ method: 'GET', url: '/v1/settings?writeKey=SECRETWRITEKEY' });
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(6);
    expect(log).toContain('/api/v1/forms/demo/submissions?key=[redacted]&utm_source=x');
    expect(log).toContain('/u/[redacted]');
    for (const secret of [t.keys.ingest, t.keys.admin, 'SECRETACCESSTOKEN', 'SECRETSESSIONCOOKIE', 'SECRETPASSWORDVALUE', linkToken, 'SECRETWRITEKEY']) {
      expect(log).not.toContain(secret);
    }
  });
});
