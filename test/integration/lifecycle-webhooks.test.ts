import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { listAuditRows } from '../../src/storage/audit.repo.ts';
import { json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Lifecycle webhooks seen from a Standard Webhooks consumer: a real HTTP receiver on loopback that
 * verifies every delivery with the `standardwebhooks` reference library, fed by changes made only
 * through the public doors (/v1/batch, the forms endpoint, the REST API).
 */
type Received = { path: string; headers: IncomingHttpHeaders; body: string };
let t: TestApp;
let server: Server;
let base = '';
const received: Received[] = [];
let answer = 200;

const day = '2026-03-02';
const at = (hhmm: string) => new Date(`${day}T${hhmm}:00.000Z`);
const form = (id: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${id}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
const deliver = () => runDueJobs(t.deps, t.clock.now(), { tasks: ['deliver-webhook-event'] });
const std = (h: IncomingHttpHeaders) => ({ 'webhook-id': String(h['webhook-id']), 'webhook-timestamp': String(h['webhook-timestamp']), 'webhook-signature': String(h['webhook-signature']) });
/** What the consumer accepts: the verified, parsed body (throws on a bad signature, as a consumer would refuse it). */
const verified = (secret: string, r: Received) => new StandardWebhook(secret).verify(r.body, std(r.headers)) as { type: string; timestamp: string; data: Record<string, any> };

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(at('09:00'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('lifecycle webhooks (Standard Webhooks)', () => {
  let hook: { id: string; secret: string };

  it('an endpoint subscribes to event types; the secret is shown once, in the Standard Webhooks form', async () => {
    const types = json(await t.api('GET', '/api/v1/webhooks/event-types')).data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['contact.created', 'lead.stage_changed', 'lead.mql', 'lead.assigned', 'opportunity.won', 'alert.created']));
    const r = await t.api('POST', '/api/v1/webhooks', { name: 'n8n', kind: 'json', url: `${base}/n8n`, event_types: ['lead.stage_changed', 'lead.mql'] });
    expect(r.statusCode, r.body).toBe(201);
    hook = json(r);
    expect(hook).toMatchObject({ event_types: ['lead.stage_changed', 'lead.mql'], signature_scheme: 'standard-webhooks-v1' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = json(await t.api('GET', '/api/v1/webhooks')).data.find((w: { id: string }) => w.id === hook.id);
    expect(listed.secret).toBeUndefined();
  });

  it('a demo-request form makes a known person an MQL: the consumer verifies and receives lead.stage_changed and lead.mql', async () => {
    const batch = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', anonymousId: 'ada-anon', userId: 'ada', timestamp: at('08:40').toISOString(), traits: { email: 'ada@cloudly.example', first_name: 'Ada', title: 'VP Marketing' }, messageId: 'ada-1' },
      { type: 'group', userId: 'ada', groupId: 'cloudly', timestamp: at('08:41').toISOString(), traits: { name: 'Cloudly', website: 'cloudly.example', industry: 'SaaS', employees: 500 }, messageId: 'ada-2' },
    ] });
    expect(batch.statusCode, batch.body).toBe(200);
    expect((await form('demo-request', { email: 'ada@cloudly.example', first_name: 'Ada' })).statusCode).toBe(200);
    const contact = json(await t.api('GET', '/api/v1/contacts?email=ada%40cloudly.example')).data[0];
    const lead = json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0];
    expect(lead.stage).toBe('mql');

    // Nothing is sent in the request: deliveries are jobs queued in its transaction.
    expect(received).toHaveLength(0);
    const ran = await deliver();
    expect(ran.every((r) => r.ok), JSON.stringify(ran)).toBe(true);
    const events = received.map((r) => ({ r, body: verified(hook.secret, r) }));
    const stageChanges = events.filter((e) => e.body.type === 'lead.stage_changed').map((e) => e.body);
    // The lead opened at inquiry (lead.opened, not subscribed here) and the form moved it inquiry → mql.
    expect(stageChanges.map((e) => [e.data.from, e.data.to])).toEqual([['inquiry', 'mql']]);
    const mql = stageChanges[0]!;
    expect(mql).toMatchObject({ timestamp: at('09:00').toISOString(), data: { lead_id: lead.id, contact_id: contact.id, actor: { type: 'rule' } } });
    expect(mql.data.definition_id).toBeTruthy();
    expect(events.filter((e) => e.body.type === 'lead.mql').map((e) => e.body.data.lead_id)).toEqual([lead.id]);
    // The webhook-id is the event's id: unique per event, so a consumer can dedupe retries and replays.
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(received.length);

    // A consumer refuses a tampered body and a foreign secret.
    const one = received.find((r) => r.body.includes('"lead.mql"'))!;
    expect(() => verified(hook.secret, { ...one, body: one.body.replace('"mql"', '"sal"') })).toThrow(WebhookVerificationError);
    expect(() => verified('whsec_' + Buffer.alloc(32, 7).toString('base64'), one)).toThrow(WebhookVerificationError);

    const log = json(await t.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`)).data;
    expect(log).toHaveLength(received.length);
    expect(log.every((d: { status: string; event_id: string | null; alert_id: string | null }) => d.status === 'success' && d.event_id && !d.alert_id)).toBe(true);
  });

  it('a refused request sends nothing: its transitions roll back with their queued deliveries', async () => {
    received.length = 0;
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'refused@hooli.com' }));
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id, owner_id: t.users.sales.id }));
    await deliver();
    received.length = 0;
    const deal = json(await t.api('POST', '/api/v1/opportunities', { name: 'Hooli', amount: 5000, currency: 'EUR', stage: 'Closed Lost', status: 'lost' }));
    // Linking walks the lead inquiry → mql → … → opportunity (each step publishes a transition), then
    // following the lost deal needs a reason: the whole request is refused and rolled back.
    const r = await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: lead.id });
    expect(r.statusCode, r.body).toBe(422);
    expect(await deliver()).toEqual([]);
    expect(received).toEqual([]);

    // The control: the same link with a reason commits, and its transitions are delivered.
    const ok = await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: lead.id, lost_reason_code: 'lost_price' });
    expect(ok.statusCode, ok.body).toBeLessThan(300);
    await deliver();
    const moves = received.map((x) => verified(hook.secret, x)).filter((e) => e.type === 'lead.stage_changed' && e.data.lead_id === lead.id);
    expect(moves.at(-1)!.data.to).toBe('lost');
  });

  it('a failing receiver is retried with backoff, every attempt logged; replay resends the same webhook-id', async () => {
    received.length = 0;
    answer = 503;
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'retry@initech.com' }));
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql', note: 'called us' })).statusCode).toBe(201);
    const first = await deliver();
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((x) => !x.ok && x.error?.includes('HTTP 503'))).toBe(true);
    // Not due again until graphile-worker's backoff (exp(1) s) has passed on the clock.
    expect(await deliver()).toEqual([]);
    answer = 200;
    t.clock.advance(3000);
    const second = await deliver();
    expect(second.every((x) => x.ok && x.attempt === 2)).toBe(true);
    const ids = received.map((x) => x.headers['webhook-id']);
    expect(ids.slice(0, first.length)).toEqual(ids.slice(first.length)); // retries keep their webhook-id
    const log = json(await t.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`)).data as { id: string; attempt: number; status: string; response_code: number; event_id: string; response_snippet: string }[];
    const mqlId = String(received.find((x) => x.body.includes('"lead.mql"'))!.headers['webhook-id']);
    const attempts = log.filter((d) => d.event_id === mqlId);
    expect(attempts.map((d) => [d.attempt, d.status, d.response_code, d.response_snippet])).toEqual([[2, 'success', 200, 'ok'], [1, 'failed', 503, 'try later']]);

    received.length = 0;
    const replay = await t.api('POST', `/api/v1/webhooks/deliveries/${attempts[0]!.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(202);
    expect(json(replay)).toMatchObject({ queued: true, event_id: mqlId, alert_id: null });
    expect((await runDueJobs(t.deps, t.clock.now(), { keyPrefix: 'replay:' })).map((x) => x.ok)).toEqual([true]);
    expect(received.map((x) => x.headers['webhook-id'])).toEqual([mqlId]);
    expect(verified(hook.secret, received[0]!).type).toBe('lead.mql');
  });

  it('rotation: during the overlap both secrets verify, after it only the new one; 0 hours drops the old one at once', async () => {
    const rotated = await t.api('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { overlap_hours: 24 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = json(rotated);
    expect(next.secret).not.toBe(hook.secret);
    expect(next.previous_secret_expires_at).toBe(new Date(t.clock.now().getTime() + 24 * 3_600_000).toISOString());
    const transitionAndDeliver = async (email: string) => {
      received.length = 0;
      const c = json(await t.api('POST', '/api/v1/contacts', { email }));
      const l = json(await t.api('POST', '/api/v1/leads', { contact_id: c.id }));
      expect((await t.api('POST', `/api/v1/leads/${l.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
      await deliver();
      return received.find((x) => x.body.includes('"lead.mql"'))!;
    };
    const during = await transitionAndDeliver('overlap@umbrella.com');
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(hook.secret, during).type).toBe('lead.mql'); // receivers not yet switched
    expect(verified(next.secret, during).type).toBe('lead.mql'); // receivers already switched

    t.clock.advance(25 * 3_600_000);
    const after = await transitionAndDeliver('after@umbrella.com');
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verified(next.secret, after).type).toBe('lead.mql');
    expect(() => verified(hook.secret, after)).toThrow(WebhookVerificationError);

    const leaked = json(await t.api('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { overlap_hours: 0 }));
    expect(leaked.previous_secret_expires_at).toBeNull();
    const now = await transitionAndDeliver('leaked@umbrella.com');
    expect(() => verified(next.secret, now)).toThrow(WebhookVerificationError);
    expect(verified(leaked.secret, now).type).toBe('lead.mql');
    hook = { id: hook.id, secret: leaked.secret };
  });

  it('event types are chosen per endpoint: unsubscribed types are not sent, Slack takes alerts only', async () => {
    const slack = await t.api('POST', '/api/v1/webhooks', { name: 'slack', kind: 'slack', url: `${base}/slack`, event_types: ['lead.mql'] });
    expect(slack.statusCode).toBe(400);
    expect(json(slack).error).toMatchObject({ code: 'ValidationFailed', details: [{ path: 'body.event_types' }] });
    const unknown = await t.api('POST', '/api/v1/webhooks', { name: 'x', kind: 'json', url: `${base}/x`, event_types: ['lead.exploded'] });
    expect(unknown.statusCode).toBe(400);

    expect((await t.api('PATCH', `/api/v1/webhooks/${hook.id}`, { event_types: ['lead.mql'] })).statusCode).toBe(200);
    received.length = 0;
    const c = json(await t.api('POST', '/api/v1/contacts', { email: 'only-mql@stark.com' }));
    const l = json(await t.api('POST', '/api/v1/leads', { contact_id: c.id }));
    expect((await t.api('POST', `/api/v1/leads/${l.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
    await deliver();
    expect(received.map((x) => verified(hook.secret, x).type)).toEqual(['lead.mql']);

    // Contacts: created and updated through the API, with the names of the changed fields (never their values).
    expect((await t.api('PATCH', `/api/v1/webhooks/${hook.id}`, { event_types: ['contact.created', 'contact.updated'] })).statusCode).toBe(200);
    received.length = 0;
    const person = json(await t.api('POST', '/api/v1/contacts', { email: 'grace@hopper.example' }));
    expect((await t.api('PATCH', `/api/v1/contacts/${person.id}`, { title: 'Rear Admiral' })).statusCode).toBe(200);
    await deliver();
    const got = received.map((x) => verified(hook.secret, x));
    expect(got.map((e) => [e.type, e.data.contact_id])).toEqual([['contact.created', person.id], ['contact.updated', person.id]]);
    expect(got[1]!.data.fields).toContain('title');
    expect(JSON.stringify(got)).not.toContain('Rear Admiral');
  });

  it("the audit log keeps the endpoint's whole life (who, what, before/after) and never a secret", async () => {
    const paused = await t.api('PATCH', `/api/v1/webhooks/${hook.id}`, { active: false });
    expect(paused.statusCode).toBe(200);
    expect((await t.api('DELETE', `/api/v1/webhooks/${hook.id}`)).statusCode).toBe(200);
    const rows = (await listAuditRows(t.db, t.workspace.id, { objectType: 'webhook', objectId: hook.id }, { limit: 50 })).data;
    // Rows made at the same simulated instant share a timestamp, so compare the set, not the id order.
    expect(rows.map((r) => r.action).sort()).toEqual([
      'webhook.changed', 'webhook.changed', 'webhook.created', 'webhook.deleted', 'webhook.paused', 'webhook.secret_rotated', 'webhook.secret_rotated',
    ]);
    const created = rows.find((r) => r.action === 'webhook.created')!;
    expect(created.actor).toMatchObject({ kind: 'api_key' });
    expect(created.after).toMatchObject({ name: 'n8n', event_types: ['lead.stage_changed', 'lead.mql'] });
    expect(rows.filter((r) => r.action === 'webhook.changed').map((r) => [(r.before as any).event_types, (r.after as any).event_types])).toEqual(expect.arrayContaining([
      [['lead.stage_changed', 'lead.mql'], ['lead.mql']], [['lead.mql'], ['contact.created', 'contact.updated']],
    ]));
    expect(JSON.stringify(rows)).not.toContain('whsec_');
  });
});
