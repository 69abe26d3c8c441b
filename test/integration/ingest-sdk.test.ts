import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactByEmail, contactOfAnonymous, json } from '../helpers/ingest-helpers.ts';

/** The real client libraries, pointed at a real listening Leadloop server (127.0.0.1, random port). */
let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listenOnLoopback(t);
});
afterAll(async () => { await t?.close(); });

describe('@segment/analytics-node', () => {
  it('identify, track, page and group land and are queryable per contact', async () => {
    const errors: unknown[] = [];
    const analytics = new SegmentAnalytics({ writeKey: t.keys.ingest, host: baseUrl, path: '/v1/batch', flushInterval: 50, maxRetries: 0 });
    analytics.on('error', (e) => errors.push(e));
    analytics.page({ anonymousId: 'seg-anon', name: 'Pricing', properties: { url: 'https://acme.example/pricing' }, context: { campaign: { source: 'google', medium: 'cpc', name: 'seg-q1' } } as any });
    analytics.identify({ anonymousId: 'seg-anon', userId: 'seg-user', traits: { email: 'Sam@Segment-Corp.example', firstName: 'Sam', plan: 'pro' } });
    analytics.track({ userId: 'seg-user', event: 'Demo Scheduled', properties: { when: 'tomorrow' } });
    analytics.group({ userId: 'seg-user', groupId: 'seg-co', traits: { name: 'Segment Corp', domain: 'segment-corp.example', employees: 120 } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const sam = (await contactByEmail(t, 'sam@segment-corp.example'))!;
    expect(sam).toMatchObject({ first_name: 'Sam', attributes: { plan: 'pro' }, first_touch: { source: 'google', medium: 'cpc', campaign: 'seg-q1' } });
    expect(await contactOfAnonymous(t, 'seg-anon')).toBe(sam.id);
    const acts = await activitiesOf(t, sam.id);
    expect(acts.map((a) => a.type).sort()).toEqual(['meeting', 'page_view']);
    expect(acts.find((a) => a.type === 'page_view').properties.name).toBe('Pricing');
    const account = json(await t.api('GET', `/api/v1/accounts/${sam.account_id}`, undefined, t.keys.read));
    expect(account).toMatchObject({ name: 'Segment Corp', domain: 'segment-corp.example', employee_count: 120 });
  });
});

describe('@rudderstack/rudder-sdk-node', () => {
  for (const gzip of [true, false]) {
    it(`identify, track, page and group land (gzip ${gzip ? 'on' : 'off'})`, async () => {
      const suffix = gzip ? 'gz' : 'plain';
      const client = new RudderAnalytics(t.keys.ingest, { dataPlaneUrl: baseUrl, flushAt: 100, flushInterval: 60_000, gzip, retryCount: 0, logLevel: 'error' });
      client.page({ anonymousId: `rs-anon-${suffix}`, name: 'Home', properties: { url: 'https://acme.example/', referrer: 'https://duckduckgo.com/' } });
      client.identify({ anonymousId: `rs-anon-${suffix}`, userId: `rs-user-${suffix}`, traits: { email: `rita-${suffix}@rudder-co.example`, lastName: 'Stack' } });
      client.track({ userId: `rs-user-${suffix}`, event: 'Email Opened', properties: { subject: 'Hi' } });
      client.group({ userId: `rs-user-${suffix}`, groupId: `rs-co-${suffix}`, traits: { name: `Rudder Co ${suffix}`, industry: 'Software' } });
      await client.flush();

      const rita = (await contactByEmail(t, `rita-${suffix}@rudder-co.example`))!;
      expect(rita).toMatchObject({ first_touch: { source: 'duckduckgo', medium: 'organic' } });
      expect(await contactOfAnonymous(t, `rs-anon-${suffix}`)).toBe(rita.id);
      const acts = await activitiesOf(t, rita.id);
      expect(acts.map((a) => a.type).sort()).toEqual(['email_open', 'page_view']);
      const account = json(await t.api('GET', `/api/v1/accounts/${rita.account_id}`, undefined, t.keys.read));
      expect(account).toMatchObject({ name: `Rudder Co ${suffix}`, industry: 'Software' });
    });
  }
});
