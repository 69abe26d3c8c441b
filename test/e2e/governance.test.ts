import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { must } from '../helpers/test-app.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

if (!hasChromium) console.log('[e2e] chromium missing: the governance screens are skipped.');

/** Settings › Approvers and Settings › Audit log, and the admin's emergency stop, in Chromium. */
describe.skipIf(!hasChromium)('governance screens (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const { dialogs, watch } = dialogWatcher();
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer();
    must(await installDefaultDefinition(web.deps, web.seed.workspace.id, { marketingUserId: web.seed.users.marketing.id, salesUserId: web.seed.users.sales.id }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('an admin names the approvers of each side; a rep is not offered', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Approvers' }).click();
    const today = page.getByRole('list', { name: 'Sales approvers today' });
    await today.getByText('Morgan Manager').waitFor();
    expect(await page.getByRole('checkbox', { name: /Sam Seller/ }).count()).toBe(0);
    await page.getByRole('checkbox', { name: /Alex Admin — Admin$/ }).first().check();
    await page.getByRole('button', { name: 'Save approvers' }).click();
    await page.getByText('Saved. The change is in the audit log.').waitFor();
    await page.getByRole('list', { name: 'Marketing approvers today' }).getByText('Alex Admin').waitFor();
    await screenshot(page, 'settings-approvers');
    await page.context().close();
  });

  it('the emergency stop needs a reason and lands in the audit log with who, what and why', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: 'Definitions', exact: true }).click();
    await page.getByText('Emergency stop (admins)…').click();
    const stop = page.getByRole('button', { name: 'Stop scoring now' });
    expect(await stop.isDisabled()).toBe(true);
    await page.getByLabel('Reason (sent to the approvers)').fill('Bot traffic is flooding the inbox with MQLs');
    await stop.click();
    await page.getByText(/Emergency stop: v1 retired/).waitFor();
    await page.getByText('No active definition.').waitFor();

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table');
    await table.getByText('definition.emergency_stopped').waitFor();
    await table.getByText('Bot traffic is flooding the inbox with MQLs').waitFor();
    await table.getByText('approvers.changed').waitFor();
    await table.getByText('definition.installed').waitFor();
    // Filter: only definition changes.
    await page.getByLabel('What').selectOption({ label: 'Definitions and sign-offs' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await table.getByText('approvers.changed').waitFor({ state: 'detached' });
    await table.getByText('definition.emergency_stopped').waitFor();
    const stopped = page.getByRole('row', { name: /definition.emergency_stopped/ });
    await stopped.getByRole('list', { name: 'Changed fields' }).getByText('status:').waitFor();
    expect(await stopped.getByRole('list', { name: 'Changed fields' }).textContent()).toContain('status: active → retired');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'settings-audit-log');
    const csv = await page.request.get('/api/v1/audit-log?format=csv&action=definition.');
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toContain('Bot traffic is flooding the inbox with MQLs');
    await page.context().close();
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
