import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

/**
 * The web app runs under Leadloop's Content-Security-Policy (no inline script or style, own origin only):
 * every screen a user visits must load and work with no CSP violation reported by Chromium.
 */
describe.skipIf(!hasChromium)('web app under the Content-Security-Policy (Chromium)', () => {
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

  /** Records CSP violations (the DOM event) and the console's "Refused to ..." lines. */
  async function watchViolations(page: Page): Promise<string[]> {
    const violations: string[] = [];
    await page.exposeFunction('__reportCsp', (v: string) => { violations.push(v); });
    // A string: this test file is compiled without the DOM types.
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCsp(e.violatedDirective + ' blocked ' + e.blockedURI + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
    });`);
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
    return violations;
  }

  it('login, dashboard charts, inbox, content and settings load with the CSP sent and no violation', async () => {
    const first = await fetch(`${web.baseUrl}/`);
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe');

    const context = await browser.newContext({ baseURL: web.baseUrl, viewport: { width: 1280, height: 860 } });
    const loginPage = await context.newPage();
    const atLogin = await watchViolations(loginPage);
    await loginPage.goto('/');
    await loginPage.getByLabel('Email').waitFor();
    expect(atLogin).toEqual([]);
    await context.close();

    const page = await loginAs(browser, web.baseUrl, 'admin@web.test');
    const violations = await watchViolations(page);
    await page.goto('/dashboard');
    await page.getByRole('region', { name: 'Lead waterfall' }).locator('canvas').first().waitFor();
    await page.getByRole('region', { name: 'Flow of leads' }).locator('canvas').first().waitFor();
    await screenshot(page, 'csp-dashboard');
    await page.goto('/inbox');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto('/content');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').waitFor();
    // Let late style/script work (charts resizing, lazy chunks) report before judging.
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
    // The watcher does see violations: an injected inline style is refused and reported.
    await page.evaluate(`document.head.appendChild(Object.assign(document.createElement('style'), { textContent: 'body { color: red }' }))`);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(/style-src/);
    await page.context().close();
  });

  it('the API docs page works under its own, narrower policy', async () => {
    const context = await browser.newContext({ baseURL: web.baseUrl });
    const page = await context.newPage();
    const violations = await watchViolations(page);
    await page.goto('/api/docs');
    await page.getByText('Leadloop API').first().waitFor();
    await page.getByText('/api/v1/health').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
    const csp = (await page.request.get('/api/docs/')).headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' *;/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await context.close();
  });
});
