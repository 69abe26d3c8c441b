import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser } from './web-server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactByEmail, contactOfAnonymous, json } from '../helpers/ingest-helpers.ts';

if (!hasChromium) console.warn(`[e2e] ${CHROMIUM} not found: skipping the tracking snippet browser tests (apt-get install chromium to run them).`);

let t: TestApp;
let leadloop: string;
let site: Server;
let siteUrl: string;
let browser: Browser;
let assetId: string;

/** The customer's website: a second origin embedding the snippet from the Leadloop server. */
function pageHtml(options: { consentRequired?: boolean }) {
  return `<!doctype html><html><head><title>Acme</title>
<script src="${leadloop}/t.js" data-key="${t.keys.ingest}" ${options.consentRequired ? 'data-consent-required' : ''} async></script></head><body>
<a id="pdf" href="/docs/guide.pdf" onclick="event.preventDefault()">Guide (PDF)</a>
<a id="asset" href="/whitepaper" data-leadloop-content="${assetId}" onclick="event.preventDefault()">Whitepaper</a>
<a id="plain" href="/about" onclick="event.preventDefault()">About</a>
<button id="spa" onclick="history.pushState({}, '', '/app/step-2')">Next</button>
<form data-leadloop-form="newsletter" onsubmit="event.preventDefault()">
  <input name="email" value=""><input name="password" type="password" value="s3cret!">
  <input name="consent_marketing" type="checkbox"><button id="send" type="submit">Send</button>
</form></body></html>`;
}

beforeAll(async () => {
  if (!hasChromium) return;
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  leadloop = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  assetId = json(await t.api('POST', '/api/v1/content', { title: 'Whitepaper', url: 'https://acme.example/whitepaper' })).id;
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ping') { res.end('pong'); return; }
    res.setHeader('content-type', 'text/html');
    res.end(pageHtml({ consentRequired: url.searchParams.has('consent') }));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(null)));
  await t?.close();
});

const batchSent = (page: Page) => page.waitForResponse((r) => r.url().startsWith(`${leadloop}/v1/batch`) && r.status() === 200);
async function sentBatch(page: Page, action: () => Promise<unknown>) {
  const response = batchSent(page);
  await action();
  return (await (await response).request().postDataJSON()).batch as any[];
}

