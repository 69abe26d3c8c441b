import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { csrfHeaders, hasChromium, launchBrowser, loginAs, screenshot, screenshotDir, startWebServer, type WebServer } from './web-server.ts';

/**
 * The person's side of consent in Chromium: double opt-in switched on by the admin, a form grant, the
 * confirmation email (real SMTP server process), the confirmation page, then the preference centre:
 * marketing email withdrawn with the keyboard only, tracking left as it was. axe-core WCAG 2 A/AA on
 * both pages. Screenshots go to test-artifacts/screenshots and /work/wt/shots/consent.
 */
const EMAIL = 'kim.keys@initech.example';
const SHOTS = '/work/wt/shots/consent';

async function shot(page: Page, name: string) {
  await screenshot(page, name);
  await mkdir(SHOTS, { recursive: true }).catch(() => undefined);
  await copyFile(path.join(screenshotDir, `${name}.png`), path.join(SHOTS, `${name}.png`)).catch(() => undefined);
}

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Tabs through the page until the button named `name` has focus (at most 40 stops). */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => ((globalThis as any).document.activeElement?.textContent as string | undefined) ?? '') === name) return;
  }
  throw new Error(`no focusable "${name}" reached with Tab`);
}

describe.skipIf(!hasChromium)('preference centre and double opt-in confirmation (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
  let mailer: Mailer;
  let links: { confirm: string; preferences: string };

  beforeAll(async () => {
    web = await startWebServer(4);
    catcher = await startMailCatcher();
    mailer = createMailer(catcher.url, 'Initech <news@initech.example>');
    browser = await launchBrowser();
    // Marketing switches double opt-in on in Settings › Consent.
    const marketer = await loginAs(browser, web.baseUrl, 'marketing@web.test');
    await marketer.goto('/settings/consent');
    const box = marketer.getByRole('checkbox', { name: 'Double opt-in for marketing email' });
    await box.waitFor();
    expect(await box.isChecked()).toBe(false);
    expect(await seriousViolations(marketer)).toEqual([]);
    await box.check();
    await marketer.getByRole('button', { name: 'Save consent settings' }).click();
    await marketer.getByRole('button', { name: 'Save consent settings' }).and(marketer.locator('[disabled]')).waitFor();
    await shot(marketer, 'settings-consent');
    const saved = await (await marketer.request.get('/api/v1/settings/consent', { headers: await csrfHeaders(marketer) })).json();
    expect(saved).toEqual({ double_opt_in: true, confirm_within_days: 7 });
    await marketer.context().close();
    const form = await fetch(`${web.baseUrl}/api/v1/forms/ebook/submissions?key=${web.seed.ingestKey}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: EMAIL, first_name: 'Kim', consent_marketing: 'yes', consent_tracking: 'yes' }).toString(),
    });
    expect(form.status).toBe(200);
    await runDueJobs({ ...web.deps, mailer, publicUrl: web.baseUrl }, new Date(), { tasks: ['consent-confirmation'] });
    const mail = catcher.mails.find((m) => m.to.includes(EMAIL))!;
    expect(mail.subject).toBe('Please confirm your subscription');
    const link = (prefix: string) => new RegExp(`${web.baseUrl}(/${prefix}/[A-Za-z0-9_.-]+)`).exec(mail.text)![1]!;
    links = { confirm: link('consent/confirm'), preferences: link('preferences') };
  });
  afterAll(async () => {
    await browser?.close();
    mailer?.close();
    await catcher?.close();
    await web?.close();
  });

  it('the person confirms from the email, then withdraws marketing email with the keyboard; tracking stays', async () => {
    const context = await browser.newContext({ baseURL: web.baseUrl, viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();

    await page.goto(links.confirm);
    await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await tabTo(page, 'Confirm my subscription');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();

    await page.goto(links.preferences);
    const marketing = page.getByRole('region', { name: 'Marketing email' });
    const tracking = page.getByRole('region', { name: 'Tracking and profiling' });
    await marketing.getByText('Allowed', { exact: true }).waitFor();
    await tracking.getByText('Allowed', { exact: true }).waitFor();
    expect(await page.content()).not.toContain(EMAIL);
    await page.getByText('k•••@i•••.example').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'preference-centre');

    await tabTo(page, 'Stop marketing email');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('No more marketing email will be sent to you.').waitFor();
    await page.getByRole('region', { name: 'Marketing email' }).getByText('Not allowed', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Tracking and profiling' }).getByText('Allowed', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'preference-centre-withdrawn');
    await context.close();

    // What the staff see: the history per purpose with source and legal basis.
    const admin = await loginAs(browser, web.baseUrl, 'admin@web.test');
    const contact = ((await (await admin.request.get(`/api/v1/contacts?email=${encodeURIComponent(EMAIL)}`)).json()).data[0]) as { id: string; consent: Record<string, { status: string; source: string }> };
    expect(contact.consent.email_marketing).toMatchObject({ status: 'withdrawn', source: 'preference_centre' });
    expect(contact.consent.tracking).toMatchObject({ status: 'granted', source: 'form:ebook' });
    await admin.goto(`/contacts/${contact.id}`);
    const consent = admin.getByRole('region', { name: 'Consent history' });
    await consent.getByRole('rowheader', { name: 'Marketing email' }).waitFor();
    await consent.getByText('awaiting confirmation').waitFor();
    await consent.getByText('granted (confirmed)').waitFor();
    await shot(admin, 'consent-history-double-opt-in');
    await admin.context().close();
  });
});
