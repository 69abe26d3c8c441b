import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { MONDAY_9, createLead, createRep, expectStatus, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';

type Received = { path: string; headers: IncomingMessage['headers']; body: string };

/** A local webhook receiver; `behaviour` decides per path: answer 200, 500, or never answer. */
async function startReceiver(behaviour: (path: string) => 'ok' | 'fail' | 'hang') {
  const received: Received[] = [];
  const waiters: { path: string; resolve: (r: Received) => void }[] = [];
  const hanging: { destroy: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body };
      received.push(r);
      for (const w of waiters.filter((w) => w.path === r.path)) w.resolve(r);
      const mode = behaviour(r.path);
      if (mode === 'hang') { hanging.push({ destroy: () => res.destroy() }); return; }
      res.writeHead(mode === 'ok' ? 200 : 500).end(mode);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base, received,
    next: (path: string) => new Promise<Received>((resolve) => waiters.push({ path, resolve })),
    close: async () => { for (const h of hanging) h.destroy(); server.closeAllConnections(); await new Promise((r) => server.close(r)); },
  };
}

function verifySignature(header: string, body: string, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  return createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
}

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: SMTPServer;
let mailer: Mailer;
const mails: { to: string; raw: string }[] = [];
let rep: { id: string; email: string };

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
  receiver = await startReceiver((path) => (path.startsWith('/fail') ? 'fail' : path.startsWith('/hang') ? 'hang' : 'ok'));
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c) => { raw += c; });
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw }); callback(); });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  mailer = createMailer(`smtp://127.0.0.1:${port}`, 'Leadloop <alerts@leadloop.test>');
  rep = await createRep(t, 'Rita');
  await useRoundRobin(t);
});
afterAll(async () => {
  mailer?.close();
  await receiver?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await t?.close();
});

const jobDeps = () => ({ ...t.deps, mailer, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 1000 });

