import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/auth.ts';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { must } from '../helpers/test-app.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';
import { predictionHistoryCsvLines } from '../helpers/prediction-history.ts';

/**
 * A model governed like the agreement, through the doors people use: the history comes in as a CSV and the model
 * is trained through the API; marketing puts it into a definition from Definitions › Models, backtests and proposes
 * it in the editor; marketing and a sales manager (two people, the web app) sign; the manager activates. Then a
 * likely buyer acts, becomes an MQL because of the probability, and the lead page and the inbox show it.
 */
describe.skipIf(!hasChromium)('a model proposed, backtested, signed and used (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let key: string;
  const { dialogs, watch } = dialogWatcher();
  const errors: string[] = [];
  const call = async (method: string, url: string, body?: string | FormData, headers: Record<string, string> = {}) => {
    const r = await fetch(`${web.baseUrl}${url}`, { method, body, headers: { authorization: `Bearer ${key}`, ...headers } });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${url}: HTTP ${r.status} ${text}`);
    return JSON.parse(text);
  };
  const asJson = { 'content-type': 'application/json' };
  const open = async (email: string): Promise<Page> => {
    const page = watch(await loginAs(browser, web.baseUrl, email));
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  };
  const axe = async (page: Page, where: string) => {
    await page.waitForLoadState('networkidle');
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${where}: ${v.id} [${v.impact}] ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    if (overflow > 0) serious.push(`${where}: scrolls sideways by ${overflow}px`);
    expect(serious).toEqual([]);
  };

  beforeAll(async () => {
    web = await startWebServer();
    must(await installDefaultDefinition(web.deps, web.seed.workspace.id, { marketingUserId: web.seed.users.marketing.id, salesUserId: web.seed.users.sales.id }));
    key = must(await createApiKey(web.deps, web.seed.workspace.id, { name: 'e2e', scopes: ['admin'] })).key;
    browser = await launchBrowser();
    // 240 closed leads: enterprise-tier VPs mostly reached a deal, the rest mostly were unqualified; one newcomer.
    const lines = predictionHistoryCsvLines(['newcomer@bigco.example,Nia,VP Sales,2026-03-01,,,enterprise']);
    const form = new FormData();
    form.set('entity', 'contacts');
    form.set('preset', 'generic');
    form.set('file', new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'history.csv');
    await call('POST', '/api/v1/imports', form);
    const model = await call('POST', '/api/v1/models', JSON.stringify({ target_stage: 'opportunity', horizon_days: 90 }), asJson);
    await call('POST', `/api/v1/models/${model.id}/predictions`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('marketing proposes the model from Definitions › Models, backtests and proposes it', async () => {
    const page = await open('marketing@web.test');
    await page.goto('/definitions');
    await page.getByRole('link', { name: /^Models/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    await page.getByRole('cell', { name: 'Informs only' }).waitFor();
    await page.getByRole('columnheader', { name: 'Rule-based rating (fit + engagement)' }).waitFor();
    await page.getByRole('img', { name: /^Calibration of model v1/ }).locator('canvas').waitFor();
    await page.getByRole('img', { name: /^Capture by top share/ }).locator('canvas').waitFor();
    await screenshot(page, 'definitions-models');
    await axe(page, '/definitions/models');

    await page.getByLabel('Threshold (0–1)').fill('0.5');
    await page.getByRole('button', { name: 'Use in definition' }).click();
    await page.waitForURL('**/definitions');
    await page.getByText(/Draft · v2/).waitFor();
    await page.getByRole('tab', { name: /Predicted/ }).click();
    await page.getByText(/MQL when model v1 \(reaches opportunity within 90 d\) gives ≥ 50%/).waitFor();
    await page.getByLabel('Inbox order').waitFor();
    expect(await page.getByLabel('Inbox order').inputValue()).not.toBe('');
    await screenshot(page, 'definitions-predicted-rule');
    await axe(page, '/definitions (predicted tab)');

    await page.getByRole('button', { name: 'Run backtest' }).click();
    await page.getByText('Backtest finished.').waitFor({ timeout: 60_000 });
    await page.getByRole('list', { name: 'How this backtest got its facts' }).getByText(/stored prediction of model v1/).waitFor();
    await page.getByRole('button', { name: 'Propose' }).click();
    await page.getByText('Proposed v2 for sign-off.').waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved.').waitFor();
    await screenshot(page, 'definitions-predicted-proposed');
    await page.context().close();
  }, 120_000);

  it('the sales manager signs and activates; the likely buyer qualifies on the probability, explained on the lead page', async () => {
    const page = await open('manager@web.test');
    await page.goto('/definitions');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved.').waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByText('v2 is now active.').waitFor();

    const contact = (await call('GET', '/api/v1/contacts?email=newcomer%40bigco.example')).data[0];
    await call('POST', '/api/v1/activities', JSON.stringify({ contact_id: contact.id, type: 'page_view', occurred_at: new Date().toISOString(), url: 'https://acme.test/pricing' }), asJson);
    const lead = (await call('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0];
    expect(lead.stage).toBe('mql');

    await page.goto(`/leads/${lead.id}`);
    const card = page.getByRole('region', { name: 'Prediction' });
    await card.getByText('Likely to convert').waitFor();
    await card.getByText(/Part of the agreement: the signed definition v2 uses this model/).waitFor();
    await page.getByRole('region', { name: 'Stage history' }).getByText(/predicted \d+% likely to reach opportunity \(model v1\) ≥ 50%/).first().waitFor();
    await screenshot(page, 'lead-predicted-mql');

    await page.goto('/inbox');
    await page.getByText(/Most likely to convert first \(model v1, as definition v2 agreed\)/).waitFor();
    const needs = page.getByRole('region', { name: 'Needs your answer' });
    await needs.getByText(/\d+% likely/).first().waitFor();
    const shown = await needs.locator('.prediction-line strong').allTextContents();
    const values = shown.map((s) => Number(s.replace('% likely', '')));
    expect(values.length).toBeGreaterThan(1);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await needs.getByRole('link', { name: /Nia/ }).waitFor();
    await screenshot(page, 'inbox-sorted-by-prediction');
    await axe(page, '/inbox (predicted order)');
    await page.context().close();
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 120_000);
});
