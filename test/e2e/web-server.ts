import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAuthService } from '../../src/app/auth.ts';
import { systemClock } from '../../src/app/context.ts';
import { createServer, type ServerDeps } from '../../src/server/create-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { PASSWORD, seedWebWorkspace } from './seed-web.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] ${CHROMIUM} not found: browser tests are skipped (apt-get install chromium; CI installs it).`);

export const screenshotDir = path.resolve('test-artifacts/screenshots');

export type WebServer = TestDatabase & { server: FastifyInstance; baseUrl: string; seed: Awaited<ReturnType<typeof seedWebWorkspace>> };

/** A real Leadloop server on 127.0.0.1:<free port> over a fresh test database, serving the built web app. */
export async function startWebServer(contacts = 28, serverDeps: Partial<ServerDeps> = {}): Promise<WebServer> {
  // The real clock: session cookies expire in browser time, which a simulated clock would not match.
  const db = await createTestDatabase({ clock: systemClock });
  const seed = await seedWebWorkspace(db.deps, { contacts });
  const auth = createAuthService(db.deps, { sessionTtlHours: 24 });
  const server = await createServer({ app: db.deps, auth, publicUrl: 'http://127.0.0.1', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false, ...serverDeps });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { ...db, server, seed, baseUrl: `http://127.0.0.1:${port}`, close: async () => { await server.close(); await db.close(); } };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh browser context (own cookies) logged in through the login form. */
export async function loginAs(browser: Browser, baseUrl: string, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Records every alert/confirm/prompt a page opens (and dismisses it): any dialog in a journey means
 * lead- or user-supplied text was executed somewhere, so journeys end with `expect(dialogs).toEqual([])`.
 */
export function dialogWatcher(): { dialogs: string[]; watch: (page: Page) => Page } {
  const dialogs: string[] = [];
  const watch = (page: Page) => {
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    return page;
  };
  return { dialogs, watch };
}

/**
 * The CSRF header a signed-in page's own state-changing requests need (the web app sends it; a test
 * posting through `page.request` with the session cookie must too).
 */
export async function csrfHeaders(page: Page): Promise<Record<string, string>> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrf_token: string };
  return { 'x-csrf-token': me.csrf_token };
}
