import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

/** Hostile on purpose: a device id is visitor-supplied text and must be shown, never run. */
const DEVICE = 'shared-<img src=x onerror=alert(1)>';

describe.skipIf(!hasChromium)('contact page: identities and conflicts (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer(4);
    // Two people on one browser, sent by the real Segment client to the running server.
    for (const email of ['ann@initech.example', 'bea@globex.example']) {
      const errors: unknown[] = [];
      const analytics = new SegmentAnalytics({ writeKey: web.seed.ingestKey, host: web.baseUrl, path: '/v1/batch', flushInterval: 50, maxRetries: 0 });
      analytics.on('error', (e) => errors.push(e));
      analytics.identify({ anonymousId: DEVICE, traits: { email } });
      analytics.page({ anonymousId: DEVICE, name: 'Pricing', properties: { url: 'https://acme.example/pricing' } });
      await analytics.closeAndFlush({ timeout: 10_000 });
      expect(errors).toEqual([]);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('each person shows their identities and the conflict naming the other, linked both ways', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    const idOf = async (email: string) => ((await (await page.request.get(`/api/v1/contacts?email=${encodeURIComponent(email)}`)).json()).data[0] as { id: string }).id;
    const [ann, bea] = [await idOf('ann@initech.example'), await idOf('bea@globex.example')];
    expect(ann).not.toBe(bea);

    await page.goto(`/contacts/${bea}`);
    const card = page.getByRole('region', { name: 'Identities and conflicts' });
    const identities = card.locator('.identities');
    await identities.getByText('bea@globex.example', { exact: true }).waitFor();
    await identities.getByText(DEVICE, { exact: true }).waitFor(); // the device follows who identified last
    const conflict = card.locator('.conflicts li');
    expect(await conflict.count()).toBe(1);
    await conflict.getByText(DEVICE, { exact: true }).waitFor();
    await conflict.getByText(/second person on one device/).waitFor();
    await card.getByText('No merge.').waitFor();
    await screenshot(page, 'contact-identity-conflict');

    await conflict.getByRole('link', { name: 'ann@initech.example' }).click();
    await page.waitForURL(`**/contacts/${ann}`);
    const annCard = page.getByRole('region', { name: 'Identities and conflicts' });
    await annCard.locator('.conflicts').getByRole('link', { name: 'bea@globex.example' }).waitFor();
    await annCard.locator('.identities').getByText('ann@initech.example', { exact: true }).waitFor();
    expect(await annCard.locator('.identities').getByText(DEVICE).count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });
});
