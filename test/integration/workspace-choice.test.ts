import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createAuthService } from '../../src/app/auth.ts';
import { createUser, createWorkspace, type NewUserInput } from '../../src/app/workspaces.ts';
import { createServer } from '../../src/server/create-server.ts';
import { must, TEST_PASSWORD } from '../helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

// Issue #17 item 5: a login that asks which workspace when an email exists in several, and the switcher.
let t: TestDatabase;
let app: FastifyInstance;
const ws: Record<string, string> = {};
const json = (r: LightMyRequestResponse) => r.json() as any;
const headers = { host: 'leadloop.acme.test' };
const login = (payload: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '198.51.100.77', headers, payload });
const asBrowser = (method: string, url: string, s: { cookie: string; csrf: string }, payload?: unknown) => app.inject({
  method: method as any, url, cookies: { leadloop_session: s.cookie }, headers: { ...headers, 'x-csrf-token': s.csrf }, ...(payload !== undefined ? { payload: payload as any } : {}),
});
const sessionOf = (r: LightMyRequestResponse) => ({ cookie: r.cookies.find((c) => c.name === 'leadloop_session')!.value, csrf: json(r).csrf_token as string });

beforeAll(async () => {
  t = await createTestDatabase();
  for (const name of ['Northwind', 'Contoso', 'Fabrikam']) ws[name] = must(await createWorkspace(t.deps, { name })).id;
  const mk = (w: string, input: NewUserInput) => createUser(t.deps, ws[w]!, input).then(must);
  await mk('Northwind', { email: 'sam@multi.test', role: 'sales', password: TEST_PASSWORD, name: 'Sam' });
  await mk('Contoso', { email: 'sam@multi.test', role: 'marketing', password: TEST_PASSWORD, name: 'Sam' });
  // Same email, another password: the sign-in does not prove this one, so the switcher never offers it.
  await mk('Fabrikam', { email: 'sam@multi.test', role: 'admin', password: 'other-secret-harbor-77', name: 'Sam F' });
  app = await createServer({ app: t.deps, auth: createAuthService(t.deps, { sessionTtlHours: 24 }), publicUrl: 'http://leadloop.acme.test', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false });
  await app.ready();
});
afterAll(async () => { await app?.close(); await t?.close(); });

describe('sign-in with an email in several workspaces', () => {
  it('asks which workspace instead of picking the first, and lists only those the password opens', async () => {
    const r = await login({ email: 'sam@multi.test', password: TEST_PASSWORD });
    expect(r.statusCode).toBe(409);
    expect(r.cookies.find((c) => c.name === 'leadloop_session')).toBeUndefined();
    expect(json(r).workspaces.map((w: { name: string; role: string }) => `${w.name}:${w.role}`)).toEqual(['Contoso:marketing', 'Northwind:sales']);
    expect((await login({ email: 'sam@multi.test', password: 'wrong-password-here' })).statusCode).toBe(401);
    // Naming a workspace the password does not open is the same refusal as a wrong password.
    expect((await login({ email: 'sam@multi.test', password: TEST_PASSWORD, workspace_id: ws.Fabrikam! })).statusCode).toBe(401);
  });

  it('signs in to the chosen workspace and switches to the other without the password again', async () => {
    const first = await login({ email: 'sam@multi.test', password: TEST_PASSWORD, workspace_id: ws.Contoso! });
    expect(first.statusCode).toBe(200);
    const s = sessionOf(first);
    const listed = json(await asBrowser('GET', '/api/v1/me/workspaces', s)).data;
    expect(listed.map((w: { name: string; current: boolean }) => `${w.name}${w.current ? '*' : ''}`)).toEqual(['Contoso*', 'Northwind']);
    // One at a time (key1 cursor, paged in memory by name): the same two, then no further page.
    const one = json(await asBrowser('GET', '/api/v1/me/workspaces?limit=1', s));
    expect(one.data.map((w: { name: string }) => w.name)).toEqual(['Contoso']);
    const two = json(await asBrowser('GET', `/api/v1/me/workspaces?limit=1&cursor=${encodeURIComponent(one.next_cursor)}`, s));
    expect([two.data.map((w: { name: string }) => w.name), two.next_cursor]).toEqual([['Northwind'], null]);
    expect((await asBrowser('POST', '/api/v1/me/workspace', s, { workspace_id: ws.Fabrikam })).statusCode).toBe(403);
    const switched = await asBrowser('POST', '/api/v1/me/workspace', s, { workspace_id: ws.Northwind });
    expect(switched.statusCode, switched.body).toBe(200);
    const s2 = sessionOf(switched);
    const me = json(await asBrowser('GET', '/api/v1/me', s2));
    expect([me.workspace_id, me.user.role]).toEqual([ws.Northwind, 'sales']);
    // The old session ended; the new one can switch back.
    expect((await asBrowser('GET', '/api/v1/me', s)).statusCode).toBe(401);
    expect(json(await asBrowser('GET', '/api/v1/me/workspaces', s2)).data.map((w: { name: string }) => w.name)).toEqual(['Contoso', 'Northwind']);
    expect((await asBrowser('POST', '/api/v1/me/workspace', s2, { workspace_id: ws.Contoso })).statusCode).toBe(200);
  });

  it('refuses a switch without the CSRF token and an API key switching', async () => {
    const s = sessionOf(await login({ email: 'sam@multi.test', password: TEST_PASSWORD, workspace_id: ws.Contoso! }));
    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/me/workspace', cookies: { leadloop_session: s.cookie }, headers, payload: { workspace_id: ws.Northwind } });
    expect(noCsrf.statusCode).toBe(403);
    expect((await asBrowser('POST', '/api/v1/me/workspace', s, { workspace_id: 'nope' })).statusCode).toBe(400);
  });
});
