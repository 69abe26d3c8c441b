import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { must } from '../helpers/test-app.ts';
import { hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

if (!hasChromium) console.log('[e2e] chromium missing: the definition workspace journey is skipped.');

describe.skipIf(!hasChromium)('definition workspace (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  };

  beforeAll(async () => {
    web = await startWebServer();
    const ws = web.seed.workspace.id;
    must(await installDefaultDefinition(web.deps, ws, { marketingUserId: web.seed.users.marketing.id, salesUserId: web.seed.users.sales.id }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('marketing drafts a points change, backtests and proposes it; a rep cannot sign; the sales manager approves it', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    await page.getByRole('link', { name: 'Definitions', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Lead definitions' }).waitFor();
    // The active definition in plain words.
    await page.getByRole('region', { name: 'Fit rules' }).getByText('title VP or C-level').first().waitFor();
    await page.getByRole('region', { name: 'Rating matrix' }).getByRole('table').waitFor();

    await page.getByRole('button', { name: 'New draft from active' }).click();
    await page.getByText('Draft v2 created from the active definition.').waitFor();
    const editor = page.getByLabel('Definition JSON');
    await editor.waitFor();
    await page.getByText('Valid definition').waitFor();

    // A broken edit is reported by path, in place.
    const original = await editor.inputValue();
    await editor.fill(original.replace('"points": 10', '"points": "ten"'));
    await page.getByRole('list', { name: 'Validation errors' }).getByText(/fit\.rules\[\d+\]\.points|engagement\.rules\[\d+\]\.points/).first().waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    // The same document as YAML, validated the same way; back to JSON for the edit.
    await page.getByLabel('Format').selectOption('yaml');
    expect(await page.getByLabel('Definition YAML').inputValue()).toContain('schemaVersion: 1');
    await page.getByText('Valid definition').waitFor();
    await page.getByLabel('Format').selectOption('json');
    await editor.waitFor();

    const form = page.getByRole('form', { name: "Change a rule's points" });
    await form.getByLabel('Rule').selectOption({ label: 'Engagement: pricing page (+10)' });
    await form.getByLabel('Points').fill('40');
    await form.getByRole('button', { name: 'Apply points' }).click();
    await page.getByText('Valid definition').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved v2.').waitFor();
    await page.getByRole('region', { name: 'Changes from active' }).getByText(/pricing page/i).first().waitFor();

    await page.getByRole('button', { name: 'Run backtest' }).click();
    const result = page.getByRole('region', { name: 'Backtest result' });
    await result.getByRole('img', { name: 'MQLs per month: proposal vs active' }).locator('canvas').first().waitFor({ timeout: 30_000 });
    await result.getByRole('row', { name: /MQLs/ }).first().waitFor();
    // Two pricing visits now make the seeded VPs at SaaS accounts (fit A) engaged enough: more MQLs than the active version.
    const mqls = result.getByRole('row', { name: /^MQLs/ }).first().getByRole('cell');
    expect(Number(await mqls.nth(0).textContent())).toBeGreaterThan(Number(await mqls.nth(1).textContent()));

    // Proposing waits for a backtest of exactly this revision (it just ran).
    await page.getByRole('button', { name: 'Propose' }).click();
    await page.getByText('Proposed v2 for sign-off.').waitFor();
    await page.getByLabel('Comment').fill('More weight on pricing visits.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('region', { name: 'Sign-off' }).getByText(/Approved for marketing by Mia Marketing/).waitFor();
    await page.context().close();

    // A sales rep sees the proposal but has nothing to sign: reps are never approvers.
    const rep = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    await rep.getByRole('link', { name: 'Definitions', exact: true }).click();
    await rep.getByRole('region', { name: 'Sign-off' }).getByText(/Approved for marketing/).waitFor();
    expect(await rep.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await rep.getByText('Request retirement…').count()).toBe(0);
    await rep.context().close();

    const sales = watch(await loginAs(browser, web.baseUrl, 'manager@web.test'));
    await sales.getByRole('link', { name: 'Definitions', exact: true }).click();
    const signOff = sales.getByRole('region', { name: 'Sign-off' });
    await signOff.getByText(/Approved for marketing by Mia Marketing/).waitFor();
    await sales.getByLabel('Comment').fill('Fine by sales.');
    await sales.getByRole('button', { name: 'Approve' }).click();
    await sales.getByText('Approved.', { exact: true }).waitFor();
    const v2 = sales.getByRole('listitem', { name: 'Version 2' });
    await v2.getByText(/Approved for marketing by Mia Marketing/).waitFor();
    await v2.getByText(/Approved for sales by Morgan Manager/).waitFor();
    await v2.getByText('Approved', { exact: true }).waitFor();
    // Back to the top: the sticky top bar otherwise lands mid-page in a full-page screenshot.
    await sales.evaluate('window.scrollTo(0, 0)');
    await sales.waitForTimeout(500); // chart animation settles before the screenshot
    await screenshot(sales, 'definitions');

    const versions = await (await sales.request.get('/api/v1/definitions')).json();
    const proposal = versions.data.find((d: { version: number }) => d.version === 2);
    expect(proposal.status).toBe('approved');
    expect(proposal.approvals.map((a: { role: string }) => a.role).sort()).toEqual(['marketing', 'sales']);
    expect(errors).toEqual([]);
    await sales.context().close();
  });
});
