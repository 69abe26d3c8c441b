import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';
import { RATED_ASSET, RATING_COMMENT, SCORED_NAME, seedLeadPage } from './seed-leads.ts';

type ScoreEvent = { at: string; fit: number; engagement: number; cell: string };

describe.skipIf(!hasChromium)('lead page and inbox SLA (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let extra: Awaited<ReturnType<typeof seedLeadPage>>;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer();
    extra = await seedLeadPage(web.deps, web.seed);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a rep opens a scored lead: the score chart renders, the summary states the history, owner and SLA are shown', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    const history = (await (await page.request.get(`/api/v1/contacts/${extra.contactId}/score-history?limit=500`)).json()).data as ScoreEvent[];
    expect(history.length).toBeGreaterThanOrEqual(3);
    const first = history.at(-1)!;
    const last = history[0]!;

    await page.goto(`/leads/${extra.leadId}`);
    await page.getByRole('heading', { level: 1, name: SCORED_NAME }).waitFor();
    const card = page.getByRole('region', { name: 'Score over time' });
    const chart = card.getByRole('img', { name: /^Score over time\./ });
    await chart.locator('canvas').waitFor();
    const box = await chart.locator('canvas').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
    const summary = await card.locator('.score-summary').textContent();
    expect(summary).toContain(`Engagement rose from ${first.engagement} to ${last.engagement} over 9 days`);
    expect(summary).toContain(`fit stayed at ${last.fit}`);
    expect(summary).toMatch(/MQL on \d{1,2} [A-Z][a-z]{2}/);
    expect(await chart.getAttribute('aria-label')).toContain(summary!);

    // The tooltip explains a point: which definition version scored it and what changed.
    await chart.hover({ position: { x: box!.width - 30, y: box!.height / 2 } });
    await chart.getByText(/definition v1/).waitFor();
    await chart.getByText(/Rating changed/).waitFor();

    // The same numbers without the chart: a keyboard-reachable table.
    await card.getByText(/^Score changes as a table/).focus();
    await page.keyboard.press('Enter');
    await card.getByRole('table').waitFor();
    expect(await card.getByRole('table').getByRole('row').count()).toBe(history.length + 1);
    await page.keyboard.press('Enter');

    const handoff = page.getByRole('region', { name: 'Owner and SLA' });
    await handoff.getByText('Sam Seller').waitFor();
    await handoff.getByText(/^Accept within \d+ (h|min)/).waitFor();
    await handoff.getByText(/left/).first().waitFor();
    await page.getByRole('region', { name: 'Score', exact: true }).getByText('case study download').waitFor();
    await page.mouse.move(0, 0);
    await chart.getByText(/definition v1/).waitFor({ state: 'hidden' });
    await screenshot(page, 'lead-page-score');
    await page.context().close();
  });

  it('lists the content ratings the person gave; a hostile comment is shown as text, never run', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    await page.goto(`/leads/${extra.leadId}`);
    const ratings = page.getByRole('region', { name: 'Content ratings given' });
    const link = ratings.getByRole('link', { name: RATED_ASSET });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/content/${extra.ratedAssetId}`);
    await ratings.getByText('2 of 5 stars').waitFor();
    await ratings.getByText(RATING_COMMENT, { exact: true }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // The contact record shows the same ratings and the score chart.
    await page.getByRole('link', { name: 'Contact record' }).click();
    await page.getByRole('heading', { level: 1, name: SCORED_NAME }).waitFor();
    await page.getByRole('region', { name: 'Content ratings given' }).getByText(RATING_COMMENT, { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Score over time' }).locator('canvas').waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('the inbox shows SLA countdowns and why each lead qualified from the lead list, without a request per row', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    // Signing in lands on the inbox already: let that load finish so only the fresh load below is counted.
    await page.waitForLoadState('networkidle');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname + new URL(r.url()).search));
    await page.goto('/inbox');
    // What the inbox asked for, carrying each row's clock.
    const leads = (await (await page.request.get('/api/v1/leads?owner=me&stage=mql,sal,sql&limit=500&include=contact,account,qualification')).json()).data as { id: string; sla: unknown }[];
    expect(leads.find((l) => l.id === extra.leadId)?.sla).toMatchObject({ kind: 'accept', state: 'running' });

    const needs = page.getByRole('region', { name: 'Needs your answer' });
    const row = needs.getByRole('row').filter({ has: page.getByRole('link', { name: SCORED_NAME }) });
    // How long is left depends on the wall clock (business hours, weekends): any duration the countdown can show.
    const left = /^(\d+ min|\d+ h \d+ min|\d+ d \d+ h|\d+ days) left Accept$/;
    const slaCell = row.getByRole('cell').filter({ hasText: / left/ });
    await slaCell.waitFor();
    expect(await slaCell.textContent()).toMatch(left);
    // The seeded MQLs are days old: their accept clocks are overdue.
    await needs.getByText(/^Overdue /).first().waitFor();
    await page.waitForLoadState('networkidle');
    // Neither the clock nor the why-it-qualified note costs a request per row.
    expect(requests.filter((u) => u.includes('/handoff') || u.includes('/transitions'))).toEqual([]);
    // Two lists, never one per row: the open leads, and the leads this rep handed back (their recheck dates).
    expect([...new Set(requests.filter((u) => u.startsWith('/api/v1/leads?')))].sort()).toEqual([
      '/api/v1/leads?owner=me&stage=mql%2Csal%2Csql&limit=500&include=contact%2Caccount%2Cqualification%2Cprediction',
      '/api/v1/leads?owner=me&stage=nurture&limit=200&include=contact%2Caccount',
    ]);
    await screenshot(page, 'inbox-sla');
    expect(dialogs).toEqual([]);
    await page.context().close();
  });
});
