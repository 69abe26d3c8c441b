import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfHeaders, dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, screenshotDir, startWebServer, type WebServer } from './web-server.ts';

/**
 * The contact page's privacy tools in Chromium: an admin sees the consent history, exports the person
 * (the download is the export document) and erases them after typing their email; a rep sees the
 * buttons disabled with the reason. Screenshots go to test-artifacts/screenshots and /work/wt/shots/privacy.
 */
const EMAIL = 'petra.privacy@initech.example';
const SHOTS = '/work/wt/shots/privacy';

async function shot(page: Page, name: string) {
  await screenshot(page, name);
  await mkdir(SHOTS, { recursive: true }).catch(() => undefined);
  await copyFile(path.join(screenshotDir, `${name}.png`), path.join(SHOTS, `${name}.png`)).catch(() => undefined);
}

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(!hasChromium)('contact page: export, erase, consent history (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let contactId = '';
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer(4);
    const form = await fetch(`${web.baseUrl}/api/v1/forms/ebook/submissions?key=${web.seed.ingestKey}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: EMAIL, first_name: 'Petra', last_name: 'Privacy', consent_marketing: 'yes', consent_tracking: 'no' }).toString(),
    });
    expect(form.status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a rep sees the consent history and the privacy buttons disabled, saying who may', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    contactId = ((await (await page.request.get(`/api/v1/contacts?email=${encodeURIComponent(EMAIL)}`)).json()).data[0] as { id: string }).id;
    await page.goto(`/contacts/${contactId}`);
    const consent = page.getByRole('region', { name: 'Consent history' });
    await consent.getByRole('cell', { name: 'Marketing email' }).waitFor();
    await consent.getByRole('cell', { name: 'Tracking' }).waitFor();
    const privacy = page.getByRole('region', { name: 'Privacy' });
    expect(await privacy.getByRole('button', { name: 'Erase person…' }).isDisabled()).toBe(true);
    await privacy.getByText(/Only an admin may erase a person/).waitFor();
    await shot(page, 'privacy-contact-rep');
    await page.context().close();
  });

  it('an admin exports the person, then erases them after typing the email; the page shows the tombstone', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.goto(`/contacts/${contactId}`);
    const privacy = page.getByRole('region', { name: 'Privacy' });
    await privacy.getByRole('link', { name: 'Export data (JSON)' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'privacy-contact-admin');

    const download = page.waitForEvent('download');
    await privacy.getByRole('link', { name: 'Export data (JSON)' }).click();
    const file = await (await download).path();
    const doc = JSON.parse(await (await import('node:fs/promises')).readFile(file!, 'utf8')) as { contact_id: string; tables: Record<string, unknown[]> };
    expect(doc.contact_id).toBe(contactId);
    expect(doc.tables.consent_event!.length).toBeGreaterThan(0);

    await privacy.getByRole('button', { name: 'Erase person…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase this person' });
    const confirm = dialog.getByRole('button', { name: 'Erase person' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Request reference (optional, no personal data)').fill('DSAR-7');
    await dialog.getByLabel(/to confirm/).fill('someone.else@initech.example');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/to confirm/).fill(EMAIL);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'privacy-erase-dialog');
    await confirm.click();
    await dialog.getByText(/Erased\./).waitFor();
    await shot(page, 'privacy-erase-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 1, name: 'Erased person' }).waitFor();
    await privacy.getByText(/This person was erased/).waitFor();
    await shot(page, 'privacy-contact-erased');
    // The API agrees (the page's session acts for the admin).
    const again = await page.request.post('/api/v1/privacy/erasures', { data: { contact_id: contactId }, headers: await csrfHeaders(page) });
    expect(await again.json()).toMatchObject({ status: 'already_erased' });
    expect(dialogs).toEqual([]);
    await page.context().close();
  }, 180_000);
});
