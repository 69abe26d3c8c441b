import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser } from './web-server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { canonicalView } from '../../src/core/activity-vocabulary.rules.ts';
import { createRep, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { activitiesOf, contactByEmail, json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

if (!hasChromium) console.warn(`[e2e] ${CHROMIUM} not found: skipping the snippet form-capture browser tests (apt-get install chromium to run them).`);

let t: TestApp;
let leadloop: string;
let site: Server;
let siteUrl: string;
let browser: Browser;
let repId: string;

// Values that must never leave the page.
const SECRETS = ['hunter2-Pa55!', 'csrf-9f8e7d6c', 'hidden-plan-enterprise', '4242424242424242', 'cvc-741', 'private-note-xyz'];

/** The customer's site: ordinary HTML forms, no Leadloop attribute on the demo form. */
function pageHtml() {
  return `<!doctype html><html><head><title>Fitco</title>
<script src="${leadloop}/t.js" data-key="${t.keys.ingest}" async></script></head><body>
<form id="demo-request" action="/thanks" method="post" onsubmit="event.preventDefault()">
  <input name="work_email" type="email" autocomplete="email">
  <input name="first_name"><input name="title"><input name="company">
  <input name="password" type="password" value="${SECRETS[0]}">
  <input name="csrf_token" type="hidden" value="${SECRETS[1]}">
  <input name="plan" type="hidden" value="${SECRETS[2]}">
  <input name="cc_field" autocomplete="cc-number" value="${SECRETS[3]}">
  <input name="cvc" value="${SECRETS[4]}">
  <textarea name="notes" data-leadloop-ignore>${SECRETS[5]}</textarea>
  <button id="send" type="submit">Request a demo</button>
</form>
<form method="post" onsubmit="event.preventDefault()">
  <input name="email" type="email" class="anonymous-form"><button id="talk" type="submit">Talk to sales</button>
</form>
<form data-leadloop-ignore onsubmit="event.preventDefault()">
  <input name="email" type="email"><button id="login" type="submit">Log in</button>
</form></body></html>`;
}

beforeAll(async () => {
  if (!hasChromium) return;
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  leadloop = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  repId = (await createRep(t, 'rita')).id;
  await useRoundRobin(t);
  // A company the starter definition fits (SaaS, 500 people, EMEA): its VP is grade A (fit 77).
  const account = await t.api('POST', '/api/v1/accounts', { name: 'Fitco', domain: 'fitco-saas.example', industry: 'Software', employee_count: 500, region: 'EMEA' });
  expect(account.statusCode, account.body).toBe(201);
  site = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/ping')) { res.end('pong'); return; }
    res.setHeader('content-type', 'text/html');
    res.end(pageHtml());
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

const formPosted = (page: Page) => page.waitForResponse((r) => r.url().startsWith(`${leadloop}/api/v1/forms/`));

describe.skipIf(!hasChromium)('the snippet captures ordinary HTML forms', () => {
  it('a plain demo form (no data attribute) creates the contact, never sends secrets, and a fitting VP becomes an explained, alerted MQL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const landing = `${siteUrl}/demo?utm_source=linkedin&utm_medium=paid-social&utm_campaign=q4-demo&utm_term=scoring&utm_content=b`;
    await page.goto(landing);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    await page.fill('input[name=work_email]', 'Vera.VP@fitco-saas.example');
    await page.fill('input[name=first_name]', 'Vera');
    await page.fill('input[name=title]', 'VP Marketing');
    await page.fill('input[name=company]', 'Fitco');
    const posted = formPosted(page);
    await page.click('#send');
    const response = await posted;
    expect(response.status(), await response.text()).toBe(200);
    expect(response.url()).toContain('/api/v1/forms/demo-request/submissions');
    const sentBody = response.request().postData() ?? '';
    for (const secret of SECRETS) expect(sentBody, `never sent: ${secret}`).not.toContain(secret);

    const vera = (await contactByEmail(t, 'vera.vp@fitco-saas.example'))!;
    expect(vera).toMatchObject({ first_name: 'Vera', first_touch: { source: 'linkedin', medium: 'paid-social', campaign: 'q4-demo' } });
    const form = (await activitiesOf(t, vera.id)).find((a) => a.type === 'form_submit');
    expect(form.properties).toMatchObject({
      form_id: 'demo-request', path: '/demo', utm_source: 'linkedin', utm_term: 'scoring', utm_content: 'b',
      fields: { work_email: 'Vera.VP@fitco-saas.example', email: 'Vera.VP@fitco-saas.example', first_name: 'Vera', title: 'VP Marketing', company: 'Fitco' },
    });
    // Exactly the canonical shape the other doors produce (test/integration/activity-vocabulary.test.ts).
    expect(canonicalView(form.properties)).toEqual({
      form_id: 'demo-request', url: landing, path: '/demo',
      utm_source: 'linkedin', utm_medium: 'paid-social', utm_campaign: 'q4-demo', utm_term: 'scoring', utm_content: 'b',
    });
    expect(Object.keys(form.properties.fields).sort()).toEqual(['company', 'email', 'first_name', 'title', 'work_email']);
    for (const secret of SECRETS) expect(JSON.stringify(form), `never stored: ${secret}`).not.toContain(secret);

    // The starter definition: demo request by a grade-A person is a hand-raise → MQL, routed, alerted, explained.
    const lead = json(await t.api('GET', `/api/v1/leads?contact_id=${vera.id}`, undefined, t.keys.read)).data[0];
    expect(lead).toMatchObject({ stage: 'mql', owner_id: repId });
    const mql = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`, undefined, t.keys.read)).data.find((h: { to: string }) => h.to === 'mql');
    expect(mql.note).toBe('definition v1: hand-raise: demo request, rating A2 (fit 77 = title VP or C-level +30, industry SaaS +25, 200–1000 employees +17, region we sell to +5; engagement 40 = demo request +40)');
    const score = json(await t.api('GET', `/api/v1/leads/${lead.id}/score`, undefined, t.keys.read));
    expect(score.engagement.contributions).toEqual(expect.arrayContaining([expect.objectContaining({ rule_id: 'demo-request', points: 40 })]));
    const alerts = json(await t.api('GET', '/api/v1/alerts', undefined, await t.newKey(['read'], repId))).data;
    expect(alerts.some((a: { lead_id: string }) => a.lead_id === lead.id)).toBe(true);
    await context.close();
  });

  it('a form without id or name is named after the page path', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteUrl}/contact-sales/`);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    await page.fill('input.anonymous-form', 'sam@fitco-saas.example');
    const posted = formPosted(page);
    await page.click('#talk');
    const response = await posted;
    expect(response.status()).toBe(200);
    expect(response.url()).toContain('/api/v1/forms/contact-sales/submissions');
    const sam = (await contactByEmail(t, 'sam@fitco-saas.example'))!;
    const form = (await activitiesOf(t, sam.id)).find((a) => a.type === 'form_submit');
    expect(form.properties).toMatchObject({ form_id: 'contact-sales', path: '/contact-sales/', fields: { email: 'sam@fitco-saas.example' } });
    await context.close();
  });

  it('a form marked data-leadloop-ignore sends nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/forms/')) calls.push(r.url()); });
    await page.goto(`${siteUrl}/login`);
    await page.waitForFunction(() => Boolean((globalThis as any).leadloop?.loaded));
    await page.fill('form[data-leadloop-ignore] input[name=email]', 'ignored@fitco-saas.example');
    await page.click('#login');
    // A request issued after the submit: a form post the snippet had made would have been issued before it.
    await page.evaluate(() => fetch('/ping').then((r) => r.text()));
    expect(calls).toEqual([]);
    expect(await contactByEmail(t, 'ignored@fitco-saas.example')).toBeUndefined();
    await context.close();
  });
});
