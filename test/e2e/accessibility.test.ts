import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './seed-web.ts';
import { hasChromium, launchBrowser, loginAs, startWebServer, type WebServer } from './web-server.ts';

/**
 * "Every control labelled, keyboard accessible, responsive down to a laptop screen", checked on every
 * main screen: axe-core's WCAG 2 A/AA rules (labels, names, contrast, landmarks, ARIA), no sideways
 * scrolling at laptop width, and the journeys a keyboard user needs.
 */
type Screen = { name: string; path: () => string; as: string; ready: (page: Page) => Promise<unknown> };

const heading = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name }).waitFor();
const region = (name: string) => (page: Page) => page.getByRole('region', { name }).first().waitFor();

describe.skipIf(!hasChromium)('accessibility of every main screen (axe-core WCAG 2 A/AA, Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let leadPath = '';
  let contactPath = '';
  let assetPath = '';

  beforeAll(async () => {
    web = await startWebServer();
    browser = await launchBrowser();
    const page = await loginAs(browser, web.baseUrl, 'sales@web.test');
    const lead = page.getByRole('region', { name: 'Needs your answer' }).getByRole('link').first();
    await lead.waitFor();
    leadPath = new URL((await lead.getAttribute('href'))!, web.baseUrl).pathname;
    await page.goto(leadPath);
    const contact = page.getByRole('link', { name: 'Contact record' });
    await contact.waitFor();
    contactPath = new URL((await contact.getAttribute('href'))!, web.baseUrl).pathname;
    await page.goto('/content');
    const asset = page.getByRole('region', { name: 'Assets' }).getByRole('link').first();
    await asset.waitFor();
    assetPath = new URL((await asset.getAttribute('href'))!, web.baseUrl).pathname;
    await page.context().close();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const at = (path: string) => () => path;
  const screens: Screen[] = [
    { name: 'inbox (rep)', path: at('/inbox'), as: 'sales@web.test', ready: region('Needs your answer') },
    { name: 'inbox (manager)', path: at('/inbox'), as: 'manager@web.test', ready: region('Needs your answer') },
    { name: 'lead page', path: () => leadPath, as: 'sales@web.test', ready: region('Stage history') },
    { name: 'contact page', path: () => contactPath, as: 'sales@web.test', ready: region('Timeline') },
    { name: 'dashboard', path: at('/dashboard'), as: 'marketing@web.test', ready: (p: Page) => p.getByRole('region', { name: 'Lead waterfall' }).locator('canvas').waitFor() },
    { name: 'definitions', path: at('/definitions'), as: 'marketing@web.test', ready: heading(/definition/i) },
    // With trained models (list, metrics, charts, leaks, "Use in definition"): checked in predicted-journey.test.ts.
    { name: 'definitions: models (none trained)', path: at('/definitions/models'), as: 'marketing@web.test', ready: heading('Models') },
    { name: 'content library', path: at('/content'), as: 'marketing@web.test', ready: heading('Content library') },
    { name: 'asset page', path: () => assetPath, as: 'sales@web.test', ready: (p: Page) => p.getByRole('heading', { level: 1 }).waitFor() },
    { name: 'gap map', path: at('/content/gap-map'), as: 'marketing@web.test', ready: (p: Page) => p.getByRole('img').locator('canvas').first().waitFor() },
    { name: 'editorial calendar', path: at('/content/calendar'), as: 'marketing@web.test', ready: heading('Editorial calendar') },
    { name: 'settings: users', path: at('/settings/users'), as: 'admin@web.test', ready: heading('Settings') },
    { name: 'settings: API keys', path: at('/settings/api-keys'), as: 'admin@web.test', ready: heading('Settings') },
    { name: 'settings: routing', path: at('/settings/routing'), as: 'admin@web.test', ready: heading('Settings') },
    { name: 'settings: SLA', path: at('/settings/sla'), as: 'admin@web.test', ready: heading('Settings') },
    { name: 'settings: webhooks', path: at('/settings/webhooks'), as: 'admin@web.test', ready: heading('Settings') },
    { name: 'settings: approvers', path: at('/settings/approvers'), as: 'admin@web.test', ready: (p: Page) => p.getByRole('button', { name: 'Save approvers' }).waitFor() },
    { name: 'settings: audit log', path: at('/settings/audit-log'), as: 'admin@web.test', ready: (p: Page) => p.getByRole('table').waitFor() },
    { name: 'settings: routing (manager, read-only)', path: at('/settings/routing'), as: 'manager@web.test', ready: heading('Settings') },
  ];
  // One signed-in page per user, reused across screens.
  const pages = new Map<string, Page>();
  afterAll(async () => {
    for (const page of pages.values()) await page.context().close();
  });

  it.each(screens)('$name: no WCAG 2 A/AA violation, no sideways scrolling at 1280 px', async (screen) => {
    let page = pages.get(screen.as);
    if (!page) { page = await loginAs(browser, web.baseUrl, screen.as); pages.set(screen.as, page); }
    const where = `${screen.path()} (${screen.as})`;
    await page.goto(screen.path());
    await screen.ready(page);
    // Lazy panels and charts settle after the first frame.
    await page.waitForLoadState('networkidle');
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const problems = result.violations.map((v) => `${where}: ${v.id} [${v.impact}] ${v.help} — ${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    if (overflow > 0) problems.push(`${where}: scrolls sideways by ${overflow}px at 1280px wide`);
    expect(problems).toEqual([]);
  });

  it('a keyboard user signs in, moves through the main navigation and opens the reject dialog, which Escape closes', async () => {
    const context = await browser.newContext({ baseURL: web.baseUrl, viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email').focus();
    await page.keyboard.type('sales@web.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();

    // Tab order reaches the main navigation links; Enter follows the focused one.
    const focusedName = () => page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
    const reached: string[] = [];
    for (let i = 0; i < 12 && !reached.includes('Inbox'); i++) {
      await page.keyboard.press('Tab');
      reached.push(await focusedName());
    }
    expect(reached).toContain('Inbox');

    // The first Reject button in the inbox, reached and pressed from the keyboard.
    const needs = page.getByRole('region', { name: 'Needs your answer' });
    await needs.getByRole('button', { name: /^Reject/ }).first().waitFor();
    await needs.getByRole('button', { name: /^Reject/ }).first().focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus moved into the dialog, so a keyboard user can pick the reason straight away.
    expect(await page.locator('dialog :focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await context.close();
  });
});
