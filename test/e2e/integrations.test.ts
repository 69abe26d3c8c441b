import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

/**
 * Settings › Integrations in Chromium, against the Salesforce simulation: an admin connects with the
 * JWT bearer credentials, runs a dry run (nothing written), and when Salesforce refuses the stored
 * credentials the screen says the connector is paused and why, with the form to connect again.
 */
describe.skipIf(!hasChromium)('settings: CRM integrations (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let sf: SalesforceConformance;
  const { dialogs, watch } = dialogWatcher();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    web = await startWebServer(14, { crmSecretKey: randomBytes(32).toString('base64') });
    sf = await startSalesforceConformance({ clientId: 'web-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), users: [{ Username: 'integration@web.sf', Email: 'integration@web.test', Name: 'Integration' }] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sf?.close();
    await web?.close();
  });

  it('connect, dry run, then a refused credential pauses the connector with the reason on screen', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Integrations' }).click();
    const form = page.getByRole('form', { name: 'Connect Salesforce' });
    await form.getByLabel('Login URL').fill(sf.url);
    await form.getByLabel('Consumer key').fill('web-app');
    await form.getByLabel('Integration username').fill('integration@web.sf');
    await form.getByLabel('Private key (PEM)').fill(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await form.getByRole('button', { name: 'Connect Salesforce' }).click();
    await page.getByText('Salesforce — connected').waitFor();
    await page.getByText('integration@web.sf').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('status').getByText('Dry run (nothing written): ok.').waitFor();
    expect(sf.records.get('Lead')!.size).toBe(0);

    sf.revokeSessions();
    sf.refuseGrants('user hasn\'t approved this consumer');
    await page.getByRole('button', { name: 'Sync now' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Sync is paused.').waitFor();
    expect(await alert.textContent()).toContain('Salesforce refused the stored credentials (invalid_grant: user hasn\'t approved this consumer)');
    await page.getByRole('form', { name: 'Connect Salesforce' }).waitFor();
    await screenshot(page, 'settings-integrations-paused');
    expect(dialogs).toEqual([]);
  });
});
