import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/auth.ts';
import { must } from '../helpers/test-app.ts';
import { hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

// A team imports its history (CSV door), trains a model (API), and a rep sees the prediction and its reasons on the
// lead page, beside the agreed score.
describe.skipIf(!hasChromium)('prediction on the lead page (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let key: string;
  const call = async (method: string, url: string, body?: string | FormData, headers: Record<string, string> = {}) => {
    const r = await fetch(`${web.baseUrl}${url}`, { method, body, headers: { authorization: `Bearer ${key}`, ...headers } });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${url}: HTTP ${r.status} ${text}`);
    return JSON.parse(text);
  };

  beforeAll(async () => {
    web = await startWebServer();
    key = must(await createApiKey(web.deps, web.seed.workspace.id, { name: 'e2e', scopes: ['admin'] })).key;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a rep opens a lead and reads how likely it converts and why, marked as informing only', async () => {
    // 240 people: enterprise-tier VPs mostly reached a deal, the rest mostly were unqualified.
    const lines = ['email,first_name,title,created_at,lifecycle_stage,lead_status,tier,webinars'];
    for (let i = 0; i < 240; i++) {
      const enterprise = i % 2 === 0;
      const converted = enterprise ? i % 10 !== 0 : i % 10 === 1;
      const day = new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push([`p${i}@buyer${i}.example`, `P${i}`, enterprise ? 'VP Sales' : 'Analyst', day, converted ? 'opportunity' : 'lead', converted ? '' : 'Unqualified',
        enterprise ? 'enterprise' : 'smb', String(i % 4)].join(','));
    }
    lines.push('newcomer@bigco.example,Nia,VP Sales,2026-03-01,,,enterprise,3');
    const form = new FormData();
    form.set('entity', 'contacts');
    form.set('preset', 'generic');
    form.set('file', new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'history.csv');
    await call('POST', '/api/v1/imports', form);
    const model = await call('POST', '/api/v1/models', JSON.stringify({ target_stage: 'opportunity', horizon_days: 90 }), { 'content-type': 'application/json' });
    expect(model.version).toBe(1);
    const contact = (await call('GET', '/api/v1/contacts?email=newcomer%40bigco.example')).data[0];
    const lead = await call('POST', '/api/v1/leads', JSON.stringify({ contact_id: contact.id }), { 'content-type': 'application/json' });

    const page = await loginAs(browser, web.baseUrl, 'sales@web.test');
    await page.goto(`/leads/${lead.id}`);
    const card = page.getByRole('region', { name: 'Prediction' });
    await card.getByText('Likely to convert').waitFor();
    const percent = Number((await card.locator('dd').first().textContent())!.replace('%', ''));
    expect(percent).toBeGreaterThan(50);
    await card.getByRole('cell', { name: 'Tier: enterprise' }).waitFor();
    await card.getByText('Informs only: the signed definition decides scores and MQLs.').waitFor();
    await screenshot(page, 'lead-prediction');
  });
});
