import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApiKey, createAuthService } from '../../src/app/auth.ts';
import { createMailer } from '../../src/app/mailer.ts';
import { createUser, createWorkspace } from '../../src/app/workspaces.ts';
import { createServer } from '../../src/server/create-server.ts';
import { insertUser } from '../../src/storage/users.repo.ts';
import { must, TEST_PASSWORD } from '../helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';

// Every refusal of issue #14 item 4, entered through the public doors (REST API, real SMTP server process).
const ORIGIN = 'http://leadloop.acme.test';
let t: TestDatabase;
let app: FastifyInstance;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let workspaceId: string;
let adminKey: string;
let ip = 0;
const json = (r: LightMyRequestResponse) => r.json() as any;
const countRows = async (_db: unknown, tables: ('contact' | 'app_user')[]) => {
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await t.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  return out;
};

/** A fresh client address per test, so the address throttle of one test does not leak into the next. */
let address = '198.51.100.1';
beforeEach(() => { ip += 1; address = `198.51.100.${ip}`; });

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, headers: { host: 'leadloop.acme.test', ...headers }, payload: { email, password } });

async function session(email: string, password = TEST_PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const r = await login(email, password);
  expect(r.statusCode, r.body).toBe(200);
  return { cookie: r.cookies.find((c) => c.name === 'leadloop_session')!.value, csrf: json(r).csrf_token };
}

/** A request as the browser sends it with the session cookie (host leadloop.acme.test). */
const browser = (method: string, url: string, s: { cookie: string; csrf?: string }, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: method as any, url, remoteAddress: address, cookies: { leadloop_session: s.cookie },
    headers: { host: 'leadloop.acme.test', ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}), ...headers },
    ...(payload !== undefined ? { payload: payload as any } : {}),
  });

