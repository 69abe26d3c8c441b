import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, basic, contactByEmail, contactOfAnonymous, json } from '../helpers/ingest-helpers.ts';

/** What the browser SDKs send, request by request, as recorded from their code (see test/e2e/browser-sdks.test.ts for the real thing). */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const post = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
const countActivities = async () => Number((await t.db.selectFrom('activity').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('analytics-next short paths', () => {
  it('/v1/p, /v1/t, /v1/i, /v1/g, /v1/s, /v1/a store like their long names; text/plain body with the key as writeKey', async () => {
    const key = t.keys.ingest;
    const calls: [string, object][] = [
      ['/v1/p', { type: 'page', anonymousId: 'ajs-1', properties: { url: 'https://acme.example/pricing', title: 'Pricing' }, writeKey: key }],
      ['/v1/t', { type: 'track', anonymousId: 'ajs-1', event: 'Pricing Viewed', writeKey: key }],
      ['/v1/s', { type: 'screen', anonymousId: 'ajs-1', name: 'Home', writeKey: key }],
      ['/v1/i', { type: 'identify', anonymousId: 'ajs-1', userId: 'ajs-user', traits: { email: 'ada@short-paths.example' }, writeKey: key }],
      ['/v1/g', { type: 'group', userId: 'ajs-user', groupId: 'short-co', traits: { name: 'Short Paths Co' }, writeKey: key }],
      ['/v1/a', { type: 'alias', previousId: 'ajs-old-id', userId: 'ajs-user', writeKey: key }],
    ];
    for (const [url, body] of calls) {
      const r = await post(url, body);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      expect(json(r)).toMatchObject({ success: true, accepted: 1, errors: [] });
    }
    const ada = (await contactByEmail(t, 'ada@short-paths.example'))!;
    expect((await activitiesOf(t, ada.id)).map((a) => a.type).sort()).toEqual(['custom', 'page_view', 'screen_view']);
    expect(ada.account_id).not.toBeNull();
  });

  it('/v1/b is a batch (batching delivery strategy): writeKey in the body, Basic auth, one sentAt', async () => {
    const r = await post('/v1/b', { writeKey: t.keys.ingest, sentAt: '2026-03-02T09:00:00.000Z', batch: [
      { type: 'page', anonymousId: 'ajs-b', messageId: 'b-1', timestamp: '2026-03-02T08:59:58.000Z' },
      { type: 'track', anonymousId: 'ajs-b', event: 'Clicked', messageId: 'b-2', timestamp: '2026-03-02T08:59:59.000Z' },
    ] }, { authorization: basic(t.keys.ingest), 'x-retry-count': '1' });
    expect(json(r)).toMatchObject({ success: true, accepted: 2, stored: 2 });
  });

  it('analytics-next performance counters (/v1/m) are accepted and dropped', async () => {
    const r = await post('/v1/m', { series: [{ type: 'Counter', metric: 'analytics_js.invoke.track', value: 1, tags: {} }] });
    expect(r.statusCode).toBe(204);
  });
});

describe('RudderStack v3 shapes', () => {
  it('"userId": "" before identify is an absent id; AnonymousId/SentAt headers are fine', async () => {
    const r = await post('/v1/page', {
      type: 'page', userId: '', anonymousId: 'rs-anon-1', messageId: '', channel: 'web', originalTimestamp: '2026-03-02T08:59:59.000Z', sentAt: '2026-03-02T09:00:00.000Z',
      properties: { url: 'https://acme.example/', title: 'Home' }, context: { campaign: {} },
    }, { authorization: basic(t.keys.ingest), 'content-type': 'application/json;charset=UTF-8', anonymousid: Buffer.from('rs-anon-1').toString('base64'), sentat: '2026-03-02T09:00:00.000Z' });
    expect(r.statusCode, r.body).toBe(200);
    const [a] = await activitiesOf(t, (await contactOfAnonymous(t, 'rs-anon-1'))!);
    expect(a!.occurred_at).toBe('2026-03-02T08:59:59.000Z');
  });

  it('blank ids are absent, not ids: both blank is refused with what to send; a blank required id is refused', async () => {
    const none = await post('/v1/track', { event: 'X', userId: '', anonymousId: '  ' }, { authorization: basic(t.keys.ingest) });
    expect(none.statusCode).toBe(400);
    expect(json(none).error.message).toContain('either userId or anonymousId is required');
    const group = await post('/v1/group', { anonymousId: 'rs-anon-1', groupId: '' }, { authorization: basic(t.keys.ingest) });
    expect(group.statusCode).toBe(400);
    expect(json(group).error.details).toEqual([{ path: 'body.groupId', message: 'must not be empty' }]);
  });

  it('/beacon/v1/batch?writeKey= takes a text/plain batch without any header', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/beacon/v1/batch?writeKey=${t.keys.ingest}`, headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: JSON.stringify({
      sentAt: '2026-03-02T09:00:00.000Z',
      batch: [{ type: 'track', userId: '', anonymousId: 'rs-beacon', event: 'Webinar Registered', originalTimestamp: '2026-03-02T08:59:00.000Z', sentAt: '2026-03-02T09:00:00.000Z' }],
    }) });
    expect(json(r)).toMatchObject({ success: true, stored: 1 });
    const [a] = await activitiesOf(t, (await contactOfAnonymous(t, 'rs-beacon'))!);
    expect(a).toMatchObject({ type: 'event_registered', occurred_at: '2026-03-02T08:59:00.000Z' });
  });
});

describe('CORS for browser SDKs', () => {
  const preflight = (url: string, headers: string) => t.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://www.acme.example', 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

  it('the preflight allows every header analytics-next and RudderStack send, and a future one they ask for', async () => {
    for (const url of ['/v1/t', '/v1/b', '/v1/batch', '/v1/page', '/beacon/v1/batch', '/sourceConfig/', '/v1/projects/k/settings']) {
      const r = await preflight(url, 'authorization,content-type,x-retry-count,anonymousid,sentat,rsa-retry-attempt,rsa-since-last-attempt,rsa-since-first-attempt,rsa-retry-reason,rsa-recovered,x-new-sdk-header');
      expect(r.statusCode, url).toBe(204);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      const allowed = String(r.headers['access-control-allow-headers']).split(', ');
      for (const h of ['authorization', 'content-type', 'x-retry-count', 'anonymousid', 'sentat', 'rsa-retry-attempt', 'rsa-recovered', 'x-new-sdk-header']) expect(allowed, `${url} ${h}`).toContain(h);
    }
    // A header name that is not a token is not echoed.
    expect(String((await preflight('/v1/t', 'x-ok, bad header\r\nx: y')).headers['access-control-allow-headers'])).not.toContain('bad');
  });

  it('error answers carry CORS headers too, so the SDK sees the refusal', async () => {
    const answers = [
      await post('/v1/t', { anonymousId: 'a', event: 'x' }, { authorization: basic('ll_unknown') }), // 401
      await post('/v1/t', '{not json', { authorization: basic(t.keys.ingest) }), // 400
      await post('/v1/t', { anonymousId: 'a' }, { authorization: basic(t.keys.ingest) }), // 400 (no event)
      await post('/v1/nope', { anonymousId: 'a' }), // 404
      await post('/v1/t', { anonymousId: 'a', event: 'x', pad: 'y'.repeat(40_000) }, { authorization: basic(t.keys.ingest) }), // 400 too large
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([401, 400, 400, 404, 400]);
    for (const r of answers) expect(r.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('SDK settings served by Leadloop (no vendor CDN or control plane)', () => {
  it('analytics-next settings point Segment.io at this server, telemetry off', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/projects/${t.keys.ingest}/settings`, headers: { host: 'leadloop.acme.example', 'x-forwarded-proto': 'https' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    // X-Forwarded-Proto is believed only from a configured proxy (LEADLOOP_TRUSTED_PROXIES): here the connection's own scheme.
    expect(json(r)).toMatchObject({ integrations: { 'Segment.io': { apiKey: t.keys.ingest, apiHost: 'leadloop.acme.example/v1', protocol: 'http' } }, metrics: { sampleRate: 0 }, remotePlugins: [] });
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/projects/ll_unknown/settings' });
    expect(unknown.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${t.keys.read}/settings` })).statusCode).toBe(404);
  });

  it('RudderStack source config: enabled, no destinations, no reporting; needs the write key', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/sourceConfig/?p=npm&v=3.34.1&build=modern&writeKey=${t.keys.ingest}`, headers: { authorization: basic(t.keys.ingest) } });
    expect(r.statusCode).toBe(200);
    expect(json(r).source).toMatchObject({ enabled: true, destinations: [], config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } } });
    expect((await t.app.inject({ method: 'GET', url: '/sourceConfig/' })).statusCode).toBe(401);
  });
});

describe('text/plain and gzip do not change what is stored', () => {
  it('a text/plain track with no content-type quirks stores once and a bad one writes nothing', async () => {
    const before = await countActivities();
    expect((await post('/v1/track', '{"anonymousId":"tp","event":"A"', { authorization: basic(t.keys.ingest) })).statusCode).toBe(400);
    expect(await countActivities()).toBe(before);
    expect((await post('/v1/track', { anonymousId: 'tp', event: 'A' }, { authorization: basic(t.keys.ingest) })).statusCode).toBe(200);
    expect(await countActivities()).toBe(before + 1);
  });
});
