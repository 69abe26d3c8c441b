import AxeBuilder from '@axe-core/playwright';
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

  it('marketing edits rules entirely through the form, backtests and proposes it; a rep cannot sign; the sales manager approves it', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    await page.getByRole('link', { name: 'Definitions', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Lead definitions' }).waitFor();
    // The active definition in plain words.
    await page.getByRole('region', { name: 'Fit rules' }).getByText('title VP or C-level').first().waitFor();
    await page.getByRole('region', { name: 'Rating matrix' }).getByRole('table').waitFor();

    await page.getByRole('button', { name: 'New draft from active' }).click();
    await page.getByText('Draft v2 created from the active definition.').waitFor();
    await page.getByText('Valid definition').waitFor();

    // The rule is edited entirely through the form: one tab per rule kind, a rule opens into its fields.
    const kinds = page.getByRole('tablist', { name: 'Rule kinds' });
    for (const tab of ['Fit', 'Negatives', 'Engagement & decay', 'Hand-raises', 'High-intent content', 'Rating matrix', 'Inquiry rule']) {
      await kinds.getByRole('tab', { name: tab }).waitFor();
    }
    await kinds.getByRole('tab', { name: 'Engagement & decay' }).click();
    await page.getByRole('button', { name: /pricing page each page view or content view of pages under \/pricing/ }).click();
    // A value the agreement refuses is reported in place (the rule's card and the tab say so), not as a path in a JSON box.
    await page.getByLabel('pricing page points').fill('5000');
    const pricingCard = page.locator('.def-rule', { hasText: 'pricing page' }).first();
    await pricingCard.getByText(/1000/).first().waitFor();
    await kinds.getByRole('tab', { name: /Engagement & decay.*1 problem/ }).waitFor();
    await page.getByLabel('pricing page points').fill('40');
    await page.getByText('Valid definition').waitFor();

    // A new rule built from pickers: content by its title, not its id.
    await page.getByRole('button', { name: 'Add engagement rule' }).click();
    const added = page.locator('.def-rule.open', { hasText: 'New engagement rule' }).first();
    await added.getByLabel('New engagement rule name').fill('ROI case study download');
    const rule = page.locator('.def-rule.open', { has: page.getByLabel('ROI case study download points') }).first();
    await rule.getByLabel('ROI case study download points').fill('30');
    await rule.getByLabel('page view', { exact: true }).uncheck();
    await rule.getByLabel('content download', { exact: true }).check();
    await rule.getByLabel('Content', { exact: true }).selectOption({ label: 'ROI case study — pdf · consideration' });
    await rule.getByText('each content download of “ROI case study”').first().waitFor();
    await page.getByText('Valid definition').waitFor();

    // The text view stays: the same document as YAML; a syntax error names its line and column.
    await page.getByRole('button', { name: 'YAML / JSON text' }).click();
    await page.getByLabel('Format').selectOption('yaml');
    const yaml = page.getByLabel('Definition YAML');
    const text = await yaml.inputValue();
    expect(text).toContain('label: ROI case study download');
    const lines = text.split('\n');
    const broken = lines.findIndex((l) => l.startsWith('name:'));
    lines[broken] = 'name: [unclosed';
    await yaml.fill(lines.join('\n'));
    await page.getByRole('alert').getByText(/YAML syntax error at line \d+, column \d+/).waitFor();
    await page.getByRole('button', { name: /Go to line \d+/ }).waitFor();
    await yaml.fill(text);
    await page.getByText('Valid definition').waitFor();
    await page.getByRole('button', { name: 'Form' }).click();

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved v2.').waitFor();
    const changes = page.getByRole('region', { name: 'Changes from active' });
    await changes.getByText(/pricing page/i).first().waitFor();
    await changes.getByText(/ROI case study/i).first().waitFor();

    // axe on the editor, with a rule open (the form's own controls are what is new here).
    await kinds.getByRole('tab', { name: 'Fit' }).click();
    await page.getByRole('button', { name: /title VP or C-level/ }).click();
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).include('.def-working').analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

    await page.getByRole('button', { name: 'Run backtest' }).click();
    const result = page.getByRole('region', { name: 'Backtest result' });
    await result.getByRole('img', { name: 'MQLs per month: proposal vs active' }).locator('canvas').first().waitFor({ timeout: 30_000 });
    await result.getByRole('row', { name: /MQLs/ }).first().waitFor();
    // Two pricing visits now make the seeded VPs at SaaS accounts (fit A) engaged enough: more MQLs than the active version.
    const mqls = result.getByRole('row', { name: /^MQLs/ }).first().getByRole('cell');
    expect(Number(await mqls.nth(0).textContent())).toBeGreaterThan(Number(await mqls.nth(1).textContent()));
    // Why the backtest's count is not the dashboard's.
    await result.getByText('Why these counts differ from the dashboard').click();
    await result.getByText(/Cohort, not events/).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'definition-form-backtest');

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
