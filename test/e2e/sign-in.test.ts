import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { systemClock } from '../../src/app/context.ts';
import { createMailer } from '../../src/app/mailer.ts';
import { createOidcService } from '../../src/app/oidc.ts';
import { createServer } from '../../src/server/create-server.ts';
import { insertUser } from '../../src/storage/users.repo.ts';
import { hashPassword } from '../../src/app/secrets.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';
import { OIDC_CLIENT, startOidcProvider } from '../helpers/oidc-provider.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { PASSWORD, seedWebWorkspace } from './seed-web.ts';
import { dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot } from './web-server.ts';

if (!hasChromium) console.log('[e2e] chromium missing: the sign-in journeys are skipped.');

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.skipIf(!hasChromium)('sign-in journeys (Chromium, real OpenID provider, real SMTP server)', () => {
  let db: TestDatabase;
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let seed: Awaited<ReturnType<typeof seedWebWorkspace>>;
  const { dialogs, watch } = dialogWatcher();

  async function mailTo(to: string, subject: RegExp): Promise<CaughtMail> {
    for (let i = 0; i < 200; i++) {
      const found = mail.mails.find((m) => m.to.includes(to) && subject.test(m.subject));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no mail to ${to} matching ${subject}`);
  }
  const linkIn = (m: CaughtMail) => /(http:\/\/\S+#token=[A-Za-z0-9_-]+)/.exec(m.text)![1]!;
  const newPage = async (): Promise<Page> => watch(await (await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } })).newPage());

  beforeAll(async () => {
    db = await createTestDatabase({ clock: systemClock });
    seed = await seedWebWorkspace(db.deps, { contacts: 4 });
    mail = await startMailCatcher();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(`${baseUrl}/api/v1/auth/oidc/callback`);
    const oidc = createOidcService({ issuer: provider.issuer, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret, name: 'Acme SSO', redirectUri: `${baseUrl}/api/v1/auth/oidc/callback` });
    const auth = createAuthService(db.deps, { sessionTtlHours: 24, mailer: createMailer(mail.url, 'Leadloop <leadloop@web.test>'), publicUrl: baseUrl });
    server = await createServer({ app: db.deps, auth, publicUrl: baseUrl, logLevel: 'silent', sessionTtlHours: 24, secureCookies: false, oidc });
    await server.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
    await mail?.close();
    await db?.close();
  });

  it('OIDC: login page → provider → back signed in, matched by verified email', async () => {
    const page = await newPage();
    await page.goto('/inbox');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in-login');
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    // The provider's own sign-in screen (another site: localhost, not 127.0.0.1).
    await page.waitForURL(/localhost/);
    await page.locator('input[name="login"]').fill('sales@web.test');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/inbox');
    expect(await page.locator('.topbar-user').textContent()).toContain(seed.users.sales.name);
    // The session works for state changes too (CSRF token from /me).
    const status = await page.evaluate(async () => (await fetch('/api/v1/auth/logout', { method: 'POST' })).status);
    expect(status).toBe(204);
  });

  it('OIDC: an unverified email, or one without a user, comes back to the login page with the reason', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.locator('input[name="login"]').fill('unverified-sales@web.test');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'has not verified' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
    const stranger = await newPage();
    await stranger.goto('/login');
    await stranger.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await stranger.locator('input[name="login"]').fill('stranger@elsewhere.test');
    await stranger.locator('input[name="password"]').fill('anything');
    await stranger.getByRole('button', { name: 'Sign-in' }).click();
    await stranger.getByRole('button', { name: 'Continue' }).click();
    await stranger.getByRole('alert').filter({ hasText: 'No Leadloop user has the email stranger@elsewhere.test' }).waitFor();
    await screenshot(stranger, 'sign-in-sso-refused');
  });

  it('a same-site page on another port cannot import contacts with the session cookie (real browser, multipart no-cors POST) → 403', async () => {
    const page = await loginAs(browser, baseUrl, 'admin@web.test');
    const count = async () => (await db.pool.query('SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM import_run) AS n')).rows[0].n as string;
    const before = await count();
    // A page of 127.0.0.1 on another port (the same site for SameSite cookies) uploads a CSV to Leadloop:
    // a "simple" cross-origin request, which browsers send with cookies and without a preflight.
    const attacker = await import('node:http').then((h) => h.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<script>
        const form = new FormData();
        form.append('entity', 'contacts');
        form.append('file', new Blob(['email,first_name\\ncsrf@victim.test,Mallory\\n'], { type: 'text/csv' }), 'contacts.csv');
        fetch('${baseUrl}/api/v1/imports', { method: 'POST', mode: 'no-cors', credentials: 'include', body: form })
          .finally(() => { document.title = 'sent'; });
      </script>`);
    }));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    const answers: (number | 'blocked')[] = [];
    page.on('response', (r) => { if (r.url() === `${baseUrl}/api/v1/imports`) answers.push(r.status()); });
    // Cross-Origin-Resource-Policy: same-origin (helmet) makes Chromium withhold the answer from the other origin.
    page.on('requestfailed', (r) => { if (r.url() === `${baseUrl}/api/v1/imports`) answers.push('blocked'); });
    await page.goto(attackerUrl);
    await page.waitForFunction('document.title === "sent"');
    attacker.close();
    expect(answers).toHaveLength(1);
    expect([403, 'blocked']).toContain(answers[0]);
    expect(await count()).toBe(before);
    // What the server answered that request: the same POST with the browser's cross-origin headers and the cookie → 403.
    const replayed = await page.request.post('/api/v1/imports', {
      headers: { origin: attackerUrl.slice(0, -1), 'sec-fetch-site': 'same-site' },
      multipart: { entity: 'contacts', file: { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from('email,first_name\ncsrf@victim.test,Mallory\n') } },
    });
    expect(replayed.status()).toBe(403);
    expect(await count()).toBe(before);
    // Back in Leadloop the session still works.
    await page.goto(`${baseUrl}/inbox`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('the 11th wrong password in a minute shows the lockout notice with the time to retry; the right one waits too', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill('sales2@web.test');
    for (let i = 1; i <= 10; i++) {
      await page.getByLabel('Password').fill(`not-the-password-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Email or password is wrong.' }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    }
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /Sign-in paused\. Too many failed sign-ins for this account: it is locked until .* Try again in \d+ seconds/ }).waitFor();
    await screenshot(page, 'sign-in-lockout-notice');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('forgot password → email over SMTP → reset page → sign in with the new password', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('marketing@web.test');
    await screenshot(page, 'sign-in-forgot-password');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
    const link = linkIn(await mailTo('marketing@web.test', /Reset your Leadloop password/));
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await page.getByLabel('Repeat the new password').fill('password1234');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'most common passwords' }).waitFor();
    await screenshot(page, 'sign-in-reset-password');
    await page.getByLabel('New password', { exact: true }).fill('saffron-glacier-piano-61');
    await page.getByLabel('Repeat the new password').fill('saffron-glacier-piano-61');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    await page.getByLabel('Email').fill('marketing@web.test');
    await page.getByLabel('Password').fill('saffron-glacier-piano-61');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('an admin invites a user in Settings; the invitee accepts by the emailed link and is signed in', async () => {
    const admin = watch(await loginAs(browser, baseUrl, 'admin@web.test'));
    await admin.goto('/settings/users');
    const form = admin.getByRole('form', { name: 'Invite user' });
    await form.getByLabel('Email').fill('newcomer@web.test');
    await form.getByLabel('Name').fill('Nia Newcomer');
    await form.getByLabel('Role').selectOption('marketing');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await admin.getByRole('status').filter({ hasText: 'Invitation sent to newcomer@web.test' }).waitFor();
    await admin.getByRole('row', { name: /newcomer@web\.test/ }).getByText('invited').waitFor();
    await screenshot(admin, 'sign-in-invite-user');

    const link = linkIn(await mailTo('newcomer@web.test', /invited to Leadloop/));
    const invitee = await newPage();
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    await invitee.getByText('Join Web Test').waitFor().catch(() => undefined);
    await invitee.getByLabel('Password', { exact: true }).fill('harbor-lilac-compass-19');
    await invitee.getByLabel('Repeat the password').fill('harbor-lilac-compass-19');
    await screenshot(invitee, 'sign-in-accept-invite');
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    await invitee.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await invitee.locator('.topbar-user').textContent()).toContain('Nia Newcomer');
  });

  it('the demo admin sees the first-run warning until the password is changed on the account screen; other sessions end', async () => {
    const ws = seed.workspace.id;
    await insertUser(db.db, ws, { email: 'demo-admin@web.test', name: 'Demo Admin', role: 'admin', passwordHash: await hashPassword('demo'), passwordIsDemo: true });
    const signIn = async () => {
      const page = await newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill('demo-admin@web.test');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      return page;
    };
    const other = await signIn();
    const page = await signIn();
    await page.getByRole('alert').filter({ hasText: 'You still sign in with the demo password' }).waitFor();
    await screenshot(page, 'sign-in-demo-password-warning');
    await page.getByRole('alert').getByRole('link', { name: 'Change your password' }).click();
    await page.getByLabel('Current password').fill('demo');
    await page.getByLabel('New password', { exact: true }).fill('cobalt-meadow-tundra-27');
    await page.getByLabel('Repeat the new password').fill('cobalt-meadow-tundra-27');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    await screenshot(page, 'sign-in-change-password');
    expect(await page.getByRole('alert').filter({ hasText: 'demo password' }).count()).toBe(0);
    // The other browser's session ended: its next request lands on the login page.
    await other.reload();
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    // This browser keeps working, state changes included.
    await page.goto('/settings/users');
    await page.getByRole('form', { name: 'Invite user' }).waitFor();
    expect(PASSWORD).not.toBe('cobalt-meadow-tundra-27');
    expect(dialogs).toEqual([]);
  });
});
