import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfHeaders, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

type LeadRow = { id: string; stage: string; owner_id: string | null };

// The web app asks the API's own permission rule: what the user may not do is disabled (lead page)
// or absent (inbox), and says who may.
describe.skipIf(!hasChromium)('records obey their owners in the web app (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    web = await startWebServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const mqlOwnedBy = async (page: Awaited<ReturnType<typeof loginAs>>, ownerId: string) => {
    const leads = (await (await page.request.get('/api/v1/leads?stage=mql&limit=500')).json()).data as LeadRow[];
    const lead = leads.find((l) => l.owner_id === ownerId);
    expect(lead, 'the seed has an MQL for this owner').toBeDefined();
    return lead!;
  };

  it("marketing sees an MQL's Accept disabled, with who may accept it; the API refuses the same", async () => {
    const page = await loginAs(browser, web.baseUrl, 'marketing@web.test');
    const lead = await mqlOwnedBy(page, web.seed.users.sales.id);
    await page.goto(`/leads/${lead.id}`);
    const accept = page.getByRole('button', { name: 'Accept' });
    await accept.waitFor();
    await page.locator('.permission-note').waitFor();
    expect(await accept.isDisabled()).toBe(true);
    const note = await page.locator('.permission-note').textContent();
    expect(note).toMatch(/^Only the lead's owner \(Sam Seller\), a sales manager \(Morgan Manager\) or an admin may /);
    expect(note).toContain('you are Mia Marketing (marketing), and marketing cannot act for sales.');
    expect(await accept.getAttribute('title')).toContain('may accept this lead');
    await screenshot(page, 'lead-page-marketing-refused');
    const refused = await page.request.post(`/api/v1/leads/${lead.id}/transitions`, { data: { to: 'sal' }, headers: { origin: web.baseUrl, ...(await csrfHeaders(page)) } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.message).toContain("Only the lead's owner (Sam Seller)");
  });

  it("a rep sees another rep's MQL with Accept disabled and who may; their own MQL is actionable", async () => {
    const page = await loginAs(browser, web.baseUrl, 'sales2@web.test');
    const theirs = await mqlOwnedBy(page, web.seed.users.sales.id);
    await page.goto(`/leads/${theirs.id}`);
    const accept = page.getByRole('button', { name: 'Accept' });
    await accept.waitFor();
    await page.locator('.permission-note').waitFor();
    expect(await accept.isDisabled()).toBe(true);
    expect(await page.locator('.permission-note').textContent()).toContain('you are Robin Rep (sales)');

    const own = await mqlOwnedBy(page, web.seed.users.sales2.id);
    await page.goto(`/leads/${own.id}`);
    const mine = page.getByRole('button', { name: 'Accept' });
    await mine.waitFor();
    // Users and teams load before the rule answers; then the rep's own lead is actionable.
    await page.getByRole('button', { name: 'Accept', disabled: false }).waitFor();
    expect(await page.locator('.permission-note').count()).toBe(0);
    await screenshot(page, 'lead-page-own-lead');
  });
});
