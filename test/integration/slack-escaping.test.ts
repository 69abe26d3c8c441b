import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { MONDAY_9, createLead, createRep, expectStatus, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';

// Lead-supplied text (names, titles, companies) reaches Slack through the REST API and the alert job,
// and arrives at a real HTTP receiver: it must arrive as text, never as a mention or a disguised link.
let t: TestApp;
let server: Server;
let base = '';
const bodies: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { bodies.push(body); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createRep(t, 'Rita');
  await useRoundRobin(t);
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('Slack alerts carry lead-supplied text escaped and within limits', () => {
  it('a contact named <!channel> with a disguised link in its title reaches Slack as plain text', async () => {
    await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'slack', kind: 'slack', url: `${base}/slack` }), 201);
    const lead = await createLead(t, { first_name: '<!channel>', last_name: '& <@U0123>', title: `<https://evil.example/login|Open lead> ${'A'.repeat(200)}` });
    await moveLead(t, lead.id, { to: 'mql', note: `Score <!here> ${'long reason & '.repeat(130)}` });
    const ran = await runDueJobs({ ...t.deps, mailer: null, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 2000 }, t.clock.now(), { tasks: ['deliver-alert'] });
    expect(ran.length).toBeGreaterThan(0);
    expect(bodies).toHaveLength(1);
    const raw = bodies[0]!;
    expect(raw).not.toContain('<!channel>');
    expect(raw).not.toContain('<!here>');
    expect(raw).not.toContain('<https://evil.example');
    expect(raw).not.toContain('<@U0123>');
    const msg = JSON.parse(raw);
    expect(msg.text).toContain('&lt;!channel&gt; &amp; &lt;@U0123&gt;');
    expect(msg.text).toContain('&lt;https://evil.example/login|Open lead&gt;');
    expect(msg.text.endsWith(`<https://leadloop.example/leads/${lead.id}>`)).toBe(true);
    expect(msg.blocks[0].type).toBe('header');
    expect(msg.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(msg.blocks[0].text.text.endsWith('…')).toBe(true);
    expect(msg.blocks[1].text.text.length).toBeLessThanOrEqual(3000);
    expect(msg.blocks[2].elements[0].url).toBe(`https://leadloop.example/leads/${lead.id}`);
  });
});
