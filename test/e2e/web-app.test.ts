import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';
import { MQL_NOTE, seededName, XSS_NAME } from './seed-web.ts';

describe.skipIf(!hasChromium)('web app journeys (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a rep logs in, lands on the inbox, opens an MQL, sees why it qualified and accepts it', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    await expect.poll(() => new URL(page.url()).pathname).toBe('/inbox');
    const needs = page.getByRole('region', { name: 'Needs your answer' });
    await needs.getByRole('link', { name: seededName(1) }).waitFor();
    await needs.getByText(MQL_NOTE).first().waitFor();
    await screenshot(page, 'inbox-rep');

    await needs.getByRole('link', { name: seededName(1) }).click();
    await page.getByRole('heading', { level: 1, name: seededName(1) }).waitFor();
    await page.getByRole('region', { name: 'Stage history' }).getByText(MQL_NOTE).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('Getting started webinar').waitFor();
    await screenshot(page, 'lead-page');

    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('region', { name: 'Stage history' }).getByText('SAL').first().waitFor();
    await page.getByRole('button', { name: 'Hand back to marketing' }).waitFor();

    // Deep link + reload keeps the screen.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: seededName(1) }).waitFor();
    await page.context().close();
  });

  it('a rep rejects an MQL with a reason and it leaves the inbox', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    const needs = page.getByRole('region', { name: 'Needs your answer' });
    const name = seededName(2);
    await needs.getByRole('link', { name }).waitFor();
    await needs.getByRole('button', { name: `Reject ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject lead' });
    await dialog.getByLabel('Reason').selectOption({ label: 'Bad fit' });
    await dialog.getByLabel('Note for marketing').fill('Agency, not a buyer.');
    await screenshot(page, 'inbox-reject-dialog');
    await dialog.getByRole('button', { name: 'Reject lead' }).click();
    await needs.getByRole('link', { name }).waitFor({ state: 'detached' });
    await page.getByText(`Rejected ${name}.`).waitFor();

    const leads = await (await page.request.get('/api/v1/leads?stage=disqualified&limit=500')).json();
    const rejected = leads.data.find((l: { last_reason_code: string }) => l.last_reason_code === 'bad_fit' && l);
    expect(rejected).toBeTruthy();
    await page.context().close();
  });

  it('renders a contact named like an HTML tag as text, without running it', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    const needs = page.getByRole('region', { name: 'Needs your answer' });
    await needs.getByRole('link', { name: seededName(0) }).click();
    await page.getByRole('heading', { level: 1, name: `${XSS_NAME} Tester` }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.getByRole('link', { name: 'Contact record' }).click();
    await page.getByRole('heading', { level: 1, name: `${XSS_NAME} Tester` }).waitFor();
    await screenshot(page, 'contact-page');
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('the dashboard renders its charts with data', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    await expect.poll(() => new URL(page.url()).pathname).toBe('/dashboard');
    const funnel = page.getByRole('region', { name: 'Lead waterfall' });
    await funnel.getByRole('img', { name: 'Lead waterfall' }).locator('canvas').first().waitFor();
    await page.getByRole('region', { name: 'Flow of leads' }).locator('canvas').first().waitFor();
    await page.getByRole('region', { name: 'Source quality' }).getByRole('table').waitFor();
    for (const name of ['Stage conversion', 'Stage velocity', 'New MQLs per month', 'Time to sales-ready']) {
      await page.getByRole('region', { name }).getByRole('img', { name }).locator('canvas').first().waitFor();
    }
    // The segment filter regroups the quality table; the model switcher re-asks the attribution report.
    await page.getByRole('combobox', { name: 'Segment' }).selectOption('campaign');
    await page.getByRole('region', { name: 'Leads by campaign' }).waitFor();
    await page.getByRole('combobox', { name: 'Model' }).selectOption('first_touch');
    const attribution = page.getByRole('region', { name: 'Revenue attribution' });
    await expect.poll(() => attribution.getByText('Loading…').count()).toBe(0);
    expect(await attribution.getByRole('alert').count()).toBe(0);
    const download = page.waitForEvent('download');
    await funnel.getByRole('button', { name: 'Export CSV: Lead waterfall' }).click();
    expect((await download).suggestedFilename()).toBe('funnel.csv');
    await page.waitForTimeout(600); // let chart entry animations settle before the screenshot
    await screenshot(page, 'dashboard');
    await page.context().close();
  });

  it('an admin creates an ingest key and sees the tracking snippet once', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await screenshot(page, 'settings-users');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('Website');
    await page.getByRole('button', { name: 'Create key' }).click();
    const snippet = page.getByLabel('Tracking snippet', { exact: true });
    await snippet.waitFor();
    const text = await snippet.textContent();
    expect(text).toMatch(new RegExp(`^<script src="${web.baseUrl.replace(/\./g, '\\.')}/t\\.js" data-key="[^"]+" async></script>$`));
    // The snippet captures ordinary forms by default: the screen says so, and how to opt out.
    const capture = await page.getByText('also records every form your visitors submit').textContent();
    expect(capture).toContain('data-leadloop-ignore');
    await screenshot(page, 'settings-api-keys');
    await page.context().close();
  });

  it('a manager sees the team inbox with owners; the content library lists tagged assets', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'manager@web.test'));
    await page.getByRole('heading', { name: 'Team inbox' }).waitFor();
    await page.getByRole('columnheader', { name: 'Owner' }).first().waitFor();
    await page.getByRole('cell', { name: 'Robin Rep' }).first().waitFor();
    await screenshot(page, 'inbox-manager');
    await page.getByRole('link', { name: 'Content', exact: true }).click();
    await page.getByText('ROI case study').waitFor();
    await page.getByLabel('Stage').selectOption('evaluation');
    await page.getByText('ROI case study').waitFor({ state: 'detached' });
    await page.getByLabel('Stage').selectOption('');
    await screenshot(page, 'content');
    await page.context().close();
  });

  it('serves the app for deep links but never shadows the API', async () => {
    const html = await fetch(`${web.baseUrl}/leads/00000000-0000-0000-0000-000000000000`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const api = await fetch(`${web.baseUrl}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('RouteNotFound');
    // /t.js belongs to the capture routes: whatever they answer, it is never the app shell.
    expect((await fetch(`${web.baseUrl}/t.js`)).headers.get('content-type') ?? '').not.toContain('text/html');
    const index = await html.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
    const js = await fetch(`${web.baseUrl}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });
});
