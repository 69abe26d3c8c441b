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
type Screen = { path: string; as: string; ready: (page: Page) => Promise<unknown> };

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

  const screens = (): Screen[] => [
    { path: '/inbox', as: 'sales@web.test', ready: region('Needs your answer') },
    { path: '/inbox', as: 'manager@web.test', ready: region('Needs your answer') },
    { path: leadPath, as: 'sales@web.test', ready: region('Stage history') },
    { path: contactPath, as: 'sales@web.test', ready: region('Timeline') },
    { path: '/dashboard', as: 'marketing@web.test', ready: (p: Page) => p.getByRole('region', { name: 'Lead waterfall' }).locator('canvas').waitFor() },
    { path: '/definitions', as: 'marketing@web.test', ready: heading(/definition/i) },
    { path: '/content', as: 'marketing@web.test', ready: heading('Content library') },
    { path: assetPath, as: 'sales@web.test', ready: (p: Page) => p.getByRole('heading', { level: 1 }).waitFor() },
    { path: '/content/gap-map', as: 'marketing@web.test', ready: (p: Page) => p.getByRole('img').locator('canvas').first().waitFor() },
    { path: '/content/calendar', as: 'marketing@web.test', ready: heading('Editorial calendar') },
    { path: '/settings/users', as: 'admin@web.test', ready: heading('Settings') },
    { path: '/settings/api-keys', as: 'admin@web.test', ready: heading('Settings') },
    { path: '/settings/routing', as: 'admin@web.test', ready: heading('Settings') },
    { path: '/settings/sla', as: 'admin@web.test', ready: heading('Settings') },
    { path: '/settings/webhooks', as: 'admin@web.test', ready: heading('Settings') },
    { path: '/settings/routing', as: 'manager@web.test', ready: heading('Settings') },
  ];

  it('no WCAG 2 A/AA violations and no sideways scrolling at 1280 px on any main screen', async () => {
    const problems: string[] = [];
    const pages = new Map<string, Page>();
    for (const screen of screens()) {
      let page = pages.get(screen.as);
      if (!page) { page = await loginAs(browser, web.baseUrl, screen.as); pages.set(screen.as, page); }
      await page.goto(screen.path);
      await screen.ready(page);
      // Lazy panels and charts settle after the first frame.
      await page.waitForLoadState('networkidle');
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const v of result.violations) {
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
        problems.push(`${screen.path} (${screen.as}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes.length} node(s): ${where}`);
      }
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      if (overflow > 0) problems.push(`${screen.path} (${screen.as}): scrolls sideways by ${overflow}px at 1280px wide`);
    }
    for (const page of pages.values()) await page.context().close();
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
