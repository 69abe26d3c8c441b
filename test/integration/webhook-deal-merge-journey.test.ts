import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Deals and merges seen from a Standard Webhooks consumer: a real HTTP receiver on loopback verifies
 * every delivery with the `standardwebhooks` reference library. Everything is done through public
 * doors — the REST API wins and loses deals, the Segment-compatible `/v1/*` API makes an anonymous
 * visitor known (a merge) — and the test asserts only what the receiver gets.
 */
type Received = { headers: IncomingHttpHeaders; body: string };
type Event = { type: string; timestamp: string; data: Record<string, any> };
let t: TestApp;
let server: Server;
let base = '';
const received: Received[] = [];
let hook: { id: string; secret: string };

const at = new Date('2026-04-07T10:00:00.000Z');
const deliver = () => runDueJobs(t.deps, t.clock.now(), { tasks: ['deliver-webhook-event'] });
const std = (h: IncomingHttpHeaders) => ({ 'webhook-id': String(h['webhook-id']), 'webhook-timestamp': String(h['webhook-timestamp']), 'webhook-signature': String(h['webhook-signature']) });
/** What the consumer accepts: verified, or it throws (a consumer refuses an unsigned or tampered call). */
const verifiedEvents = (): Event[] => received.map((r) => new StandardWebhook(hook.secret).verify(r.body, std(r.headers)) as Event);
const ofType = (type: string) => verifiedEvents().filter((e) => e.type === type);

async function leadFor(email: string): Promise<{ contactId: string; leadId: string }> {
  const contact = json(await t.api('POST', '/api/v1/contacts', { email }));
  const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id, owner_id: t.users.sales.id }));
  return { contactId: contact.id, leadId: lead.id };
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(at);
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = await t.api('POST', '/api/v1/webhooks', {
    name: 'revenue-ops', kind: 'json', url: `${base}/hooks`, event_types: ['opportunity.won', 'opportunity.lost', 'contact.merged', 'lead.stage_changed'],
  });
  expect(r.statusCode, r.body).toBe(201);
  hook = json(r);
  await deliver();
  received.length = 0;
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('deals and merges reach a Standard Webhooks consumer', () => {
  it('a deal won through the REST API: opportunity.won with amount and the linked lead, and the lead moving to won', async () => {
    const { leadId } = await leadFor('cfo@northwind.example');
    const deal = json(await t.api('POST', '/api/v1/opportunities', { name: 'Northwind platform', amount: 48000, currency: 'EUR', stage: 'Negotiation' }));
    expect((await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: leadId })).statusCode).toBeLessThan(300);
    await deliver();
    received.length = 0;

    const won = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'won', stage: 'Closed Won', close_date: '2026-04-07' });
    expect(won.statusCode, won.body).toBe(200);
    expect(received).toHaveLength(0); // queued in the request's transaction, sent by the worker
    const ran = await deliver();
    expect(ran.every((x) => x.ok), JSON.stringify(ran)).toBe(true);

    expect(ofType('opportunity.won')).toEqual([{
      type: 'opportunity.won', timestamp: at.toISOString(),
      data: { opportunity_id: deal.id, stage: 'Closed Won', amount: 48000, currency: 'EUR', close_date: '2026-04-07', lead_ids: [leadId], actor: { type: 'api_key', id: expect.any(String) } },
    }]);
    expect(ofType('opportunity.lost')).toEqual([]);
    expect(ofType('lead.stage_changed').map((e) => [e.data.lead_id, e.data.from, e.data.to])).toEqual([[leadId, 'opportunity', 'won']]);
    // Each delivery carries its own event id; the consumer dedupes on it.
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(received.length);
  });

  it('a deal lost through the REST API: opportunity.lost, and the lead lost with the reason given', async () => {
    received.length = 0;
    const { leadId } = await leadFor('cto@contoso.example');
    const deal = json(await t.api('POST', '/api/v1/opportunities', { name: 'Contoso pilot', amount: 12000, currency: 'USD', stage: 'Proposal', lead_ids: [leadId] }));
    await deliver();
    received.length = 0;

    // Lost without a reason is refused (the linked lead needs one): nothing is sent for it.
    const refused = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'lost' });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(await deliver()).toEqual([]);
    expect(received).toEqual([]);

    const lost = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'lost', stage: 'Closed Lost', lost_reason_code: 'lost_price' });
    expect(lost.statusCode, lost.body).toBe(200);
    await deliver();
    expect(ofType('opportunity.lost').map((e) => e.data)).toEqual([
      { opportunity_id: deal.id, stage: 'Closed Lost', amount: 12000, currency: 'USD', close_date: null, lead_ids: [leadId], actor: { type: 'api_key', id: expect.any(String) } },
    ]);
    expect(ofType('opportunity.won')).toEqual([]);
    expect(ofType('lead.stage_changed').map((e) => [e.data.to, e.data.reason_code])).toEqual([['lost', 'lost_price']]);
  });

  it('a deal edited after it closed is not news: no second opportunity.won', async () => {
    received.length = 0;
    const deal = json(await t.api('POST', '/api/v1/opportunities', { name: 'Fabrikam renewal', amount: 9000, currency: 'USD', stage: 'Closed Won', status: 'won' }));
    await deliver();
    expect(ofType('opportunity.won').map((e) => e.data.opportunity_id)).toEqual([deal.id]);
    received.length = 0;
    expect((await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { amount: 9500 })).statusCode).toBe(200);
    await deliver();
    expect(verifiedEvents()).toEqual([]);
  });

  it('an anonymous visitor identifies as a known person: contact.merged names the winner and the merged-away record', async () => {
    received.length = 0;
    const known = json(await t.api('POST', '/api/v1/contacts', { email: 'ops@tailspin.example' })).id as string;
    const visit = await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'tailspin-anon', timestamp: new Date(at.getTime() - 3_600_000).toISOString(), properties: { url: 'https://tailspin.example/pricing' }, messageId: 'ts-1' },
    ] });
    expect(visit.statusCode, visit.body).toBe(200);
    await deliver();
    received.length = 0;
    const identify = await segment(t, '/v1/identify', { anonymousId: 'tailspin-anon', traits: { email: 'ops@tailspin.example' }, messageId: 'ts-2' });
    expect(identify.statusCode, identify.body).toBe(200);
    await deliver();
    const merged = ofType('contact.merged');
    expect(merged).toHaveLength(1);
    expect(merged[0]!.data.contact_id).toBe(known);
    const loser = merged[0]!.data.merged_contact_id as string;
    expect(loser).not.toBe(known);
    // The merged-away id now answers as the winner's record (the consumer can re-point its copy).
    const identity = json(await t.api('GET', `/api/v1/contacts/${known}/identity`));
    expect(JSON.stringify(identity)).toContain(loser);
    // Thin payloads: ids only, never the person's email.
    expect(received.map((r) => r.body).join('')).not.toContain('ops@tailspin.example');
  });
});