describe.skipIf(!hasChromium)('tracking snippet in Chromium', () => {
  it('serves a small, cacheable, gzip-encoded script', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/t.js', headers: { 'accept-encoding': 'gzip' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.rawPayload.length).toBeLessThan(10 * 1024);
    expect(String(r.headers['cache-control'])).toContain('max-age');
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('tracks page views, SPA navigations, content clicks, identify and form submits; history is stitched', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const [landing] = await sentBatch(page, () => page.goto(`${siteUrl}/?utm_source=linkedin&utm_medium=social&utm_campaign=launch`));
    expect(landing).toMatchObject({ type: 'page', context: { campaign: { source: 'linkedin', medium: 'social', name: 'launch' } } });
    const anonymousId = await page.evaluate(() => (globalThis as any).leadloop.anonymousId());
    expect(anonymousId).toBe(landing.anonymousId);
    expect((await context.cookies(siteUrl)).find((c) => c.name === 'll_aid')?.value).toBe(anonymousId);

    const [spa] = await sentBatch(page, () => page.click('#spa'));
    expect(spa).toMatchObject({ type: 'page', properties: { path: '/app/step-2' }, context: { campaign: { source: 'linkedin' } } });
    const [pdf] = await sentBatch(page, () => page.click('#pdf'));
    expect(pdf).toMatchObject({ type: 'track', event: 'Content Downloaded', properties: { url: `${siteUrl}/docs/guide.pdf` } });
    const [asset] = await sentBatch(page, () => page.click('#asset'));
    expect(asset.properties.content_id).toBe(assetId);

    const anonContact = (await contactOfAnonymous(t, anonymousId))!;
    const before = await activitiesOf(t, anonContact);
    expect(before.map((a) => a.type).sort()).toEqual(['content_download', 'content_download', 'page_view', 'page_view']);
    expect(before.find((a) => a.content_id === assetId)).toBeDefined();

    const [identify] = await sentBatch(page, () => page.evaluate(() => (globalThis as any).leadloop.identify('ivy@browser.example', { first_name: 'Ivy' })));
    expect(identify).toMatchObject({ type: 'identify', anonymousId, traits: { email: 'ivy@browser.example' } });
    const ivy = (await contactByEmail(t, 'ivy@browser.example'))!;
    expect(ivy.first_touch).toMatchObject({ source: 'linkedin', medium: 'social', campaign: 'launch' });
    expect(await activitiesOf(t, ivy.id)).toHaveLength(4);

    // The form: its fields go to the form endpoint, never the password field.
    await page.fill('input[name=email]', 'ivy@browser.example');
    await page.check('input[name=consent_marketing]');
    const formResponse = page.waitForResponse((r) => r.url().startsWith(`${leadloop}/api/v1/forms/newsletter/submissions`));
    await page.click('#send');
    const response = await formResponse;
    expect(response.status()).toBe(200);
    const sent = response.request().postDataJSON();
    expect(sent).toMatchObject({ email: 'ivy@browser.example', consent_marketing: 'on', _anonymous_id: anonymousId, utm_source: 'linkedin' });
    expect(sent.password).toBeUndefined();
    const acts = await activitiesOf(t, ivy.id);
    const form = acts.find((a) => a.type === 'form_submit');
    // Consent is recorded on the contact and UTM tags on the activity, not among the answers.
    expect(form.properties.fields).toEqual({ email: 'ivy@browser.example' });
    expect(form).toMatchObject({ source: 'linkedin', utm_campaign: 'launch' });
    expect((await contactByEmail(t, 'ivy@browser.example'))!.consent.email_marketing).toMatchObject({ status: 'granted', source: 'form:newsletter' });
    await context.close();
  });

  it('an unchecked tracking consent box is a refusal: sent as "no", the page stops tracking, the server stops profiling', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await sentBatch(page, () => page.goto(`${siteUrl}/`));
    const anonymousId = await page.evaluate(() => (globalThis as any).leadloop.anonymousId());
    // The site's preferences form, added to the page: the box is left unchecked.
    await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const f = doc.createElement('form');
      f.setAttribute('data-leadloop-form', 'prefs');
      f.setAttribute('onsubmit', 'event.preventDefault()');
      f.innerHTML = '<input name="email" value="una@browser.example"><input name="consent_tracking" type="checkbox"><button id="prefs" type="submit">Save</button>';
      doc.body.appendChild(f);
    });
    const formResponse = page.waitForResponse((r) => r.url().startsWith(`${leadloop}/api/v1/forms/prefs/submissions`));
    await page.click('#prefs');
    expect((await formResponse).request().postDataJSON()).toMatchObject({ email: 'una@browser.example', consent_tracking: 'no', _anonymous_id: anonymousId });
    expect(await page.evaluate(() => (globalThis as any).leadloop.anonymousId())).toBeNull();
    const una = (await contactByEmail(t, 'una@browser.example'))!;
    expect(una.consent.tracking).toMatchObject({ status: 'refused', source: 'form:prefs' });
    // A page view for her old id (another tab, a replay) is acknowledged but not stored on her profile.
    const r = await t.app.inject({ method: 'POST', url: `/v1/page?key=${t.keys.ingest}`, headers: { 'content-type': 'application/json' }, payload: { anonymousId, properties: { url: `${siteUrl}/pricing` } } });
    expect(r.statusCode).toBe(200);
    expect((await activitiesOf(t, una.id)).filter((a) => a.type === 'page_view' && String(a.url).endsWith('/pricing'))).toEqual([]);
    // The refusal lasts: the next page of the site neither sets the id cookie nor tracks.
    await page.goto(`${siteUrl}/next`);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    expect(await page.evaluate(() => (globalThis as any).leadloop.anonymousId())).toBeNull();
    const cookies = await context.cookies(siteUrl);
    expect(cookies.find((c) => c.name === 'll_aid')).toBeUndefined();
    expect(cookies.find((c) => c.name === 'll_optout')?.value).toBe('1');
    await context.close();
  });

  it('waits for consent when data-consent-required is set', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteUrl}/?consent=1`);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    expect(await page.evaluate(() => (globalThis as any).leadloop.anonymousId())).toBeNull();
    const [held] = await sentBatch(page, () => page.evaluate(() => (globalThis as any).leadloop('consent', true)));
    expect(held.type).toBe('page');
    await context.close();
  });

  it('consent mode per purpose: leadloop.consent({ email_marketing }) is recorded on the person; { tracking: false } stops the snippet', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteUrl}/?consent=1`);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    const [held] = await sentBatch(page, () => page.evaluate(() => (globalThis as any).leadloop.consent({ tracking: true })));
    expect(held.type).toBe('page');
    const anonymousId = await page.evaluate(() => (globalThis as any).leadloop.anonymousId()) as string;
    const [identify] = await sentBatch(page, () => page.evaluate(() => (globalThis as any).leadloop.consent({ email_marketing: false, sales_call: true })));
    expect(identify).toMatchObject({ type: 'identify', anonymousId, traits: { consent: { email_marketing: false, sales_call: true } } });
    const contactId = (await contactOfAnonymous(t, anonymousId))!;
    const row = await t.db.selectFrom('contact').select('consent').where('id', '=', contactId).executeTakeFirstOrThrow();
    expect(row.consent).toMatchObject({ email_marketing: { status: 'refused' }, sales_call: { status: 'granted' } });
    await page.evaluate(() => (globalThis as any).leadloop.consent({ tracking: false }));
    expect(await page.evaluate(() => (globalThis as any).leadloop.anonymousId())).toBeNull();
    await context.close();
  });

  it('respects Do Not Track / Global Privacy Control: no cookie, no events, no form capture', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty((globalThis as any).Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty((globalThis as any).Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    });
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (r) => { if (r.url().startsWith(leadloop) && !r.url().endsWith('/t.js')) calls.push(r.url()); });
    const before = Number((await t.db.selectFrom('activity').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await page.goto(siteUrl);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    await page.click('#spa');
    await page.click('#pdf');
    await page.fill('input[name=email]', 'dnt@browser.example');
    await page.click('#send');
    await page.evaluate(() => { (globalThis as any).leadloop.identify('dnt@browser.example'); (globalThis as any).leadloop.flush(); });
    // A request after all of the above: anything the snippet had sent would have been issued before it.
    await page.evaluate(() => fetch('/ping').then((r) => r.text()));
    expect(calls).toEqual([]);
    expect((await context.cookies(siteUrl)).find((c) => c.name === 'll_aid')).toBeUndefined();
    const after = Number((await t.db.selectFrom('activity').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(before);
    await context.close();
  });
});
