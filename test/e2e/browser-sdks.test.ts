import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactByEmail, contactOfAnonymous, json } from '../helpers/ingest-helpers.ts';
import { hasChromium, launchBrowser } from './web-server.ts';

/**
 * The vendors' real browser SDKs, unmodified, bundled from node_modules into a customer's page on
 * another origin (localhost vs Leadloop on 127.0.0.1, so every call is a real CORS request), pointed
 * at Leadloop only: analytics-next reads its settings from Leadloop (cdnURL), RudderStack v3 its
 * source config (configUrl). No request may leave for a vendor host.
 */
let t: TestApp;
let leadloop: string;
let site: Server;
let siteUrl: string;
let browser: Browser;
const bundles: Record<string, string> = {};

const entries = {
  segment: `import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;`,
  rudder: `import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;`,
};

beforeAll(async () => {
  if (!hasChromium) return;
  for (const [name, contents] of Object.entries(entries)) {
    const out = await build({
      stdin: { contents, resolveDir: process.cwd(), loader: 'js' }, bundle: true, format: 'iife', platform: 'browser', write: false,
      define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error',
    });
    bundles[name] = out.outputFiles[0]!.text;
  }
  t = await createTestApp();
  // The starter definition is in force, so what the SDKs deliver is scored and judged like live traffic.
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  leadloop = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const bundle = bundles[path.replace(/^\/|\.js$/g, '')];
    if (bundle) { res.setHeader('content-type', 'application/javascript'); res.end(bundle); return; }
    const sdk = path.replace(/^\/|\.html$/g, '');
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html><head><title>Acme pricing</title>${bundles[sdk] ? `<script src="/${sdk}.js"></script>` : ''}</head><body><h1>Acme</h1></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 120_000);

/**
 * A real network hop in front of Leadloop that answers 503 to the first POST per path in `failOnce`
 * (as a load balancer would during a deploy) and relays everything else, preflights included,
 * untouched: the SDKs' own retries (X-Retry-Count, Rsa-* headers) then reach Leadloop for real.
 */
async function flakyHop(failOnce: string[]) {
  const seen: { method: string; path: string; headers: Record<string, unknown>; status: number }[] = [];
  const pending = new Set(failOnce);
  const target = new URL(leadloop);
  const hop = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST' && pending.delete(path)) {
      req.resume();
      seen.push({ method: 'POST', path, headers: req.headers, status: 503 });
      res.writeHead(503, { 'access-control-allow-origin': '*', 'content-type': 'application/json' }).end('{"error":"deploying"}');
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      seen.push({ method: req.method ?? '', path, headers: req.headers, status: answer.statusCode ?? 0 });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => hop.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(hop.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => hop.close(resolve)) };
}

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(null)));
  await t?.close();
});

type Sent = { method: string; path: string; status: number | null; body: any; headers: Record<string, string> };
/** Every request the page makes: Leadloop's are kept (path, status, body), any other host is a failure. */
function watch(context: BrowserContext) {
  const sent: Sent[] = [];
  const foreign: string[] = [];
  const record = async (request: Request) => {
    const url = new URL(request.url());
    if (url.origin === siteUrl) return;
    if (url.origin !== leadloop) { foreign.push(url.href); return; }
    if (request.method() === 'OPTIONS') return;
    const response = await request.response().catch(() => null);
    let body: any = null;
    try { body = request.postData() ? JSON.parse(request.postData()!) : null; } catch { body = request.postData(); }
    sent.push({ method: request.method(), path: url.pathname + url.search, status: response?.status() ?? null, body, headers: request.headers() });
  };
  context.on('requestfinished', (r) => void record(r));
  context.on('requestfailed', (r) => void record(r));
  return { sent, foreign };
}

// Delivery is asynchronous (SDK queues, timers, beacons): wait for the outcome itself, generously on a busy CI machine.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
const utm = (tag: string) => `utm_source=linkedin&utm_medium=paid-social&utm_campaign=${tag}-launch&utm_term=lead+scoring&utm_content=${tag}-carousel`;
const deliveredTo = (sent: Sent[], prefix: string) => sent.filter((s) => s.method === 'POST' && s.path.startsWith(prefix) && s.status === 200);
const messagesOf = (s: Sent) => (Array.isArray(s.body?.batch) ? s.body.batch : [s.body]);
const delivered = (sent: Sent[], prefix: string) => deliveredTo(sent, prefix).flatMap(messagesOf);

