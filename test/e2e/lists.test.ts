import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, createWorkspace } from '../../src/app/workspaces.ts';
import { must } from '../helpers/test-app.ts';
import { PASSWORD } from './seed-web.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, startWebServer, type WebServer } from './web-server.ts';

// Issue #17 items 1 and 5 (switcher): find a person, bulk-assign 50 leads, switch workspaces — through the web app in Chromium.
const shots = '/work/wt/shots/web-lists';
async function shot(page: Page, name: string) {
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
async function axeProblems(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const problems = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} [${v.impact}] ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  if (overflow > 0) problems.push(`${where}: scrolls sideways by ${overflow}px at 1280px wide`);
  return problems;
}

describe.skipIf(!hasChromium)('lists, search, account page and workspaces in the web app (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    // 80 people: more than 50 open leads to assign at once.
    web = await startWebServer(80);
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('finds a person by email from the header search and opens their page', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'manager@web.test'));
    const search = page.getByRole('combobox', { name: 'Find a person or account' });
    await search.fill('person17@');
    const option = page.getByRole('option').filter({ hasText: 'person17@' }).first();
    await option.waitFor();
    await shot(page, '01-header-search');
    await search.fill('PERSON17@initech.example');
    await page.getByRole('option', { selected: true }).filter({ hasText: 'person17@initech.example' }).waitFor();
    await search.press('Enter');
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    await page.getByRole('region', { name: 'Timeline' }).waitFor();
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    const contact = await web.deps.db.selectFrom('contact').select(['first_name', 'last_name', 'id']).where('email', '=', 'person17@initech.example').executeTakeFirstOrThrow();
    expect(heading).toBe(`${contact.first_name} ${contact.last_name}`);
    expect(page.url()).toContain(contact.id);
    await shot(page, '02-person-page-from-search');
    await page.context().close();
  }, 120_000);

  it('bulk-assigns 50 leads from the leads list, with progress, and every list screen is axe-clean', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'manager@web.test'));
    await page.getByRole('link', { name: 'People', exact: true }).click();
    await page.getByRole('region', { name: 'People' }).waitFor();
    await page.waitForLoadState('networkidle');
    const problems = await axeProblems(page, '/people');
    await shot(page, '03-people-list');
    await page.getByRole('navigation', { name: 'Lists' }).getByRole('link', { name: 'Leads' }).click();
    // The People list has a Stage filter too: choosing before the Leads list is shown filtered the people instead.
    await page.waitForURL(/\/leads/);
    await page.getByRole('region', { name: 'Leads' }).waitFor();
    // The unfiltered list also shows 50 rows: its rows satisfied a wait for row 50 just before the filtered query
    // replaced them with a loading state (count 0, CI 2026-12-03). Wait for the filtered answer, then a full page.
    const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/lists/leads') && decodeURIComponent(r.url()).includes('inquiry,mql'));
    await page.getByLabel('Stage').selectOption({ label: 'All open' });
    await page.waitForURL(/stage=inquiry%2Cmql/);
    await filtered;
    const table = page.getByRole('region', { name: 'Leads' });
    await expect.poll(() => table.getByRole('row').count(), { timeout: 30_000 }).toBe(51); // header + one page of 50
    problems.push(...await axeProblems(page, '/leads'));
    await shot(page, '04-leads-list-open');
    await page.getByLabel('Select all shown').check();
    await page.getByText('50 selected').waitFor();
    await page.getByRole('button', { name: 'Assign…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign 50 leads' });
    await dialog.getByLabel('New owner').selectOption({ label: 'Morgan Manager' });
    problems.push(...await axeProblems(page, '/leads assign dialog'));
    await shot(page, '05-bulk-assign-dialog');
    await dialog.getByRole('button', { name: 'Assign 50' }).click();
    await page.getByRole('status').filter({ hasText: /Assigning \d+ of 50/ }).or(page.getByText('Assigned: all 50 done.')).first().waitFor();
    await shot(page, '06-bulk-assign-progress');
    await page.getByText('Assigned: all 50 done.').waitFor({ timeout: 90_000 });
    await shot(page, '07-bulk-assign-done');
    const owned = await web.deps.db.selectFrom('lead').select((eb) => eb.fn.countAll<string>().as('n')).where('owner_id', '=', web.seed.users.manager.id).executeTakeFirstOrThrow();
    expect(Number(owned.n)).toBe(50);
    // One server-side bulk action, audited once with who, how many and which leads (issue #14-3).
    const bulk = await web.deps.db.selectFrom('audit_log').select(['actor_id', 'after']).where('action', '=', 'lead.bulk_assign').execute();
    expect(bulk).toHaveLength(1);
    expect(bulk[0]!.actor_id).toBe(web.seed.users.manager.id);
    expect(bulk[0]!.after).toMatchObject({ count: 50, changed: expect.any(Array), refused: [] });
    expect((bulk[0]!.after as { lead_ids: string[] }).lead_ids).toHaveLength(50);
    // The filters live in the URL: a reload keeps them, and the owner filter finds the 50.
    await page.getByLabel('Owner').selectOption({ label: 'Morgan Manager' });
    // Reload only once the choice is in the URL: reloading first loses it (CI saw the Owner filter empty after reload).
    await expect.poll(() => page.url()).toContain(web.seed.users.manager.id);
    await page.reload();
    await table.getByRole('row').nth(50).waitFor();
    expect(await page.getByLabel('Owner').inputValue()).toBe(web.seed.users.manager.id);
    expect(await page.getByLabel('Stage').inputValue()).toBe('inquiry,mql,sal,sql,opportunity,nurture');

    // Saved view shared with everyone, then the accounts list, an account page and the opportunities list.
    await page.getByRole('button', { name: 'Save view…' }).click();
    const save = page.getByRole('dialog', { name: 'Save these filters as a view' });
    await save.getByLabel('Name').fill('Morgan\'s open leads');
    await save.getByRole('button', { name: 'Save view' }).click();
    await expect.poll(() => page.getByLabel('Saved view').locator('option:checked').textContent()).toBe('Morgan\'s open leads');
    await shot(page, '08-saved-view');

    await page.getByRole('navigation', { name: 'Lists' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('region', { name: 'Accounts' }).getByRole('link', { name: 'Globex' }).click();
    await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
    await page.getByRole('region', { name: /^People \(/ }).waitFor();
    await page.waitForLoadState('networkidle');
    problems.push(...await axeProblems(page, '/accounts/:id'));
    await page.getByLabel('Owner').selectOption({ label: 'Robin Rep' });
    await page.getByRole('button', { name: 'Save owner' }).click();
    await page.getByText('Owner changed to Robin Rep.').waitFor();
    await shot(page, '09-account-page');
    const audit = await web.deps.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'account.owner_changed').execute();
    expect(audit).toEqual([{ action: 'account.owner_changed', actor_id: web.seed.users.manager.id }]);

    await page.goto('/accounts');
    await page.getByRole('region', { name: 'Accounts' }).waitFor();
    problems.push(...await axeProblems(page, '/accounts'));
    await shot(page, '10-accounts-list');
    await page.goto('/opportunities');
    await page.getByRole('region', { name: 'Opportunities' }).or(page.getByText('No opportunities yet.')).first().waitFor();
    problems.push(...await axeProblems(page, '/opportunities'));
    await shot(page, '11-opportunities-list');
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('asks which workspace at sign-in when the email has accounts in two, and switches between them', async () => {
    const second = must(await createWorkspace(web.deps, { name: 'Second team' }));
    must(await createUser(web.deps, second.id, { email: 'manager@web.test', role: 'marketing', name: 'Morgan in Second', password: PASSWORD }));
    const context = await browser.newContext({ baseURL: web.baseUrl, viewport: { width: 1280, height: 860 } });
    const page = watch(await context.newPage());
    await page.goto('/');
    await page.getByLabel('Email').fill('manager@web.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const choice = page.getByRole('group', { name: 'Which workspace?' });
    await choice.waitFor();
    const problems = await axeProblems(page, '/login (workspace choice)');
    await shot(page, '12-login-choose-workspace');
    await choice.getByLabel(/Web test/).check();
    await page.getByRole('button', { name: 'Sign in to this workspace' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const switcher = page.getByLabel('Workspace');
    await switcher.waitFor();
    expect(await switcher.locator('option:checked').textContent()).toBe('Web test · Sales manager');
    problems.push(...await axeProblems(page, 'top bar with switcher'));
    await shot(page, '13-workspace-switcher');
    await switcher.selectOption({ label: 'Second team · Marketing' });
    await expect.poll(async () => (await (await page.request.get('/api/v1/me')).json()).workspace_id).toBe(second.id);
    await page.getByRole('link', { name: 'Morgan in Second' }).waitFor();
    expect(await page.getByLabel('Workspace').locator('option:checked').textContent()).toBe('Second team · Marketing');
    await shot(page, '14-switched-workspace');
    await page.getByLabel('Workspace').selectOption({ label: 'Web test · Sales manager' });
    await page.getByRole('link', { name: 'Morgan Manager' }).waitFor();
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  }, 180_000);
});
