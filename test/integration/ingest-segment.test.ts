import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';

let t: TestApp;
let asset: { id: string };
let campaign: { id: string };
// Content and campaigns exist before the first event: ingestion caches them for a few seconds.
beforeAll(async () => {
  t = await createTestApp();
  asset = json(await t.api('POST', '/api/v1/content', { title: 'Guide', url: 'https://acme.example/guide', urls: ['https://cdn.acme.example/guide.pdf'] }));
  campaign = json(await t.api('POST', '/api/v1/campaigns', { name: 'Spring', channel: 'paid_search', utm_campaign: 'spring-2026' }));
});
afterAll(async () => { await t?.close(); });

const countActivities = async () => Number((await t.db.selectFrom('activity').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('Segment-compatible endpoints', () => {
  it('stores a track call sent with the write key as Basic user name, and answers success', async () => {
    const r = await segment(t, '/v1/track', { anonymousId: 'anon-1', event: 'Pricing Viewed', properties: { plan: 'pro' }, messageId: 'm-1' });
    expect(r.statusCode).toBe(200);
    expect(json(r)).toMatchObject({ success: true, accepted: 1, stored: 1, duplicates: 0, errors: [] });
    const contactId = (await contactOfAnonymous(t, 'anon-1'))!;
    const [a] = await activitiesOf(t, contactId);
    expect(a).toMatchObject({ type: 'custom', event_name: 'Pricing Viewed', properties: { plan: 'pro' } });
  });

  it('accepts Bearer too, and refuses keys without the ingest scope or unknown keys', async () => {
    const bearer = await t.app.inject({ method: 'POST', url: '/v1/page', headers: { authorization: `Bearer ${t.keys.ingest}` }, payload: { anonymousId: 'anon-b' } });
    expect(bearer.statusCode).toBe(200);
    expect((await segment(t, '/v1/page', { anonymousId: 'x' }, { key: t.keys.read })).statusCode).toBe(403);
    expect((await segment(t, '/v1/page', { anonymousId: 'x' }, { key: 'll_nope' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/page', payload: { anonymousId: 'x' } })).statusCode).toBe(401);
  });

  it('a retried message (same messageId) is stored once, in the same batch or later', async () => {
    const msg = { type: 'track', anonymousId: 'anon-retry', event: 'Clicked', messageId: 'retry-1' };
    const first = json(await segment(t, '/v1/batch', { batch: [msg, msg] }));
    expect(first).toMatchObject({ stored: 1, duplicates: 1 });
    const again = json(await segment(t, '/v1/batch', { batch: [msg] }));
    expect(again).toMatchObject({ stored: 0, duplicates: 1 });
    const rows = await t.db.selectFrom('activity').selectAll().where('idempotency_key', '=', 'retry-1').execute();
    expect(rows).toHaveLength(1);
  });

  it('identify is idempotent by messageId too (a retried identify is recognized)', async () => {
    const msg = { anonymousId: 'anon-idem', traits: { email: 'idem@corp.example' }, messageId: 'identify-1' };
    expect(json(await segment(t, '/v1/identify', msg)).duplicates).toBe(0);
    expect(json(await segment(t, '/v1/identify', msg)).duplicates).toBe(1);
  });

  it('accepts gzip-compressed bodies', async () => {
    const r = await segment(t, '/v1/batch', { batch: [{ type: 'page', anonymousId: 'anon-gz', messageId: 'gz-1', properties: { url: 'https://acme.example/gz' } }] }, { gzip: true });
    expect(r.statusCode).toBe(200);
    expect(json(r).stored).toBe(1);
  });

  it('a batch stores valid messages and answers and dead-letters each invalid one with its reason', async () => {
    const before = await countActivities();
    const r = await segment(t, '/v1/batch', {
      batch: [
        { type: 'track', anonymousId: 'anon-mixed', event: 'Good', messageId: 'mixed-ok' },
        { type: 'track', event: 'No ids', messageId: 'mixed-noid' },
        { type: 'track', anonymousId: 'anon-mixed', event: 'Bad time', timestamp: 'yesterday', messageId: 'mixed-time' },
        { type: 'launch', anonymousId: 'anon-mixed', messageId: 'mixed-type' },
        { type: 'track', anonymousId: 'anon-mixed', event: 'Huge', messageId: 'mixed-huge', properties: { blob: 'x'.repeat(33 * 1024) } },
      ],
    });
    expect(r.statusCode).toBe(200);
    const body = json(r);
    expect(body).toMatchObject({ success: true, accepted: 1, stored: 1 });
    expect(body.errors.map((e: any) => [e.index, e.reason])).toEqual([[1, 'InvalidMessage'], [2, 'InvalidMessage'], [3, 'UnknownType'], [4, 'MessageTooLarge']]);
    expect(body.errors[0].details[0]).toEqual({ path: 'userId', message: 'either userId or anonymousId is required' });
    expect(body.errors[1].details[0].path).toBe('timestamp');
    expect(await countActivities()).toBe(before + 1);

    const errors = json(await t.api('GET', '/api/v1/ingest/errors?limit=10', undefined, t.keys.read));
    const ids = errors.data.map((d: any) => d.message_id);
    expect(ids).toEqual(expect.arrayContaining(['mixed-noid', 'mixed-time', 'mixed-type', 'mixed-huge']));
    const huge = errors.data.find((d: any) => d.message_id === 'mixed-huge');
    expect(huge).toMatchObject({ reason: 'MessageTooLarge', stage: 'validate', channel: 'segment' });
    const page1 = json(await t.api('GET', '/api/v1/ingest/errors?limit=2', undefined, t.keys.read));
    const page2 = json(await t.api('GET', `/api/v1/ingest/errors?limit=2&cursor=${page1.next_cursor}`, undefined, t.keys.read));
    expect(page2.data[0].id < page1.data[1].id).toBe(true);
    expect((await t.api('GET', '/api/v1/ingest/errors', undefined, t.keys.ingest)).statusCode).toBe(403);
  });

  it('single-message endpoints answer invalid input with a precise 400 and write no activity', async () => {
    const before = await countActivities();
    const noIds = await segment(t, '/v1/track', { event: 'x' });
    expect(noIds.statusCode).toBe(400);
    expect(json(noIds).error).toMatchObject({ code: 'ValidationFailed', details: [{ path: 'body.userId', message: 'either userId or anonymousId is required' }] });
    const badTime = await segment(t, '/v1/page', { anonymousId: 'a', timestamp: '2026-13-45T99:00:00Z' });
    expect(json(badTime).error.details[0].path).toBe('body.timestamp');
    const noEvent = await segment(t, '/v1/track', { anonymousId: 'a' });
    expect(json(noEvent).error.details[0].path).toBe('body.event');
    const malformed = await segment(t, '/v1/track', null, { raw: '{"anonymousId": "a", "event": ' });
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed).error.code).toBe('MalformedJson');
    const notBatch = await segment(t, '/v1/batch', { events: [] });
    expect(json(notBatch).error.details[0].path).toBe('body.batch');
    expect(await countActivities()).toBe(before);
  });

  it('enforces 32 KB per message and 500 KB per batch with a clear 400 (also after gunzip)', async () => {
    const big = await segment(t, '/v1/track', { anonymousId: 'a', event: 'big', properties: { s: 'x'.repeat(40 * 1024) } });
    expect(big.statusCode).toBe(400);
    expect(json(big).error.message).toContain('32 KB');
    const batch = { batch: Array.from({ length: 30 }, (_, i) => ({ type: 'track', anonymousId: 'a', event: 'e', properties: { s: 'y'.repeat(20 * 1024), i } })) };
    for (const gzip of [false, true]) {
      const r = await segment(t, '/v1/batch', batch, { gzip });
      expect(r.statusCode).toBe(400);
      expect(json(r).error.message).toContain('500 KB');
    }
  });

  it('corrects client clock skew: occurred = receivedAt - (sentAt - timestamp)', async () => {
    const now = t.clock.now().getTime();
    // The device clock is 1 hour fast; the event happened 10 s before it was sent.
    const sentAt = new Date(now + 3600_000).toISOString();
    const timestamp = new Date(now + 3600_000 - 10_000).toISOString();
    await segment(t, '/v1/batch', { batch: [{ type: 'track', anonymousId: 'anon-skew', event: 'Skewed', timestamp }], sentAt });
    const [a] = await activitiesOf(t, (await contactOfAnonymous(t, 'anon-skew'))!);
    expect(a.occurred_at).toBe(new Date(now - 10_000).toISOString());
  });

  it('answers CORS preflights for browsers on any origin', async () => {
    const r = await t.app.inject({ method: 'OPTIONS', url: '/v1/batch', headers: { origin: 'https://customer.example', 'access-control-request-method': 'POST' } });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(String(r.headers['access-control-allow-headers'])).toContain('content-encoding');
  });

  it('counts what it received, stored, deduplicated and dead-lettered', async () => {
    const stats = json(await t.api('GET', '/api/v1/ingest/stats', undefined, t.keys.read));
    expect(stats.stored).toBeGreaterThan(0);
    expect(stats.duplicates).toBeGreaterThanOrEqual(3);
    expect(stats.dead_lettered).toBeGreaterThanOrEqual(4);
  });
});

describe('event → activity mapping', () => {
  it('maps pages, content, forms, email and meetings; keeps custom events with their name', async () => {
    const ids = { anonymousId: 'anon-map' };
    const r = await segment(t, '/v1/batch', {
      batch: [
        { type: 'page', ...ids, properties: { url: 'https://www.acme.example/guide/?ref=x' } },
        { type: 'page', ...ids, properties: { url: 'https://acme.example/pricing' } },
        { type: 'track', ...ids, event: 'File Downloaded', properties: { url: 'https://cdn.acme.example/guide.pdf' } },
        { type: 'track', ...ids, event: 'Content Downloaded', properties: { content_id: asset.id } },
        { type: 'track', ...ids, event: 'Form Submitted', properties: { form_id: 'f' } },
        { type: 'track', ...ids, event: 'Email Opened' },
        { type: 'track', ...ids, event: 'Email Link Clicked' },
        { type: 'track', ...ids, event: 'Email Bounced' },
        { type: 'track', ...ids, event: 'Email Unsubscribed' },
        { type: 'track', ...ids, event: 'Demo Scheduled' },
        { type: 'track', ...ids, event: 'Meeting Booked' },
        { type: 'screen', ...ids, name: 'Dashboard' },
        { type: 'track', ...ids, event: 'Invited Teammate', properties: { seats: 3 } },
      ].map((m, i) => ({ ...m, timestamp: new Date(t.clock.now().getTime() - 60_000 + i * 1000).toISOString() })),
    });
    expect(json(r).stored).toBe(13);
    const acts = (await activitiesOf(t, (await contactOfAnonymous(t, 'anon-map'))!)).reverse();
    expect(acts.map((a) => a.type)).toEqual(['content_view', 'page_view', 'content_download', 'content_download', 'form_submit', 'email_open',
      'email_click', 'email_bounce', 'unsubscribe', 'meeting', 'meeting', 'screen_view', 'custom']);
    expect(acts[0].content_id).toBe(asset.id);
    expect(acts[2].content_id).toBe(asset.id);
    expect(acts[3].content_id).toBe(asset.id);
    expect(acts[1].content_id).toBeNull();
    expect(acts[12]).toMatchObject({ event_name: 'Invited Teammate', properties: { seats: 3 } });
  });

  it('takes source/medium/campaign from context.campaign (UTM), or from the referrer', async () => {
    const r = await segment(t, '/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'anon-utm', context: { campaign: { source: 'LinkedIn', medium: 'cpc', name: 'spring-2026' } }, properties: { url: 'https://acme.example/' } },
        { type: 'page', anonymousId: 'anon-ref', properties: { url: 'https://acme.example/a', referrer: 'https://www.google.de/' } },
        { type: 'page', anonymousId: 'anon-ref2', properties: { url: 'https://acme.example/b?utm_source=newsletter&utm_medium=email&utm_campaign=may', referrer: 'https://acme.example/' } },
        { type: 'page', anonymousId: 'anon-direct', properties: { url: 'https://acme.example/c' } },
      ],
    });
    expect(json(r).stored).toBe(4);
    const [utm] = await activitiesOf(t, (await contactOfAnonymous(t, 'anon-utm'))!);
    expect(utm).toMatchObject({ source: 'linkedin', medium: 'cpc', utm_campaign: 'spring-2026', campaign_id: campaign.id });
    const [ref] = await activitiesOf(t, (await contactOfAnonymous(t, 'anon-ref'))!);
    expect(ref).toMatchObject({ source: 'google', medium: 'organic', utm_campaign: null });
    const [fromUrl] = await activitiesOf(t, (await contactOfAnonymous(t, 'anon-ref2'))!);
    expect(fromUrl).toMatchObject({ source: 'newsletter', medium: 'email', utm_campaign: 'may' });
    const [direct] = await activitiesOf(t, (await contactOfAnonymous(t, 'anon-direct'))!);
    expect(direct).toMatchObject({ source: null, medium: null });
  });
});