/** The journey's end state, read through the REST API: one contact with the anonymous history, the campaign and the account. */
async function expectStitched(anonymousId: string, email: string, campaign: string, accountName: string) {
  const contact = (await contactByEmail(t, email))!;
  expect(contact).toBeDefined();
  expect(await contactOfAnonymous(t, anonymousId)).toBe(contact.id);
  expect(contact.first_touch).toMatchObject({ source: 'linkedin', medium: 'paid-social', campaign });
  const acts = await activitiesOf(t, contact.id);
  expect(acts.map((a) => a.type).sort()).toEqual(['content_download', 'page_view']);
  expect(acts.find((a) => a.type === 'page_view')).toMatchObject({ source: 'linkedin', medium: 'paid-social', utm_campaign: campaign });
  expect(acts.find((a) => a.type === 'content_download')).toMatchObject({ event_name: 'Whitepaper Downloaded', properties: { title: 'Lead scoring guide' } });
  // All five UTM fields reach the stored activity (one vocabulary: utm_* properties).
  const [, tag] = /^(.*)-launch$/.exec(campaign)!;
  expect(acts.find((a) => a.type === 'page_view')!.properties).toMatchObject({ utm_source: 'linkedin', utm_medium: 'paid-social', utm_campaign: campaign, utm_term: 'lead scoring', utm_content: `${tag}-carousel` });
  const account = json(await t.api('GET', `/api/v1/accounts/${contact.account_id}`, undefined, t.keys.read));
  expect(account).toMatchObject({ name: accountName });
  // Under the starter definition: a known person who downloaded content is an inquiry (not sales-ready), scored and explained.
  const leads = json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`, undefined, t.keys.read)).data;
  expect(leads.map((l: any) => l.stage)).toEqual(['inquiry']);
  // The download happened while anonymous: the inquiry is judged when the identify makes the person known, and says why.
  const history = json(await t.api('GET', `/api/v1/leads/${leads[0].id}/transitions`, undefined, t.keys.read)).data;
  expect(history.map((h: any) => h.to)).toEqual(['inquiry']);
  expect(history[0].note).toMatch(/^inquiry: content download .*\(rule 'gated download', definition v1\)/);
  const scores = json(await t.api('GET', `/api/v1/contacts/${contact.id}/score-history`, undefined, t.keys.read)).data;
  expect(scores.length).toBeGreaterThan(0);
  expect(typeof scores[0].explanation).toBe('string');
  return contact;
}

async function openSite(sdk: 'segment' | 'rudder', query: string): Promise<{ page: Page; context: BrowserContext; sent: Sent[]; foreign: string[] }> {
  const context = await browser.newContext();
  const { sent, foreign } = watch(context);
  const page = await context.newPage();
  await page.goto(`${siteUrl}/${sdk}.html?${query}`);
  return { page, context, sent, foreign };
}

describe.skipIf(!hasChromium)('browser SDKs in Chromium, pointed at Leadloop only', () => {
  it('@segment/analytics-next: page → track → identify → group lands as one stitched contact', async () => {
    const { page, context, sent, foreign } = await openSite('segment', utm('seg'));
    await page.evaluate(async ({ writeKey, cdnURL }) => {
      const w = globalThis as any;
      w.analytics = w.AnalyticsBrowser.load({ writeKey, cdnURL });
      await w.analytics.page();
      await w.analytics.track('Whitepaper Downloaded', { title: 'Lead scoring guide' });
    }, { writeKey: t.keys.ingest, cdnURL: leadloop });
    await poll(() => delivered(sent, '/v1/').length).toBe(2);
    const anonymousId = await page.evaluate(async () => (await (globalThis as any).analytics.user()).anonymousId());

    // Anonymous history exists before anyone is known.
    const anonymous = (await contactOfAnonymous(t, anonymousId))!;
    expect((await activitiesOf(t, anonymous)).map((a) => a.type).sort()).toEqual(['content_download', 'page_view']);

    await page.evaluate(async () => {
      const a = (globalThis as any).analytics;
      await a.identify('seg-user-1', { email: 'nora@northwind-seg.example', firstName: 'Nora' });
      await a.group('northwind-seg', { name: 'Northwind (Segment)', employees: 240 });
    });
    await poll(() => deliveredTo(sent, '/v1/').length).toBe(4);

    // What the SDK really sent: its short paths, text/plain, the key as Basic auth and in the body, UTM tags in context.campaign.
    expect(deliveredTo(sent, '/v1/').map((s) => s.path)).toEqual(['/v1/p', '/v1/t', '/v1/i', '/v1/g']);
    const [pageCall] = deliveredTo(sent, '/v1/p');
    expect(pageCall!.headers['content-type']).toBe('text/plain');
    expect(pageCall!.headers.authorization).toBe(`Basic ${Buffer.from(`${t.keys.ingest}:`).toString('base64')}`);
    expect(pageCall!.body).toMatchObject({ writeKey: t.keys.ingest, anonymousId, context: { campaign: { source: 'linkedin', medium: 'paid-social', name: 'seg-launch', term: 'lead scoring', content: 'seg-carousel' } } });
    expect(sent.find((s) => s.path.startsWith('/v1/projects/'))?.status).toBe(200);

    const nora = await expectStitched(anonymousId, 'nora@northwind-seg.example', 'seg-launch', 'Northwind (Segment)');
    expect(nora.first_name).toBe('Nora');
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('@segment/analytics-next batching: one /v1/b batch, and what is still buffered leaves with keepalive when the page is left', async () => {
    const { page, context, sent, foreign } = await openSite('segment', utm('segb'));
    // The README's inline variant: settings in the page, no settings request at all.
    await page.evaluate(async ({ writeKey, apiHost }) => {
      const w = globalThis as any;
      const cdnSettings = { integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http' } }, metrics: { sampleRate: 0 } };
      w.analytics = w.AnalyticsBrowser.load({ writeKey, cdnSettings }, { integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 2, timeout: 60_000 } } } } });
      await w.analytics.page();
      await w.analytics.track('Whitepaper Downloaded', { title: 'Lead scoring guide' });
    }, { writeKey: t.keys.ingest, apiHost: `${new URL(leadloop).host}/v1` });
    // size 2 reached: one batch with both events.
    await poll(() => deliveredTo(sent, '/v1/b').length).toBe(1);
    expect(delivered(sent, '/v1/b').map((m: any) => m.type)).toEqual(['page', 'track']);
    const anonymousId = await page.evaluate(async () => (await (globalThis as any).analytics.user()).anonymousId());

    // One event waits in the buffer (size 2, 60 s timeout) when the visitor leaves: pagehide sends it (keepalive).
    await page.evaluate(async () => {
      const a = (globalThis as any).analytics;
      await a.identify('segb-user-1', { email: 'bo@northwind-segb.example' });
      await a.group('northwind-segb', { name: 'Northwind (batching)' });
    });
    await poll(() => deliveredTo(sent, '/v1/b').length).toBe(2); // identify + group filled the second batch
    await page.evaluate(async () => { await (globalThis as any).analytics.track('Whitepaper Downloaded', { title: 'Second guide' }); });
    expect(deliveredTo(sent, '/v1/b')).toHaveLength(2);
    await page.goto(`${siteUrl}/thanks.html`);
    await poll(async () => (await activitiesOf(t, (await contactOfAnonymous(t, anonymousId))!)).length).toBe(3);
    const contact = (await contactByEmail(t, 'bo@northwind-segb.example'))!;
    expect(await contactOfAnonymous(t, anonymousId)).toBe(contact.id);
    expect(contact.first_touch).toMatchObject({ source: 'linkedin', medium: 'paid-social', campaign: 'segb-launch' });
    expect(sent.filter((s) => s.path.startsWith('/v1/projects/'))).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('@rudderstack/analytics-js v3: page → track → identify → group lands as one stitched contact', async () => {
    const { page, context, sent, foreign } = await openSite('rudder', utm('rs'));
    await page.evaluate(({ writeKey, leadloop: url }) => new Promise<void>((resolve) => {
      const w = globalThis as any;
      w.rudder = new w.RudderAnalytics();
      w.rudder.load(writeKey, url, { configUrl: url, logLevel: 'ERROR' });
      w.rudder.ready(() => {
        w.rudder.page();
        w.rudder.track('Whitepaper Downloaded', { title: 'Lead scoring guide' });
        resolve();
      });
    }), { writeKey: t.keys.ingest, leadloop });
    await poll(() => delivered(sent, '/v1/').length).toBe(2);
    expect(sent.find((s) => s.path.startsWith('/sourceConfig'))?.status).toBe(200);
    const anonymousId = await page.evaluate(() => (globalThis as any).rudder.getAnonymousId());
    const [pageCall] = deliveredTo(sent, '/v1/page');
    // Before identify the SDK sends an empty userId, an AnonymousId header and SentAt: all accepted.
    expect(pageCall!.body).toMatchObject({ type: 'page', userId: '', anonymousId, context: { campaign: { source: 'linkedin', medium: 'paid-social', name: 'rs-launch', term: 'lead scoring', content: 'rs-carousel' } } });
    expect(pageCall!.headers.anonymousid).toBe(Buffer.from(anonymousId).toString('base64'));
    expect(pageCall!.headers.sentat).toBeTruthy();
    expect((await activitiesOf(t, (await contactOfAnonymous(t, anonymousId))!)).length).toBe(2);

    await page.evaluate(() => {
      const r = (globalThis as any).rudder;
      r.identify('rs-user-1', { email: 'rita@contoso-rs.example' });
      r.group('contoso-rs', { name: 'Contoso (RudderStack)' });
    });
    await poll(() => delivered(sent, '/v1/').length).toBe(4);
    expect(deliveredTo(sent, '/v1/').map((s) => s.path).sort()).toEqual(['/v1/group', '/v1/identify', '/v1/page', '/v1/track']);
    await expectStitched(anonymousId, 'rita@contoso-rs.example', 'rs-launch', 'Contoso (RudderStack)');
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('retries after a failed delivery pass the CORS preflight with the SDKs\' retry headers and are stored once', async () => {
    const hop = await flakyHop(['/v1/t', '/v1/track']);
    const { page, context } = await openSite('segment', utm('retry'));
    await page.evaluate(async ({ writeKey, cdnURL }) => {
      const w = globalThis as any;
      w.analytics = w.AnalyticsBrowser.load({ writeKey, cdnURL });
      await w.analytics.track('Whitepaper Downloaded', { title: 'Retried guide' });
    }, { writeKey: t.keys.ingest, cdnURL: hop.url });
    const segmentRetry = () => hop.seen.find((s) => s.path === '/v1/t' && s.status === 200);
    await poll(() => segmentRetry()?.headers['x-retry-count']).toBe('1');
    const segmentAnon = await page.evaluate(async () => (await (globalThis as any).analytics.user()).anonymousId());
    expect(hop.seen.some((s) => s.method === 'OPTIONS' && s.path === '/v1/t' && s.status === 204)).toBe(true);
    await poll(async () => (await activitiesOf(t, (await contactOfAnonymous(t, segmentAnon))!)).length).toBe(1);

    const rudderSite = await openSite('rudder', utm('retry'));
    await rudderSite.page.evaluate(({ writeKey, url }) => new Promise<void>((resolve) => {
      const w = globalThis as any;
      w.rudder = new w.RudderAnalytics();
      w.rudder.load(writeKey, url, { configUrl: url, logLevel: 'NONE' });
      w.rudder.ready(() => { w.rudder.track('Whitepaper Downloaded', { title: 'Retried guide' }); resolve(); });
    }), { writeKey: t.keys.ingest, url: hop.url });
    const rudderRetry = () => hop.seen.find((s) => s.path === '/v1/track' && s.status === 200);
    await poll(() => rudderRetry()?.headers['rsa-retry-attempt']).toBe('1');
    expect(rudderRetry()!.headers).toMatchObject({ 'rsa-retry-reason': expect.any(String), 'rsa-since-last-attempt': expect.any(String), sentat: expect.any(String), anonymousid: expect.any(String) });
    const rudderAnon = await rudderSite.page.evaluate(() => (globalThis as any).rudder.getAnonymousId());
    await poll(async () => (await activitiesOf(t, (await contactOfAnonymous(t, rudderAnon))!)).length).toBe(1);
    await context.close();
    await rudderSite.context.close();
    await hop.close();
  });

  it('@rudderstack/analytics-js v3 XHR batching: one /v1/batch with the four calls', async () => {
    const { page, context, sent, foreign } = await openSite('rudder', utm('rsx'));
    await page.evaluate(({ writeKey, leadloop: url }) => new Promise<void>((resolve) => {
      const w = globalThis as any;
      w.rudder = new w.RudderAnalytics();
      w.rudder.load(writeKey, url, { configUrl: url, logLevel: 'ERROR', queueOptions: { batch: { enabled: true, maxItems: 4, flushInterval: 60_000 } } });
      w.rudder.ready(() => {
        w.rudder.page();
        w.rudder.track('Whitepaper Downloaded', { title: 'Lead scoring guide' });
        w.rudder.identify('rsx-user-1', { email: 'xena@contoso-rsx.example' });
        w.rudder.group('contoso-rsx', { name: 'Contoso (XHR batch)' });
        resolve();
      });
    }), { writeKey: t.keys.ingest, leadloop });
    const anonymousId = await page.evaluate(() => (globalThis as any).rudder.getAnonymousId());
    await poll(() => delivered(sent, '/v1/batch').length).toBe(4);
    expect(deliveredTo(sent, '/v1/')).toHaveLength(1);
    expect(delivered(sent, '/v1/batch').map((m: any) => m.type)).toEqual(['page', 'track', 'identify', 'group']);
    await expectStitched(anonymousId, 'xena@contoso-rsx.example', 'rsx-launch', 'Contoso (XHR batch)');
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('@rudderstack/analytics-js v3 beacon mode: text/plain batches to /beacon/v1/batch?writeKey=', async () => {
    const { page, context, sent, foreign } = await openSite('rudder', utm('rsb'));
    await page.evaluate(({ writeKey, leadloop: url }) => new Promise<void>((resolve) => {
      const w = globalThis as any;
      w.rudder = new w.RudderAnalytics();
      w.rudder.load(writeKey, url, { configUrl: url, logLevel: 'ERROR', useBeacon: true, beaconQueueOptions: { maxItems: 4, flushQueueInterval: 60_000 } });
      w.rudder.ready(() => {
        w.rudder.page();
        w.rudder.track('Whitepaper Downloaded', { title: 'Lead scoring guide' });
        w.rudder.identify('rsb-user-1', { email: 'bea@contoso-rsb.example' });
        w.rudder.group('contoso-rsb', { name: 'Contoso (beacon)' });
        resolve();
      });
    }), { writeKey: t.keys.ingest, leadloop });
    const anonymousId = await page.evaluate(() => (globalThis as any).rudder.getAnonymousId());
    // Four items fill the beacon queue: one sendBeacon of a text/plain Blob; a beacon has no headers,
    // so the key rides in the query string. (Chromium does not expose a Blob body: the API shows what landed.)
    await poll(() => deliveredTo(sent, '/beacon/v1/batch').length).toBe(1);
    const [beacon] = deliveredTo(sent, '/beacon/v1/batch');
    expect(beacon!.path).toBe(`/beacon/v1/batch?writeKey=${t.keys.ingest}`);
    expect(beacon!.headers['content-type']).toBe('text/plain');
    expect(beacon!.headers.authorization).toBeUndefined();
    await expectStitched(anonymousId, 'bea@contoso-rsb.example', 'rsb-launch', 'Contoso (beacon)');
    expect(foreign).toEqual([]);
    await context.close();
  });
});
