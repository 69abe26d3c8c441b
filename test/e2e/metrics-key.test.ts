import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

// An admin makes a Prometheus key in Settings › API keys: scope `metrics` alone. The key then scrapes /metrics and
// is refused everything else, through the same HTTP server the browser used.
describe.skipIf(!hasChromium)('a metrics key from the web app (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    web = await startWebServer(4);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('creates a metrics-only key that scrapes /metrics and reads nothing else', async () => {
    const page = await loginAs(browser, web.baseUrl, 'admin@web.test');
    await page.goto('/settings/api-keys');
    const form = page.getByRole('form', { name: 'Create API key' });
    await form.getByLabel('Key name').fill('Prometheus');
    await form.getByRole('checkbox', { name: /^ingest —/ }).uncheck();
    await form.getByRole('checkbox', { name: /^metrics —/ }).check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('API key secret').textContent();
    expect(secret).toMatch(/^ll_/);
    await page.getByRole('row', { name: /Prometheus/ }).getByText('metrics', { exact: true }).waitFor();
    await screenshot(page, 'settings-api-keys-metrics');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    const as = { headers: { authorization: `Bearer ${secret}` } };
    const scraped = await fetch(`${web.baseUrl}/metrics`, as);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('leadloop_ingest_activities_stored_total');
    expect((await fetch(`${web.baseUrl}/api/v1/contacts`, as)).status).toBe(403);
    expect((await fetch(`${web.baseUrl}/api/v1/leads`, as)).status).toBe(403);
  });
});
