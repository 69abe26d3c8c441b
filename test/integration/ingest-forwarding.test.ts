import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, basic, contactByEmail, contactOfAnonymous, json } from '../helpers/ingest-helpers.ts';

/**
 * Forwarding recipes, with the payload shapes the destinations document: Segment Webhooks (Actions)
 * single and batch mode (default mapping `data: $.` → the whole event; batch → a bare JSON array;
 * custom headers; X-Signature = hex HMAC-SHA1 of the body when a shared secret is set), classic
 * Segment Webhooks (every type, `delete` included, POSTed to one URL), RudderStack's webhook
 * destination (the event unmodified, `user-agent: RudderLabs`), and Segment's /v1/import.
 * The test clock says 2026-03-02T09:00:00Z: "30 days ago" is 2026-01-31.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
});
afterAll(async () => { await t?.close(); });

const NOW = '2026-03-02T09:00:00.000Z';
const sign = (body: string, secret: string) => createHmac('sha1', secret).update(body, 'utf8').digest('hex');
const send = (url: string, body: unknown, headers: Record<string, string>) => {
  const payload = JSON.stringify(body);
  return t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });
};
const occurredOf = async (anonymousId: string) => (await activitiesOf(t, (await contactOfAnonymous(t, anonymousId))!)).map((a) => [a.type, a.occurred_at]);

/**
 * A Segment event as Segment hands it to a destination, 30 days after it happened: the device clock
 * was 2 minutes fast, Segment received it a second after it happened and corrected `timestamp`.
 */
function segmentEvent(fields: Record<string, unknown>, day = '2026-01-31', seq = 0) {
  const s = String(seq).padStart(2, '0');
  return {
    anonymousId: 'fwd-anon', channel: 'client', messageId: `ajs-next-fwd-${fields.type}-${seq}`, version: 2, integrations: {},
    context: {
      campaign: { source: 'google', medium: 'cpc', name: 'brand-2026', term: 'lead system', content: 'ad-a' },
      library: { name: 'analytics.js', version: 'next-1.84.3' }, locale: 'en-US', ip: '203.0.113.7', userAgent: 'Mozilla/5.0',
      page: { path: '/pricing', referrer: '', search: '?utm_source=google', title: 'Pricing', url: 'https://acme.example/pricing?utm_source=google' },
    },
    originalTimestamp: `${day}T09:02:${s}.000Z`, sentAt: `${day}T09:02:${s}.500Z`, receivedAt: `${day}T09:00:${s}.500Z`, timestamp: `${day}T09:00:${s}.000Z`,
    ...fields,
  };
}

describe('Segment Webhooks (Actions)', () => {
  it('single mode: one event per request, Basic auth as a custom header, X-Signature ignored; a 30-day-old event keeps its timestamp', async () => {
    const event = segmentEvent({ type: 'track', event: 'Whitepaper Downloaded', properties: { title: 'Guide' }, anonymousId: 'actions-single' });
    const body = JSON.stringify(event);
    const r = await t.app.inject({ method: 'POST', url: '/v1/webhook', payload: body, headers: {
      'content-type': 'application/json', 'user-agent': 'Segment (Actions)', authorization: basic(t.keys.ingest), 'x-signature': sign(body, 'shared-secret'),
    } });
    expect(json(r)).toMatchObject({ success: true, accepted: 1, stored: 1, errors: [] });
    expect(await occurredOf('actions-single')).toEqual([['content_download', '2026-01-31T09:00:00.000Z']]);
  });

  it('batch mode: a bare JSON array stitches page → identify → group; one broken event is refused alone', async () => {
    const batch = [
      segmentEvent({ type: 'page', name: 'Pricing', properties: { url: 'https://acme.example/pricing' }, anonymousId: 'actions-batch' }, '2026-01-31', 1),
      segmentEvent({ type: 'track', anonymousId: 'actions-batch', properties: {} }, '2026-01-31', 2), // no event name
      segmentEvent({ type: 'identify', anonymousId: 'actions-batch', userId: 'u-actions', traits: { email: 'olga@fwd-actions.example', firstName: 'Olga' } }, '2026-01-31', 3),
      segmentEvent({ type: 'group', anonymousId: 'actions-batch', userId: 'u-actions', groupId: 'fwd-actions-co', traits: { name: 'Forwarded Actions Co' } }, '2026-01-31', 4),
      segmentEvent({ type: 'track', event: 'Demo Requested', anonymousId: 'actions-batch', userId: 'u-actions', properties: {} }, '2026-02-01', 5),
    ];
    const r = await send('/v1/webhook', batch, { authorization: basic(t.keys.ingest), 'user-agent': 'Segment (Actions)' });
    expect(r.statusCode).toBe(200);
    const answer = json(r);
    expect(answer).toMatchObject({ accepted: 4, stored: 2 });
    expect(answer.errors).toEqual([expect.objectContaining({ index: 1, reason: 'InvalidMessage', message_id: 'ajs-next-fwd-track-2' })]);
    const olga = (await contactByEmail(t, 'olga@fwd-actions.example'))!;
    expect(await contactOfAnonymous(t, 'actions-batch')).toBe(olga.id);
    expect((await activitiesOf(t, olga.id)).map((a) => [a.type, a.occurred_at]).sort()).toEqual([
      ['custom', '2026-02-01T09:00:05.000Z'], ['page_view', '2026-01-31T09:00:01.000Z'],
    ]);
    expect(olga.first_touch).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'brand-2026' });
    expect(json(await t.api('GET', `/api/v1/accounts/${olga.account_id}`, undefined, t.keys.read))).toMatchObject({ name: 'Forwarded Actions Co' });
    // Scored at the events' own times: the 30-day-old pricing visit counts half (30-day half-life), not as a visit today.
    const history = json(await t.api('GET', `/api/v1/contacts/${olga.id}/score-history`, undefined, t.keys.read)).data;
    expect(history.map((h: any) => [h.at, h.engagement, h.cell])).toEqual([['2026-02-01T09:00:05.000Z', 5, 'D3'], ['2026-01-31T09:00:01.000Z', 5, 'D3']]);
    expect(history[1].explanation).toContain('pricing page +5');
    // Cold under the starter definition: a known person with one engagement signal is an inquiry (the
    // definition's inquiry rule), dated at the forwarded event's own time, never an MQL.
    const leads = json(await t.api('GET', `/api/v1/leads?contact_id=${olga.id}`, undefined, t.keys.read)).data;
    expect(leads.map((l: any) => [l.stage, l.opened_at])).toEqual([['inquiry', '2026-01-31T09:00:01.000Z']]);
    // The same array posted to /v1/batch works too, and is recognised as a retry (same messageIds).
    expect(json(await send('/v1/batch', batch, { authorization: basic(t.keys.ingest) }))).toMatchObject({ stored: 0, duplicates: 4 });
  });
});