async function mailTo(to: string, subject: RegExp): Promise<CaughtMail> {
  for (let i = 0; i < 200; i++) {
    const found = mail.mails.find((m) => m.to.includes(to) && subject.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}; got: ${mail.mails.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')}`);
}
const linkToken = (m: CaughtMail) => /#token=([A-Za-z0-9_-]+)/.exec(m.text)![1]!;

beforeAll(async () => {
  t = await createTestDatabase();
  mail = await startMailCatcher();
  workspaceId = must(await createWorkspace(t.deps, { name: 'Acme Sign-in' })).id;
  for (const [email, role] of [['admin@acme.test', 'admin'], ['sales@acme.test', 'sales'], ['rep@acme.test', 'sales'], ['locked@acme.test', 'sales'], ['changer@acme.test', 'marketing'], ['forgetful@acme.test', 'marketing']] as const) {
    must(await createUser(t.deps, workspaceId, { email, role, password: TEST_PASSWORD }));
  }
  adminKey = must(await createApiKey(t.deps, workspaceId, { name: 'admin', scopes: ['admin'] })).key;
  const auth = createAuthService(t.deps, { sessionTtlHours: 24, mailer: createMailer(mail.url, 'Leadloop <leadloop@acme.test>'), publicUrl: ORIGIN });
  app = await createServer({ app: t.deps, auth, publicUrl: ORIGIN, logLevel: 'silent', sessionTtlHours: 24, secureCookies: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
  await t?.close();
});

describe('CSRF: cookie-authenticated state changes', () => {
  it('a same-site page on another port or a sibling subdomain cannot change anything with the session cookie → 403, nothing written', async () => {
    const s = await session('admin@acme.test');
    const before = await countRows(t.db, ['contact']);
    // What Chromium sends for a form POST from http://leadloop.acme.test:8080 (same site, other origin).
    const otherPort = await browser('POST', '/api/v1/contacts', { cookie: s.cookie }, { email: 'csrf@victim.test' }, { origin: 'http://leadloop.acme.test:8080', 'sec-fetch-site': 'same-site' });
    expect(otherPort.statusCode).toBe(403);
    expect(json(otherPort).error.message).toContain('http://leadloop.acme.test:8080');
    // A sibling subdomain, even with a stolen-looking token header.
    const sibling = await browser('POST', '/api/v1/contacts', s, { email: 'csrf@victim.test' }, { origin: 'http://blog.acme.test', 'sec-fetch-site': 'same-site' });
    expect(sibling.statusCode).toBe(403);
    // Only Sec-Fetch-Site (some requests carry no Origin).
    expect((await browser('POST', '/api/v1/contacts', s, { email: 'csrf@victim.test' }, { 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
    expect(await countRows(t.db, ['contact'])).toEqual(before);
  });

  it('the same origin still needs the session\'s token: missing or foreign token → 403; the web app\'s token → 201', async () => {
    const s = await session('admin@acme.test');
    const other = await session('sales@acme.test');
    const sameOrigin = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' };
    const missing = await browser('POST', '/api/v1/contacts', { cookie: s.cookie }, { email: 'a@b.test' }, sameOrigin);
    expect(missing.statusCode).toBe(403);
    expect(json(missing).error.details).toEqual([{ path: 'headers.x-csrf-token', message: 'missing' }]);
    expect((await browser('POST', '/api/v1/contacts', { cookie: s.cookie, csrf: other.csrf }, { email: 'a@b.test' }, sameOrigin)).statusCode).toBe(403);
    expect((await browser('POST', '/api/v1/contacts', s, { email: 'a@b.test' }, sameOrigin)).statusCode).toBe(201);
    // The token comes with /me too (the web app reads it there after a reload).
    expect(json(await browser('GET', '/api/v1/me', { cookie: s.cookie })).csrf_token).toBe(s.csrf);
    // Reads need no token; API keys need none (no ambient credential).
    expect((await browser('GET', '/api/v1/contacts', { cookie: s.cookie }, undefined, { origin: 'http://evil.test', 'sec-fetch-site': 'cross-site' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { authorization: `Bearer ${adminKey}` }, payload: { email: 'k@b.test' } })).statusCode).toBe(201);
  });

  it('the sign-in form refuses a cross-origin page (login CSRF)', async () => {
    const r = await login('admin@acme.test', TEST_PASSWORD, { origin: 'http://leadloop.acme.test:8080', 'sec-fetch-site': 'same-site' });
    expect(r.statusCode).toBe(403);
    expect(r.cookies.find((c) => c.name === 'leadloop_session')).toBeUndefined();
  });
});

describe('throttling', () => {
  it('the 11th wrong password in a minute → 429 with a retry time; while locked even the right password waits; lockouts grow', async () => {
    for (let i = 1; i <= 10; i++) {
      t.clock.advance(1000);
      expect((await login('locked@acme.test', `wrong-password-${i}`)).statusCode).toBe(401);
    }
    t.clock.advance(1000);
    const eleventh = await login('locked@acme.test', 'wrong-password-11');
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.headers['retry-after']).toBe('60');
    expect(json(eleventh).error.message).toMatch(/Too many failed sign-ins for this account: it is locked until .*Try again in 60 seconds/);
    const right = await login('locked@acme.test', TEST_PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(right.cookies.find((c) => c.name === 'leadloop_session')).toBeUndefined();
    // From another address too: the lock is the account's.
    address = '198.51.100.250';
    expect((await login('locked@acme.test', TEST_PASSWORD)).statusCode).toBe(429);
    // The lockout notice reaches the account's owner.
    const notice = await mailTo('locked@acme.test', /sign-in to your account was paused/);
    expect(notice.text).toContain('/forgot-password');
    // After the lock, ten more wrong ones earn a lock twice as long.
    t.clock.advance(61_000);
    for (let i = 1; i <= 10; i++) expect((await login('locked@acme.test', `again-wrong-${i}`)).statusCode).toBe(401);
    const second = await login('locked@acme.test', 'again-wrong-11');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('120');
    t.clock.advance(121_000);
    expect((await login('locked@acme.test', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('unknown emails are throttled exactly like known ones (no enumeration through lockouts)', async () => {
    for (let i = 1; i <= 10; i++) expect((await login('nobody@acme.test', `wrong-${i}`)).statusCode).toBe(401);
    const r = await login('nobody@acme.test', 'wrong-11');
    expect(r.statusCode).toBe(429);
    expect(json(r).error.message).toContain('for this account');
  });

  it('one address spraying many accounts is paused after 30 attempts in a minute', async () => {
    for (let i = 1; i <= 30; i++) expect((await login(`spray${i}@acme.test`, 'Winter2026!!')).statusCode).toBe(401);
    const r = await login('spray31@acme.test', 'Winter2026!!');
    expect(r.statusCode).toBe(429);
    expect(json(r).error.message).toContain('from your network address');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a burst of parallel guesses is counted before any password is checked: at most 10 get an answer other than 429', async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => login('rep@acme.test', `parallel-${i}`)));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
  });
});

describe('password policy', () => {
  it('the API refuses short and common passwords with what to do', async () => {
    const short = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminKey}` }, payload: { email: 'short@acme.test', role: 'sales', password: 'a' } });
    expect(short.statusCode).toBe(400);
    expect(json(short).error.message).toContain('at least 12');
    expect(json(short).error.details).toEqual([{ path: 'password', message: 'too_short' }]);
    const common = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminKey}` }, payload: { email: 'common@acme.test', role: 'sales', password: 'password1234' } });
    expect(common.statusCode).toBe(400);
    expect(json(common).error.details).toEqual([{ path: 'password', message: 'common' }]);
    expect(await countRows(t.db, ['app_user'])).toEqual({ app_user: 6 });
  });
});

describe('change password', () => {
  it('needs the current password, applies the policy, ends every other session and hands this browser a new one', async () => {
    const here = await session('changer@acme.test');
    const elsewhere = await session('changer@acme.test');
    const change = (body: unknown) => browser('POST', '/api/v1/me/password', here, body, { origin: ORIGIN });
    const wrong = await change({ current_password: 'not-my-password', new_password: 'violet-harbour-tram-77' });
    expect(wrong.statusCode).toBe(400);
    expect(json(wrong).error.details[0].path).toBe('current_password');
    const weak = await change({ current_password: TEST_PASSWORD, new_password: 'qwerty123456' });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).error.details[0].path).toBe('new_password');
    const done = await change({ current_password: TEST_PASSWORD, new_password: 'violet-harbour-tram-77' });
    expect(done.statusCode).toBe(200);
    const fresh = done.cookies.find((c) => c.name === 'leadloop_session')!.value;
    // Every earlier session ended, this one included; the new cookie works.
    expect((await browser('GET', '/api/v1/me', { cookie: elsewhere.cookie })).statusCode).toBe(401);
    expect((await browser('GET', '/api/v1/me', { cookie: here.cookie })).statusCode).toBe(401);
    expect((await browser('GET', '/api/v1/me', { cookie: fresh })).statusCode).toBe(200);
    expect((await login('changer@acme.test', TEST_PASSWORD)).statusCode).toBe(401);
    expect((await login('changer@acme.test', 'violet-harbour-tram-77')).statusCode).toBe(200);
  });
});

describe('reset and invite by email link (real SMTP server)', () => {
  it('forgot password: same answer for unknown and known emails; the emailed link works once, ends sessions', async () => {
    const old = await session('forgetful@acme.test');
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'ghost@acme.test' } });
    const known = await app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'Forgetful@acme.test' } });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(json(unknown).message.replace('ghost', 'x')).toBe(json(known).message.replace('Forgetful', 'x'));
    const m = await mailTo('forgetful@acme.test', /Reset your Leadloop password/);
    expect(m.text).toContain(`${ORIGIN}/reset-password#token=`);
    expect(mail.mails.some((x) => x.to.includes('ghost@acme.test'))).toBe(false);
    const token = linkToken(m);
    // Only the hash is stored.
    const stored = await t.db.selectFrom('user_token').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash).join()).not.toContain(token);

    const weak = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: 'forgetful123' } });
    expect(weak.statusCode).toBe(400);
    const reset = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: 'amber-kettle-sonnet-5' } });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await browser('GET', '/api/v1/me', { cookie: old.cookie })).statusCode).toBe(401);
    expect((await login('forgetful@acme.test', 'amber-kettle-sonnet-5')).statusCode).toBe(200);
    const again = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: 'another-fine-phrase-9' } });
    expect(again.statusCode).toBe(400);
    expect(json(again).error.message).toContain('already used');
  });

  it('a reset link expires after an hour', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'sales@acme.test' } });
    const token = linkToken(await mailTo('sales@acme.test', /Reset your Leadloop password/));
    t.clock.advance(61 * 60_000);
    const late = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: 'amber-kettle-sonnet-5' } });
    expect(late.statusCode).toBe(400);
    expect(json(late).error.message).toContain('expired');
  });

  it('an admin invites by email; the invitee sees the invitation, chooses a password and is signed in; the link then stops working', async () => {
    const invited = await app.inject({ method: 'POST', url: '/api/v1/users/invite', headers: { authorization: `Bearer ${adminKey}` }, payload: { email: 'newbie@acme.test', role: 'marketing', name: 'Nora Newbie' } });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(json(invited)).toMatchObject({ email_sent: true, invite_url: null, user: { email: 'newbie@acme.test', password_set: false } });
    const m = await mailTo('newbie@acme.test', /invited to Leadloop/);
    expect(m.text).toContain('Acme Sign-in');
    const token = linkToken(m);
    // No password yet: nobody can sign in as the invitee.
    expect((await login('newbie@acme.test', '')).statusCode).toBe(400);
    const info = await app.inject({ method: 'POST', url: '/api/v1/auth/invitation', payload: { token } });
    expect(json(info)).toMatchObject({ email: 'newbie@acme.test', role: 'marketing', workspace_name: 'Acme Sign-in' });
    const tooShort = await app.inject({ method: 'POST', url: '/api/v1/auth/accept-invite', payload: { token, password: 'a' } });
    expect(tooShort.statusCode).toBe(400);
    const accepted = await app.inject({ method: 'POST', url: '/api/v1/auth/accept-invite', payload: { token, password: 'meadow-circuit-lantern-3' } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const cookie = accepted.cookies.find((c) => c.name === 'leadloop_session')!.value;
    expect(json(await browser('GET', '/api/v1/me', { cookie })).user).toMatchObject({ email: 'newbie@acme.test', password_set: true });
    const twice = await app.inject({ method: 'POST', url: '/api/v1/auth/accept-invite', payload: { token, password: 'another-meadow-phrase-4' } });
    expect(twice.statusCode).toBe(400);
  });
});

