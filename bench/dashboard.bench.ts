/**
 * `npm run bench -- dashboard [--contacts N] [--runs N] [--data DIR]`: first load of the marketing dashboard in
 * Chromium against a real `leadloop start` on the demo workspace (embedded PostgreSQL in a temp folder).
 * First load = navigation to /dashboard with an empty HTTP cache → every chart of the first screen drawn.
 * Prints the slowest requests of each run, then one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureWebBuild } from '../web/ensure-build.ts';

const flag = (argv: string[], name: string, fallback: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback; };
const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); }).on('error', reject);
});

export async function run(argv: string[]): Promise<void> {
  const contacts = Number(flag(argv, 'contacts', '2000'));
  const runs = Number(flag(argv, 'runs', '3'));
  // `leadloop start` serves web/dist as it is; build it first so a fresh checkout measures the real app.
  await ensureWebBuild((m) => console.log(`[web] ${m}`));
  const given = argv.includes('--data') ? flag(argv, 'data', '') : '';
  const dataDir = given || await mkdtemp(path.join(tmpdir(), 'leadloop-bench-dash-'));
  const [port, pgPort] = [await freePort(), await freePort()];
  const t0 = Date.now();
  const child = spawn(process.execPath, ['bin/leadloop.js', 'start'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEADLOOP_DATA_DIR: dataDir, LEADLOOP_EMBEDDED_PORT: String(pgPort), LEADLOOP_DEMO_CONTACTS: String(contacts), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (/Ready in/.test(out)) resolve(); });
      child.once('exit', (code) => reject(new Error(`leadloop start exited with ${code}:\n${out.slice(-2000)}`)));
    });
    console.log(`server with ${contacts} demo contacts ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const times: number[] = [];
    const baselines: number[] = [];
    let leads = 0;
    try {
      for (let i = 0; i < runs; i++) {
        // A new context each run: empty HTTP cache, so the bundles load too.
        // Baseline in the same run: first load of the login screen (same shell bundle, no data, no charts),
        // so the ratio says what the dashboard itself costs whatever else the machine is doing.
        const blank = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, viewport: { width: 1440, height: 900 } });
        const loginPage = await blank.newPage();
        const b0 = Date.now();
        await loginPage.goto('/login');
        await loginPage.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 60_000 });
        baselines.push(Date.now() - b0);
        await blank.close();

        const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        await page.request.post('/api/v1/auth/login', { data: { email: 'marketing@demo.example', password: process.env.LEADLOOP_DEMO_PASSWORD ?? 'demo' } });
        const start = Date.now();
        await page.goto('/dashboard');
        for (const name of ['Lead waterfall', 'Flow of leads', 'Stage conversion', 'Time to sales-ready', 'Revenue attribution']) {
          await page.getByRole('region', { name }).locator('canvas').first().waitFor({ timeout: 60_000 });
        }
        await page.getByRole('region', { name: 'Source quality' }).getByRole('table').waitFor({ timeout: 60_000 });
        times.push(Date.now() - start);
        const slow = await page.evaluate(() => performance.getEntriesByType('resource')
          .map((e) => ({ name: new URL(e.name).pathname + new URL(e.name).search, ms: Math.round((e as unknown as { responseEnd: number }).responseEnd - e.startTime) }))
          .sort((a, b) => b.ms - a.ms).slice(0, 6).map((e) => `${e.ms} ms ${e.name}`));
        console.log(`run ${i + 1}: ${times[i]} ms (login screen ${baselines[i]} ms); slowest requests:\n  ${slow.join('\n  ')}`);
        if (!leads) {
          const funnel = await (await page.request.get('/api/v1/reports/funnel?from=2000-01-01&by=month')).json() as { rows: { group: string; leads: number }[] };
          leads = funnel.rows.find((r) => r.group === 'total')?.leads ?? 0;
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(JSON.stringify({ bench: 'dashboard', contacts, leads, runs: times, first_load_ms: times[0], median_ms: median(times), login_screen_median_ms: median(baselines), ratio: Number((median(times) / median(baselines)).toFixed(2)) }));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!given) await rm(dataDir, { recursive: true, force: true });
  }
}
