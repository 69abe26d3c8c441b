import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { MONDAY_9, createLead, createRep, expectStatus, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';

let t: TestApp;
let server: Server;
let base: string;
const hits: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
  // Slack-like answers: a short reason on refusal, and a body far longer than the log keeps.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      if (req.url === '/binary') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0x6f, 0x6b, 0x00, 0x01, 0x0a, 0x21]));
      else if (req.url === '/redirects') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.url === '/refuses') res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid_token <script>x</script>');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('é'.repeat(300_000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('webhook delivery log: the start of the response', () => {
  it("keeps the receiver's answer, capped at 500 characters, with each delivery", async () => {
    const refuses = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'refuses', kind: 'slack', url: `${base}/refuses` }), 201);
    const chatty = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'chatty', kind: 'json', url: `${base}/chatty` }), 201);
    await createRep(t, 'Ana');
    await useRoundRobin(t);
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    await runDueJobs({ ...t.deps, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 2000 }, t.clock.now(), { tasks: ['deliver-alert'] });

    const refused = await expectStatus(t.api('GET', `/api/v1/webhooks/${refuses.id}/deliveries`), 200);
    expect(refused.data[0]).toMatchObject({ status: 'failed', response_code: 403, error: 'receiver answered HTTP 403', response_snippet: 'invalid_token <script>x</script>' });
    const ok = await expectStatus(t.api('GET', `/api/v1/webhooks/${chatty.id}/deliveries`), 200);
    expect(ok.data[0]).toMatchObject({ status: 'success', response_code: 200, response_snippet: 'é'.repeat(500) });
  });

  it('a binary answer (NUL bytes) is logged once as a success, not retried into a second delivery', async () => {
    const binary = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'binary', kind: 'json', url: `${base}/binary` }), 201);
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    const deps = { ...t.deps, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 2000 };
    await runDueJobs(deps, t.clock.now(), { tasks: ['deliver-alert'] });
    t.clock.set(new Date(t.clock.now().getTime() + 3_600_000));
    await runDueJobs(deps, t.clock.now(), { tasks: ['deliver-alert'] });
    const log = await expectStatus(t.api('GET', `/api/v1/webhooks/${binary.id}/deliveries`), 200);
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ status: 'success', response_code: 200, response_snippet: 'ok\n!' });
    expect(hits.filter((h) => h === '/binary')).toHaveLength(1);
  });

  it('a redirect is not followed: the delivery fails with the redirect status and nothing else is called', async () => {
    const redirects = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'redirects', kind: 'json', url: `${base}/redirects` }), 201);
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    await runDueJobs({ ...t.deps, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 2000 }, t.clock.now(), { tasks: ['deliver-alert'] });
    const log = await expectStatus(t.api('GET', `/api/v1/webhooks/${redirects.id}/deliveries`), 200);
    expect(log.data[0]).toMatchObject({ status: 'failed', response_code: 302, error: 'receiver answered HTTP 302' });
    expect(hits).not.toContain('/elsewhere');
  });
});
