import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfHeaders, dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';
import { seedContentFeedback } from './seed-content.ts';

describe.skipIf(!hasChromium)('content library journeys (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer();
    await seedContentFeedback(web);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a rep finds an asset in the library, rates it 4 with a comment and sees it listed as text', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'sales@web.test'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }).click();
    await page.getByRole('heading', { level: 1, name: 'Content library' }).waitFor();
    const assets = page.getByRole('region', { name: 'Assets' });
    // Ratings and usage columns come from the list itself (include=usage): the seeded prospect ratings show.
    const row = assets.getByRole('row').filter({ has: page.getByRole('link', { name: 'Pricing guide' }) });
    await row.getByText('2 ratings').waitFor();
    await screenshot(page, 'content-library');

    await assets.getByRole('link', { name: 'Pricing guide' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pricing guide' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/content/${web.seed.content[0]!.id}`);
    await page.getByRole('region', { name: 'Asset figures' }).getByText('People reached').waitFor();
    // The chart draws after its data arrives: wait for its canvas rather than counting at once (flaky in CI).
    await page.getByRole('img', { name: /^Consumptions by lifecycle stage/ }).locator('canvas').first().waitFor();

    const form = page.getByRole('form', { name: 'Rate this asset' });
    // A comment alone is refused by the API; its message is shown word for word.
    await form.getByLabel('Comment').fill('No stars');
    await form.getByRole('button', { name: 'Submit rating' }).click();
    await form.getByRole('alert').getByText('Give either rating (1–5) or thumbs (up/down), not both or neither.').waitFor();

    const comment = 'Sent it after the pricing call <b>x</b>';
    await form.getByRole('group', { name: 'Your rating' }).getByRole('radio', { name: '4 stars' }).check();
    await form.getByLabel('Comment').fill(comment);
    await form.getByRole('button', { name: 'Submit rating' }).click();
    await form.getByText('Thanks: your rating is in the list.').waitFor();
    const list = page.getByRole('list', { name: 'Ratings and comments' });
    const mine = list.getByRole('listitem').filter({ hasText: comment });
    await mine.waitFor();
    await mine.getByText('You', { exact: true }).waitFor();
    await mine.getByRole('img', { name: '4 of 5 stars' }).waitFor();
    expect(await list.locator('b').count()).toBe(0);
    await list.getByText('Anonymous visitor').first().waitFor();
    await screenshot(page, 'content-asset');

    // The rating reached the server, and the page is its own address.
    const ratings = await (await page.request.get(`/api/v1/content/${web.seed.content[0]!.id}/ratings`)).json();
    expect(ratings.data[0]).toMatchObject({ rating: 4, comment, source: 'sales', user_id: web.seed.users.sales.id });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Pricing guide' }).waitFor();
    await page.getByRole('list', { name: 'Ratings and comments' }).getByText(comment).waitFor();
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('marketing opens the gap map: the heat map draws and the gaps are listed in words', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    await page.goto('/content');
    await page.getByRole('navigation', { name: 'Content sections' }).getByRole('link', { name: 'Gap map' }).click();
    await page.getByRole('heading', { level: 1, name: 'Content gap map' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/content/gap-map');
    const heat = page.getByRole('img', { name: /^Heat map of content coverage/ });
    await heat.locator('canvas').first().waitFor();
    // Seeded: the only awareness-stage asset is for practitioners, so buyers and executives have none.
    const missing = page.getByRole('list', { name: 'Missing content' });
    await missing.getByText('No awareness-stage content for Buyer.').waitFor();
    await missing.getByText('No post-purchase-stage content for Practitioner.').waitFor();
    const gaps = await (await page.request.get('/api/v1/content/gap-map?by=persona')).json();
    const apiMissing = gaps.cells.filter((c: { status: string }) => c.status === 'missing').length;
    expect(await missing.getByRole('listitem').count()).toBe(apiMissing);

    await page.getByText('Show the grid as a table').click();
    const table = page.getByRole('table', { name: /Live assets by buying stage/ });
    await table.getByRole('rowheader', { name: 'Evaluation' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV: content gap map' }).click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        let text = '';
        stream.on('data', (b: Buffer) => { text += b.toString('utf8'); });
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      }, reject);
    });
    expect(csv.split('\r\n')[0]).toBe('buying_stage,persona,assets,average_rating,consumers,status');
    expect(csv).toContain('awareness,buyer,0,,0,missing');

    await page.getByRole('button', { name: 'By topic' }).click();
    await page.getByRole('heading', { name: 'Coverage: buying stage × topic' }).waitFor();
    await page.getByRole('button', { name: 'By persona' }).click();
    await missing.getByText('No awareness-stage content for Buyer.').waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Content gap map' }).waitFor();
    await screenshot(page, 'content-gap-map');
    await page.context().close();
  });

  it('a topic written like an HTML tag shows in the gap-map tooltip as text, never as markup', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    // Any user or API key with write access can tag content: the tag is untrusted text.
    const created = await page.request.post('/api/v1/content', { headers: await csrfHeaders(page), data: { title: 'Tagged by an integration', format: 'blog_post', buying_stage: 'awareness', topics: [hostile] } });
    expect(created.status(), await created.text()).toBe(201);
    await page.goto('/content/gap-map');
    await page.getByRole('button', { name: 'By topic' }).click();
    const heat = page.getByRole('img', { name: /^Heat map of content coverage/ });
    const canvas = heat.locator('canvas').first();
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    // Sweep the grid until the tooltip (ECharts renders it as HTML, inside the chart) names the hostile topic.
    const tooltip = heat.getByText(hostile, { exact: false });
    for (let y = box.y + 20; y < box.y + box.height - 60 && !(await tooltip.count()); y += 25) {
      for (let x = box.x + 60; x < box.x + box.width - 10 && !(await tooltip.count()); x += 40) await page.mouse.move(x, y);
    }
    await tooltip.first().waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('marketing plans an asset in the calendar, edits it, and the CSV and iCal downloads carry it', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'marketing@web.test'));
    await page.goto('/content/calendar');
    await page.getByRole('heading', { level: 1, name: 'Editorial calendar' }).waitFor();
    await page.getByRole('button', { name: 'New entry' }).click();
    const dialog = page.getByRole('dialog', { name: 'New calendar entry' });
    // Empty title: the API's validation message is shown with its field.
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await dialog.getByRole('alert').getByText('title', { exact: true }).waitFor();

    const title = 'Buyer ROI one-pager';
    const date = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await dialog.getByLabel('Title').fill(title);
    await dialog.getByLabel('Publish date').fill(date);
    await dialog.getByLabel('Status').selectOption({ label: 'Planned' });
    await dialog.getByLabel('Owner').selectOption({ label: 'Mia Marketing (you)' });
    await dialog.getByLabel('Buying stage').selectOption({ label: 'Awareness' });
    await dialog.getByLabel('Persona').fill('buyer');
    await dialog.getByLabel('Topic').fill('roi');
    await dialog.getByLabel('Notes').fill('Fills the awareness gap for buyers.');
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const month = page.getByRole('region', { name: new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`)) });
    const entry = month.getByRole('row').filter({ hasText: title });
    await entry.getByText('marketing@web.test').waitFor();
    await entry.getByText('Planned', { exact: true }).waitFor();
    await entry.getByText('Awareness', { exact: true }).waitFor();

    await entry.getByRole('button', { name: `Edit ${title}` }).click();
    const edit = page.getByRole('dialog', { name: 'Edit calendar entry' });
    await edit.getByLabel('Status').selectOption({ label: 'In progress' });
    await edit.getByRole('button', { name: 'Save entry' }).click();
    await edit.waitFor({ state: 'hidden' });
    await entry.getByText('In progress', { exact: true }).waitFor();
    await screenshot(page, 'content-calendar');

    // The download links work with the session cookie alone (what <a download> sends).
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const icsHref = await page.getByRole('link', { name: 'Download iCal' }).getAttribute('href');
    const csv = await page.request.get(csvHref!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toContain(title);
    const ics = await page.request.get(icsHref!);
    expect(ics.status()).toBe(200);
    const icsText = await ics.text();
    expect(icsText).toContain('BEGIN:VCALENDAR');
    expect(icsText).toContain(`SUMMARY:${title}`);
    expect(icsText).toContain(`DTSTART;VALUE=DATE:${date.replace(/-/g, '')}`);

    await entry.getByRole('button', { name: `Delete ${title}` }).click();
    await page.getByRole('dialog', { name: 'Delete calendar entry' }).getByRole('button', { name: 'Delete entry' }).click();
    await page.getByText(`Deleted “${title}”.`).waitFor();
    await page.getByRole('row').filter({ hasText: title }).waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Editorial calendar' }).waitFor();
    expect(dialogs).toEqual([]);
    await page.context().close();
  });
});
