import { describe, it } from 'vitest';
import { hasChromium, launchBrowser, loginAs, startWebServer } from './web-server.ts';

// A measurement, not a test: LEADLOOP_MEASURE_DASHBOARD=2000 npx vitest run --project e2e dashboard-load
const contacts = Number(process.env.LEADLOOP_MEASURE_DASHBOARD ?? 0);

describe.skipIf(!hasChromium || !contacts)('dashboard first load (measurement)', () => {
  it(`loads the dashboard over ${contacts} contacts`, { timeout: 900_000 }, async () => {
    const t0 = Date.now();
    const web = await startWebServer(contacts);
    console.log(`[measure] seeded ${contacts} contacts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const browser = await launchBrowser();
    try {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        // A new context each time: empty HTTP cache, so every run is a first load of the bundles too.
        const page = await loginAs(browser, web.baseUrl, 'marketing@web.test');
        await page.goto('about:blank');
        const start = Date.now();
        await page.goto('/dashboard');
        await page.getByRole('region', { name: 'Lead waterfall' }).locator('canvas').first().waitFor();
        await page.getByRole('region', { name: 'Stage by source' }).locator('canvas').first().waitFor();
        await page.getByRole('region', { name: 'Source quality' }).getByRole('table').waitFor();
        runs.push(Date.now() - start);
        // Where the time went: the slowest requests of the load, from the browser's own resource timings.
        const slow = await page.evaluate(() => performance.getEntriesByType('resource')
          .map((e) => `${new URL(e.name).pathname}${new URL(e.name).search} ${Math.round(e.startTime)}→${Math.round((e as unknown as { responseEnd: number }).responseEnd)} ms`)
          .slice(0, 30));
        console.log(`[measure] run ${i + 1}: ${runs[i]} ms\n  ${slow.join('\n  ')}`);
        await page.context().close();
      }
      console.log(`[measure] dashboard first load (navigation → all local charts drawn), ${contacts} contacts: ${runs.map((r) => `${r} ms`).join(', ')}`);
    } finally {
      await browser.close();
      await web.close();
    }
  });
});