describe('first-run warning', () => {
  it('while an admin keeps the demo password, /me warns; changing it clears the warning', async () => {
    const ws = must(await createWorkspace(t.deps, { name: 'Demo-like', isDemo: true }));
    const { hashPassword } = await import('../../src/app/secrets.ts');
    await insertUser(t.db, ws.id, { email: 'admin@demo-like.test', name: 'Demo Admin', role: 'admin', passwordHash: await hashPassword('demo'), passwordIsDemo: true });
    const s = await session('admin@demo-like.test', 'demo');
    const me = json(await browser('GET', '/api/v1/me', s));
    expect(me.warnings).toEqual([{ code: 'demo_password', message: expect.stringContaining('demo password') }]);
    const changed = await browser('POST', '/api/v1/me/password', s, { current_password: 'demo', new_password: 'granite-willow-parade-8' }, { origin: ORIGIN });
    expect(changed.statusCode).toBe(200);
    const fresh = { cookie: changed.cookies.find((c) => c.name === 'leadloop_session')!.value };
    expect(json(await browser('GET', '/api/v1/me', fresh)).warnings).toEqual([]);
  });
});

describe('audit log', () => {
  it('records lockouts, invitations, accepted invitations, password changes and resets (never a secret)', async () => {
    const rows = (await t.pool.query(`SELECT action, object_id, actor_kind, actor_label, after::text AS after, ip FROM audit_log ORDER BY at, id`)).rows as { action: string; actor_kind: string; after: string; ip: string | null }[];
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ['user.sign_in_locked', 'user.invited', 'user.invite_accepted', 'user.password_changed', 'user.password_reset']) expect(actions).toContain(action);
    const lock = rows.find((r) => r.action === 'user.sign_in_locked')!;
    expect(lock.after).toContain('locked@acme.test');
    expect(lock.ip).toMatch(/^198\.51\.100\./);
    const changed = rows.find((r) => r.action === 'user.password_changed')!;
    expect(changed.actor_kind).toBe('user');
    const text = JSON.stringify(rows);
    for (const secret of [TEST_PASSWORD, 'violet-harbour-tram-77', 'amber-kettle-sonnet-5', 'meadow-circuit-lantern-3', 'scrypt$']) expect(text).not.toContain(secret);
  });
});