describe('Segment Webhooks (classic)', () => {
  it('every message type POSTed to one URL with the key in the query string; a deletion notice is refused alone and dead-lettered', async () => {
    const url = `/v1/webhook?key=${t.keys.ingest}`;
    const headers = { 'user-agent': 'Segment/1.0', 'x-signature': 'ignored' };
    // The documented shapes (version 1, one call per request).
    const calls = [
      { version: 1, type: 'page', userId: 'classic-1', properties: { path: '/pricing', referrer: 'https://segment.com', title: 'Pricing', url: 'https://acme.example/pricing' }, timestamp: '2026-01-30T00:30:08.276Z' },
      { version: 1, type: 'screen', userId: 'classic-1', name: 'Main Screen', timestamp: '2026-01-30T00:31:08.276Z', context: { device: { model: 'x86_64', type: 'ios' }, os: { name: 'iPhone OS', version: '7.1' }, app: { build: '88', name: 'YourApp', version: '2.0.0' } } },
      { version: 1, type: 'identify', userId: 'classic-1', traits: { email: 'achilles@classic-hook.example', name: 'Achilles', subscriptionPlan: 'Premium', friendCount: 29 }, timestamp: '2026-01-30T00:32:08.276Z' },
      { version: 1, type: 'track', userId: 'classic-1', event: 'Purchased an Item', properties: { revenue: '39.95', shippingMethod: '2-day' }, timestamp: '2026-01-30T00:33:08.276Z' },
      { version: 1, type: 'group', groupId: '0e8c78ea9d97a7b8185e8632', userId: 'classic-1', traits: { name: 'Initech', industry: 'Technology', employees: 329, plan: 'Enterprise', 'total billed': 830 }, timestamp: '2026-01-30T00:34:08.276Z' },
      { version: 1, type: 'alias', previousId: 'classic-old', userId: 'classic-1', timestamp: '2026-01-30T00:35:08.276Z' },
    ];
    for (const call of calls) {
      const r = await send(url, call, headers);
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r), call.type).toMatchObject({ accepted: 1, errors: [] });
    }
    const deletion = json(await send(url, { type: 'delete', userId: 'classic-1', timestamp: '2026-01-30T00:36:08.276Z' }, headers));
    expect(deletion).toMatchObject({ accepted: 0, stored: 0, errors: [{ index: 0, reason: 'UnknownType' }] });
    const dead = json(await t.api('GET', '/api/v1/ingest/errors?reason=UnknownType', undefined, t.keys.read));
    expect(dead.data.some((d: any) => d.payload?.type === 'delete')).toBe(true);

    const achilles = (await contactByEmail(t, 'achilles@classic-hook.example'))!;
    expect((await activitiesOf(t, achilles.id)).map((a) => [a.type, a.occurred_at]).sort()).toEqual([
      ['custom', '2026-01-30T00:33:08.276Z'], ['page_view', '2026-01-30T00:30:08.276Z'], ['screen_view', '2026-01-30T00:31:08.276Z'],
    ]);
    expect(json(await t.api('GET', `/api/v1/accounts/${achilles.account_id}`, undefined, t.keys.read))).toMatchObject({ name: 'Initech', employee_count: 329 });
  });
});