describe('alerts with context', () => {
  let okHook: { id: string; secret: string };
  let slackHook: { id: string };

  it('an MQL is alerted by signed JSON webhook, Slack webhook and email, with why, recent reads, account, SLA and link', async () => {
    okHook = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'crm', kind: 'json', url: `${receiver.base}/ok-json` }), 201);
    expect(okHook.secret).toMatch(/^whsec_/);
    slackHook = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'slack', kind: 'slack', url: `${receiver.base}/ok-slack` }), 201);
    const account = await expectStatus(t.api('POST', '/api/v1/accounts', { name: 'Globex GmbH', domain: 'globex.example' }), 201);
    const content = await expectStatus(t.api('POST', '/api/v1/content', { title: 'Pricing guide 2031', url: 'https://acme.test/pricing-guide', format: 'pdf' }), 201);
    const lead = await createLead(t, { account_id: account.id });
    await t.db.insertInto('activity').values({
      workspace_id: t.workspace.id, id: '01900000-0000-7000-8000-000000000001', contact_id: lead.contact_id, type: 'content_download',
      occurred_at: new Date('2031-03-03T08:30:00Z'), content_id: content.id, properties: '{}', source: null, medium: null, campaign_id: null,
      utm_campaign: null, url: null, referrer: null, event_name: null, actor_user_id: null, idempotency_key: null,
    }).execute();
    await moveLead(t, lead.id, { to: 'mql', note: 'Score 78 (fit 40 + engagement 38) ≥ 60; definition v3' });

    const ran = await runDueJobs(jobDeps(), t.clock.now(), { tasks: ['deliver-alert'] });
    expect(ran.map((r) => r.ok)).toEqual([true, true, true]);

    const json = receiver.received.find((r) => r.path === '/ok-json')!;
    expect(verifySignature(String(json.headers['x-leadloop-signature']), json.body, okHook.secret)).toBe(true);
    expect(verifySignature(String(json.headers['x-leadloop-signature']), json.body.replace('78', '79'), okHook.secret)).toBe(false);
    const doc = JSON.parse(json.body);
    expect(doc).toMatchObject({ type: 'leadloop.alert', kind: 'mql_assigned', lead_id: lead.id, user_id: rep.id, url: `https://leadloop.example/leads/${lead.id}` });
    expect(doc.body).toContain('Why qualified: Score 78 (fit 40 + engagement 38) ≥ 60; definition v3');
    expect(doc.body).toContain('content download "Pricing guide 2031"');
    expect(doc.body).toContain('Account: Globex GmbH');
    expect(doc.body).toContain('SLA: accept due 2031-03-03 13:00 UTC');
    const slack = JSON.parse(receiver.received.find((r) => r.path === '/ok-slack')!.body);
    expect(slack.text).toContain('Globex GmbH');
    expect(slack.blocks[2].elements[0].url).toBe(`https://leadloop.example/leads/${lead.id}`);

    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe(rep.email);
    expect(mails[0]!.raw).toContain('Subject: [Leadloop] New sales-ready lead');
    // The text part is quoted-printable: undo soft line breaks before searching.
    expect(mails[0]!.raw.replace(/=\r?\n/g, '')).toContain(`https://leadloop.example/leads/${lead.id}`);

    const repKey = await t.newKey(['read'], rep.id);
    const feed = await expectStatus(t.api('GET', '/api/v1/alerts?unread=true', undefined, repKey), 200);
    expect(feed.data).toHaveLength(1);
    expect(feed.data[0]).toMatchObject({ kind: 'mql_assigned', email_status: 'sent', delivered_at: MONDAY_9.toISOString() });
    await expectStatus(t.api('POST', `/api/v1/alerts/${feed.data[0].id}/read`, undefined, repKey), 200);
    expect((await expectStatus(t.api('GET', '/api/v1/alerts?unread=true', undefined, repKey), 200)).data).toHaveLength(0);
    const deliveries = await expectStatus(t.api('GET', `/api/v1/webhooks/${okHook.id}/deliveries`), 200);
    expect(deliveries.data).toMatchObject([{ attempt: 1, status: 'success', response_code: 200 }]);
  });

  it('bursts are deduplicated: one alert per user, lead and kind in 10 minutes', async () => {
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    await moveLead(t, lead.id, { to: 'nurture', reason_code: 'not_ready' });
    await moveLead(t, lead.id, { to: 'mql' });
    const rows = await t.db.selectFrom('alert').select('id').where('lead_id', '=', lead.id).execute();
    expect(rows).toHaveLength(1);
    await runDueJobs(jobDeps(), t.clock.now(), { tasks: ['deliver-alert'] });
  });

  it('a failing webhook is retried with backoff and every attempt logged; replay sends again', async () => {
    await expectStatus(t.api('PATCH', `/api/v1/webhooks/${slackHook.id}`, { active: false }), 200);
    const failing = await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'down', kind: 'json', url: `${receiver.base}/fail` }), 201);
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    let ran = await runDueJobs(jobDeps(), t.clock.now(), { tasks: ['deliver-alert'] });
    expect(ran.filter((r) => !r.ok).map((r) => r.error)).toEqual([expect.stringContaining('HTTP 500')]);
    // exp(1) s later the second attempt is due.
    t.clock.advance(3000);
    ran = await runDueJobs(jobDeps(), t.clock.now(), { tasks: ['deliver-alert'] });
    expect(ran).toMatchObject([{ ok: false, attempt: 2 }]);
    const log = await expectStatus(t.api('GET', `/api/v1/webhooks/${failing.id}/deliveries`), 200);
    expect(log.data.map((d: any) => [d.attempt, d.status, d.response_code])).toEqual([[2, 'failed', 500], [1, 'failed', 500]]);
    const okLog = await expectStatus(t.api('GET', `/api/v1/webhooks/${okHook.id}/deliveries`), 200);
    const replay = await expectStatus(t.api('POST', `/api/v1/webhooks/deliveries/${okLog.data[0].id}/replay`), 202);
    expect(replay.queued).toBe(true);
    ran = await runDueJobs(jobDeps(), t.clock.now(), { tasks: ['deliver-alert'], keyPrefix: 'replay:' });
    expect(ran).toMatchObject([{ ok: true }]);
    await expectStatus(t.api('DELETE', `/api/v1/webhooks/${failing.id}`), 200);
  });

  it('a hanging receiver blocks neither the MQL request nor the other alerts (real worker, LISTEN/NOTIFY)', async () => {
    await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'hangs', kind: 'json', url: `${receiver.base}/hang` }), 201);
    const worker = await startWorker(t.pool, jobDeps(), 4);
    try {
      const lead = await createLead(t);
      const hangArrived = receiver.next('/hang');
      const okArrived = receiver.next('/ok-json');
      const started = Date.now();
      await moveLead(t, lead.id, { to: 'mql' });
      const ack = Date.now() - started;
      await hangArrived;
      const ok = await okArrived;
      expect(JSON.parse(ok.body).lead_id).toBe(lead.id);
      // Both arrived while the hanging request is still open (its timeout is 1 s).
      expect(Date.now() - started).toBeLessThan(1000);
      expect(ack).toBeLessThan(1000);
    } finally {
      await worker.stop();
    }
    const hooks = await expectStatus(t.api('GET', '/api/v1/webhooks'), 200);
    const hang = hooks.data.find((h: any) => h.name === 'hangs');
    const log = await expectStatus(t.api('GET', `/api/v1/webhooks/${hang.id}/deliveries`), 200);
    expect(log.data[0]).toMatchObject({ status: 'failed', response_code: null, error: 'timed out after 1000 ms' });
  });
});
