import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { createServer } from '../../src/server/create-server.ts';
import { listAuditRows } from '../../src/storage/audit.repo.ts';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Webhook targets are resolved and judged when saved (a 400 saying what, where and how to allow it;
 * nothing stored) and again when each delivery connects (a name that now resolves inside, or a target
 * the operator no longer allows, gets no request and nothing of its answer is kept).
 */
let t: TestApp;
let strict: FastifyInstance; // the same database, served with the default policy: no internal targets at all
let receiver: Server;
let port = 0;
let hits = 0;
const asAdmin = (app: FastifyInstance, method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${t.keys.admin}` }, ...(body ? { payload: body as object } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  strict = await createServer({ app: { ...t.deps, outbound: undefined }, auth: createAuthService(t.deps, { sessionTtlHours: 24 }), publicUrl: 'http://localhost:3000', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false });
  await strict.ready();
  receiver = createHttpServer((req, res) => { hits++; req.resume(); res.writeHead(200).end('internal secrets'); });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await strict?.close();
  await t?.close();
});

describe('webhook targets', () => {
  it('a webhook to the cloud metadata address 169.254.169.254 is refused with a 400 that says why and how, and nothing is stored', async () => {
    const r = await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'metadata', kind: 'json', url: 'http://169.254.169.254/latest/meta-data/iam' });
    expect(r.statusCode).toBe(400);
    const error = json(r).error;
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toContain('169.254.169.254');
    expect(error.message).toContain('link-local');
    expect(error.message).toContain('LEADLOOP_OUTBOUND_ALLOW');
    expect(error.details).toEqual([{ path: 'body.url', message: expect.stringContaining('public address required') }]);
    expect(json(await asAdmin(strict, 'GET', '/api/v1/webhooks')).data).toEqual([]);
    expect((await listAuditRows(t.db, t.workspace.id, { objectType: 'webhook' }, { limit: 10 })).data).toEqual([]);
  });

  it.each([
    ['loopback', 'http://127.0.0.1:9/hook'], ['a name for loopback', 'http://localhost/hook'], ['private', 'https://10.0.0.5/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'], ['unique-local (AWS IPv6 metadata)', 'http://[fd00:ec2::254]/latest'],
    ['carrier-grade NAT (Alibaba metadata)', 'http://100.100.100.200/latest'], ['the unspecified address', 'http://0.0.0.0:8080/'],
  ])('refuses %s by default', async (_what, url) => {
    const r = await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'x', kind: 'json', url });
    expect(r.statusCode, r.body).toBe(400);
    expect(json(r).error.message).toMatch(/^Refused target /);
  });

  it('refuses a host that does not resolve, credentials in the URL, and non-http schemes, each with its own reason', async () => {
    const unresolvable = json(await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'x', kind: 'json', url: 'https://no-such-host.invalid/hook' }));
    expect(unresolvable.error.message).toContain("'no-such-host.invalid' could not be resolved");
    const creds = json(await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'x', kind: 'json', url: 'https://user:pw@8.8.8.8/hook' }));
    expect(creds.error.message).toContain('no credentials');
    const file = json(await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'x', kind: 'json', url: 'file:///etc/passwd' }));
    expect(file.error.message).toContain("'file:' URLs cannot receive webhooks");
  });

  it('moving an existing webhook to an internal address is refused too, and the webhook keeps its old URL', async () => {
    const created = await asAdmin(strict, 'POST', '/api/v1/webhooks', { name: 'public', kind: 'json', url: 'https://8.8.8.8/hook' });
    expect(created.statusCode, created.body).toBe(201);
    const id = json(created).id;
    const moved = await asAdmin(strict, 'PATCH', `/api/v1/webhooks/${id}`, { url: 'http://169.254.169.254/' });
    expect(moved.statusCode).toBe(400);
    expect(json(await asAdmin(strict, 'GET', '/api/v1/webhooks')).data.find((w: { id: string }) => w.id === id).url).toBe('https://8.8.8.8/hook');
  });

  it('the operator allowlist names internal targets explicitly (the suite allows loopback this way)', async () => {
    const r = await t.api('POST', '/api/v1/webhooks', { name: 'internal', kind: 'json', url: `http://127.0.0.1:${port}/in`, event_types: ['lead.mql'] });
    expect(r.statusCode, r.body).toBe(201);
  });

  it('checked again at delivery: a target no longer allowed gets no request, and nothing of an answer is stored', async () => {
    // Saved while the policy allowed it (an IP literal, and a host name resolved by the connection itself).
    const byName = await t.api('POST', '/api/v1/webhooks', { name: 'by name', kind: 'json', url: `http://localhost:${port}/named`, event_types: ['lead.mql'] });
    expect(byName.statusCode, byName.body).toBe(201);
    const c = json(await t.api('POST', '/api/v1/contacts', { email: 'rebind@example.org' }));
    const l = json(await t.api('POST', '/api/v1/leads', { contact_id: c.id }));
    expect((await t.api('POST', `/api/v1/leads/${l.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
    hits = 0;
    // The worker runs with the default policy (as after LEADLOOP_OUTBOUND_ALLOW was emptied, or as a name rebinding inside would be).
    const ran = await runDueJobs({ ...t.deps, outbound: undefined }, t.clock.now(), { tasks: ['deliver-webhook-event'] });
    expect(ran).toHaveLength(2);
    expect(ran.every((x) => !x.ok && x.error?.includes('refused target'))).toBe(true);
    expect(hits).toBe(0);
    const hooks = json(await t.api('GET', '/api/v1/webhooks')).data as { id: string; name: string }[];
    for (const name of ['internal', 'by name']) {
      const log = json(await t.api('GET', `/api/v1/webhooks/${hooks.find((h) => h.name === name)!.id}/deliveries`)).data;
      expect(log).toEqual([expect.objectContaining({ status: 'failed', response_code: null, response_snippet: null, error: expect.stringContaining('refused target') })]);
    }
    expect(ran.find((x) => x.error?.includes('localhost'))?.error).toContain('localhost now resolves to');

    // With the allowlist the same jobs, retried, are delivered.
    t.clock.advance(3000);
    const again = await runDueJobs(t.deps, t.clock.now(), { tasks: ['deliver-webhook-event'] });
    expect(again.map((x) => x.ok)).toEqual([true, true]);
    expect(hits).toBe(2);
  });
});