describe('RudderStack webhook destination', () => {
  it('the event unmodified (empty userId, rudderId, request_ip) with a custom Authorization header keeps its timestamp', async () => {
    const event = {
      anonymousId: 'rs-fwd-anon', userId: '', channel: 'web', type: 'track', event: 'Webinar Registered', messageId: 'f3b0a8c1-rs-fwd-1',
      rudderId: '6f2bd6d0-4f7e-4c46-a4b7-98a2c6b1b0f1', request_ip: '198.51.100.4', integrations: { All: true },
      properties: { webinar: 'Lead scoring 101' },
      context: { library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' }, campaign: { source: 'newsletter', medium: 'email', name: 'jan-digest' }, page: { url: 'https://acme.example/webinars' } },
      originalTimestamp: '2026-01-31T10:00:00.000Z', sentAt: '2026-01-31T10:00:03.000Z', receivedAt: '2026-01-31T09:59:58.000Z', timestamp: '2026-01-31T09:59:55.000Z',
    };
    const r = await send('/v1/webhook', event, { 'user-agent': 'RudderLabs', authorization: basic(t.keys.ingest) });
    expect(json(r)).toMatchObject({ accepted: 1, stored: 1, errors: [] });
    const [a] = await activitiesOf(t, (await contactOfAnonymous(t, 'rs-fwd-anon'))!);
    expect(a).toMatchObject({ type: 'event_registered', occurred_at: '2026-01-31T09:59:55.000Z', source: 'newsletter', medium: 'email' });
  });

  it('a forwarded event without a final timestamp is corrected once, against the CDP\'s receivedAt', async () => {
    const event = { anonymousId: 'rs-fwd-raw', userId: '', type: 'page', properties: {}, originalTimestamp: '2026-01-31T10:00:00.000Z', sentAt: '2026-01-31T10:00:03.000Z', receivedAt: '2026-01-31T09:59:58.000Z' };
    expect(json(await send('/v1/webhook', event, { authorization: basic(t.keys.ingest) }))).toMatchObject({ stored: 1 });
    expect(await occurredOf('rs-fwd-raw')).toEqual([['page_view', '2026-01-31T09:59:55.000Z']]);
  });
});

describe('Segment /v1/import (historical loads)', () => {
  it('each message keeps its timestamp, even when the batch says it was sent now from a skewed clock', async () => {
    const batch = { sentAt: '2026-03-02T10:00:00.000Z', batch: [
      { type: 'identify', userId: 'hist-1', traits: { email: 'hedy@history.example' }, timestamp: '2025-11-03T14:00:00.000Z' },
      { type: 'track', userId: 'hist-1', event: 'Webinar Attended', timestamp: '2025-11-04T15:00:00.000Z', sentAt: '2026-03-02T10:00:00.000Z' },
      { type: 'page', userId: 'hist-1', properties: { url: 'https://acme.example/' }, timestamp: '2025-12-01T08:00:00.000Z' },
    ] };
    expect(json(await send('/v1/import', batch, { authorization: basic(t.keys.ingest) }))).toMatchObject({ accepted: 3, stored: 2, errors: [] });
    const hedy = (await contactByEmail(t, 'hedy@history.example'))!;
    expect((await activitiesOf(t, hedy.id)).map((a) => [a.type, a.occurred_at]).sort()).toEqual([
      ['page_view', '2025-12-01T08:00:00.000Z'], ['webinar_attended', '2025-11-04T15:00:00.000Z'],
    ]);
  });
});

describe('clock-skew correction is applied once, only with sentAt', () => {
  // The device clock is 1 h fast; it sent 5 s after the event; we receive at NOW.
  const skewed = { timestamp: '2026-03-02T09:59:55.000Z', sentAt: '2026-03-02T10:00:00.000Z' };

  it('a direct SDK call with its own sentAt: occurred = receivedAt − (sentAt − timestamp)', async () => {
    expect(json(await send('/v1/track', { anonymousId: 'skew-own', event: 'A', ...skewed }, { authorization: basic(t.keys.ingest) }))).toMatchObject({ stored: 1 });
    expect(await occurredOf('skew-own')).toEqual([['custom', '2026-03-02T08:59:55.000Z']]);
  });

  it('a batch whose messages carry their own sentAt and the envelope another: the message\'s, once', async () => {
    const r = await send('/v1/batch', { sentAt: '2026-03-02T11:00:00.000Z', batch: [{ type: 'track', anonymousId: 'skew-batch', event: 'B', ...skewed }] }, { authorization: basic(t.keys.ingest) });
    expect(json(r)).toMatchObject({ stored: 1 });
    expect(await occurredOf('skew-batch')).toEqual([['custom', '2026-03-02T08:59:55.000Z']]);
  });

  it('no sentAt: the timestamp as sent (the HTTP API with an explicit timestamp)', async () => {
    expect(json(await send('/v1/track', { anonymousId: 'skew-none', event: 'C', timestamp: '2026-01-31T09:00:00.000Z' }, { authorization: basic(t.keys.ingest) }))).toMatchObject({ stored: 1 });
    expect(await occurredOf('skew-none')).toEqual([['custom', '2026-01-31T09:00:00.000Z']]);
    expect(NOW).toBe(t.clock.now().toISOString());
  });
});
