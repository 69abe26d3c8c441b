import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlert } from '../../src/storage/alerts.repo.ts';
import { hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';
import { seededName } from './seed-web.ts';

if (!hasChromium) console.log('[e2e] chromium missing: the inbox hand-off journey is skipped.');

describe.skipIf(!hasChromium)('inbox hand-off: alerts bell and reassign (Chromium)', () => {
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

  it('a manager reads an alert from the bell and reassigns a lead to another rep', async () => {
    const ws = web.seed.workspace.id;
    const lead = (await web.deps.db.selectFrom('lead').select('id').where('workspace_id', '=', ws).where('stage', '=', 'mql').limit(1).executeTakeFirstOrThrow()).id;
    await web.deps.db.transaction().execute((trx) => insertAlert(trx, ws, {
      userId: web.seed.users.manager.id, leadId: lead, kind: 'sla_breach', title: 'Accept SLA missed', body: 'Nobody accepted this MQL within 4 business hours.',
      context: { path: `/leads/${lead}` }, at: new Date(),
    }));

    const page = await loginAs(browser, web.baseUrl, 'manager@web.test');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/inbox');
    const bell = page.getByRole('button', { name: 'Alerts, 1 unread' });
    await bell.click();
    const menu = page.getByRole('region', { name: 'Alerts' });
    await menu.getByRole('link', { name: 'Accept SLA missed' }).waitFor();
    await screenshot(page, 'inbox-alerts');
    await menu.getByRole('button', { name: 'Mark read: Accept SLA missed' }).click();
    await page.getByRole('button', { name: 'Alerts, 0 unread' }).waitFor();
    await page.keyboard.press('Escape');

    const needs = page.getByRole('region', { name: 'Needs your answer' });
    const name = seededName(1);
    const owner = needs.getByLabel(`Owner of ${name}`);
    await owner.selectOption({ label: 'Robin Rep' });
    // Reassigning asks first, then waits out its undo window before it is sent.
    const confirm = page.getByRole('dialog', { name: 'Reassign lead?' });
    await confirm.getByText('Robin Rep').waitFor();
    await screenshot(page, 'inbox-reassign-confirm');
    await confirm.getByRole('button', { name: 'Reassign' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    await page.getByText(`Reassigned ${name} to Robin Rep.`).waitFor();
    await expect.poll(async () => (await owner.locator('option:checked').textContent())).toBe('Robin Rep');
    await screenshot(page, 'inbox-manager');
    await page.context().close();
  });
});
