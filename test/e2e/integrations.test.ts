import { generateKeyPairSync, randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

/**
 * Settings › Integrations in Chromium, against the Salesforce simulation (test/conformance/):
 * - the admin connects with "Connect Salesforce": the browser goes to the simulation's sign-in and
 *   consent page (OAuth 2.0 web-server flow with PKCE), allows access, comes back to Settings and
 *   the connector is connected, acting as the Salesforce user who allowed it;
 * - a server-to-server connection (certificate, JWT bearer) runs a dry run (nothing written), and when
 *   Salesforce refuses the stored credentials the screen says the connector is paused and why, with
 *   the form to connect again.
 */
describe.skipIf(!hasChromium)('settings: CRM integrations (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let sf: SalesforceConformance;
  const { dialogs, watch } = dialogWatcher();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    web = await startWebServer(14, { crmSecretKey: randomBytes(32).toString('base64') });
    sf = await startSalesforceConformance({
      clientId: 'web-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      users: [{ Username: 'integration@web.sf', Email: 'integration@web.test', Name: 'Integration' }, { Username: 'ops@web.sf', Email: 'ops@web.test', Name: 'Sales Ops' }],
      webApp: { clientSecret: 'web-app-secret', callbackUrls: [`${web.baseUrl}/settings/integrations`] },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sf?.close();
    await web?.close();
  });

  const openIntegrations = async (page: Page) => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Integrations' }).click();
  };
  const axeProblems = async (page: Page) => (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(' | ')})`);

  it('Connect Salesforce → Salesforce sign-in and consent → back in Settings, connected', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await openIntegrations(page);
    const form = page.getByRole('form', { name: 'Connect Salesforce' });
    await form.getByText(`${web.baseUrl}/settings/integrations`).waitFor(); // the callback URL to register
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, 'settings-integrations-connect');
    await form.getByLabel('Login URL').fill(sf.url);
    await form.getByLabel('Consumer key').fill('web-app');
    await form.getByLabel('Consumer secret').fill('web-app-secret');
    await form.getByRole('button', { name: 'Connect Salesforce' }).click();

    // Salesforce's page (the simulation's): sign in and allow.
    await page.waitForURL((u) => u.href.startsWith(`${sf.url}/services/oauth2/authorize`));
    await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
    await screenshot(page, 'salesforce-consent-simulation');
    await page.getByLabel('Username').fill('ops@web.sf');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Allow' }).click();

    // Back in Leadloop: the code is exchanged with this session, and the address bar is cleaned.
    await page.getByRole('status').getByText('Salesforce connected as ops@web.sf.').waitFor();
    // The status shows when the exchange answers; the address bar is cleaned once the connections are refetched.
    await page.waitForURL((u) => u.search === '');
    expect(new URL(page.url()).search).toBe('');
    await page.getByText('Salesforce — connected').waitFor();
    await page.getByText('ops@web.sf', { exact: true }).waitFor(); // "Acting as"
    expect(sf.oauth).toEqual({ codesIssued: 1, refreshTokens: 1 });
    expect(await axeProblems(page)).toEqual([]);
    await screenshot(page, 'settings-integrations-connected');

    // The connection works: a dry run signs in with the stored refresh token.
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('status').getByText('Dry run (nothing written): ok.').waitFor();
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('a denied consent comes back with the reason, and nothing is connected', async () => {
    await web.db.deleteFrom('crm_connection').execute();
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await openIntegrations(page);
    const form = page.getByRole('form', { name: 'Connect Salesforce' });
    await form.getByLabel('Login URL').fill(sf.url);
    await form.getByLabel('Consumer key').fill('web-app');
    await form.getByLabel('Consumer secret').fill('web-app-secret');
    await form.getByRole('button', { name: 'Connect Salesforce' }).click();
    await page.getByRole('heading', { name: 'Allow Access?' }).waitFor();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByText('Salesforce did not grant access (access_denied: end-user denied authorization)').waitFor();
    await page.getByRole('form', { name: 'Connect Salesforce' }).waitFor();
    await screenshot(page, 'settings-integrations-denied');
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('certificate connection, dry run, then a refused credential pauses the connector with the reason on screen', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await openIntegrations(page);
    await page.getByText('Server-to-server instead (certificate, JWT bearer)').click();
    const form = page.getByRole('form', { name: 'Connect Salesforce with a certificate' });
    await form.getByLabel('Login URL').fill(sf.url);
    await form.getByLabel('Consumer key').fill('web-app');
    await form.getByLabel('Integration username').fill('integration@web.sf');
    await form.getByLabel('Private key (PEM)').fill(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await form.getByRole('button', { name: 'Connect with the certificate' }).click();
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
