import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';

/**
 * Connecting Salesforce with the OAuth 2.0 web-server flow (authorization code + PKCE) through the
 * REST doors a browser uses: the admin's session starts it, the Salesforce simulation's login and
 * consent page is answered like a browser would, and the callback is posted back with the session.
 * The state is bound to the session and single use; the refresh token is stored encrypted and every
 * sync exchanges it for a fresh access token. Salesforce here is a local SIMULATION
 * (test/conformance/salesforce-server.ts) implementing /services/oauth2/authorize and /token per
 * Salesforce's documentation; the token exchange goes through jsforce's OAuth2 client.
 */
let t: TestApp;
let sf: SalesforceConformance;
const SECRET = randomBytes(32).toString('base64');
const CONSUMER_SECRET = 'F0E1D2C3B4A5968778695A4B3C2D1E0F';
const HOST = 'leadloop.acme.test';
const CALLBACK = `http://${HOST}/settings/integrations`;
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
type Session = { cookie: string; csrf: string };
let admin: Session;

async function login(email: string, ip: string): Promise<Session> {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, headers: { host: HOST }, payload: { email, password: TEST_PASSWORD } });
  expect(r.statusCode, r.body).toBe(200);
  return { cookie: r.cookies.find((c) => c.name === 'leadloop_session')!.value, csrf: (r.json() as { csrf_token: string }).csrf_token };
}
const asBrowser = (s: Session, method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({
  method, url, cookies: { leadloop_session: s.cookie }, headers: { host: HOST, 'x-csrf-token': s.csrf }, ...(payload !== undefined ? { payload: payload as object } : {}),
});
const authorize = (s: Session) => asBrowser(s, 'POST', '/api/v1/integrations/salesforce/authorize', { login_url: sf.url, client_id: 'leadloop-web', client_secret: CONSUMER_SECRET });
/** What the admin's browser does on Salesforce's page: sign in, then Allow (or Deny). */
async function consent(authorizeUrl: string, decision: 'allow' | 'deny', username = 'admin@acme.sf'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Allow Access?');
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_x, c: string) => String.fromCharCode(Number(c)))]));
  const answer = await fetch(new URL('/services/oauth2/authorize', sf.url), {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, username, password: 'correct horse', decision }).toString(),
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location')!);
}
const callbackOf = (back: URL) => Object.fromEntries(back.searchParams.entries());

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  sf = await startSalesforceConformance({
    clientId: 'leadloop-web', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    users: [{ Username: 'admin@acme.sf', Email: 'admin@acme.test', Name: 'Sales Ops Admin' }],
    webApp: { clientSecret: CONSUMER_SECRET, callbackUrls: [CALLBACK] },
  });
  admin = await login('admin@acme.test', '203.0.113.10');
}, 60_000);
afterAll(async () => { await sf?.close(); await t?.close(); });

describe('Salesforce OAuth 2.0 web-server flow (authorization code + PKCE)', () => {
  it('runs in the web app only: an API key cannot start it', async () => {
    const r = await t.api('POST', '/api/v1/integrations/salesforce/authorize', { login_url: sf.url, client_id: 'leadloop-web', client_secret: CONSUMER_SECRET });
    expect(r.statusCode, r.body).toBe(403);
    expect(JSON.parse(r.body).error.message).toContain('POST /api/v1/integrations/salesforce/connect');
  });

  it('the authorize URL asks for a code with PKCE (S256) and an unguessable state, back to Settings › Integrations', async () => {
    const r = await authorize(admin);
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json() as { authorize_url: string; redirect_uri: string };
    expect(body.redirect_uri).toBe(CALLBACK);
    const u = new URL(body.authorize_url);
    expect(`${u.origin}${u.pathname}`).toBe(`${sf.url}/services/oauth2/authorize`);
    expect(Object.fromEntries(u.searchParams)).toMatchObject({ response_type: 'code', client_id: 'leadloop-web', redirect_uri: CALLBACK, code_challenge_method: 'S256', scope: 'api refresh_token' });
    expect(u.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Nothing secret is stored in the clear: the state only as a hash, the verifier and consumer secret sealed.
    const rows = (await t.pool.query('SELECT * FROM crm_oauth_request')).rows as { state_hash: string; sealed: string }[];
    expect(JSON.stringify(rows)).not.toContain(u.searchParams.get('state')!);
    expect(JSON.stringify(rows)).not.toContain(CONSUMER_SECRET);
  });

  it('a denied consent connects nothing and says why', async () => {
    const back = await consent((await authorize(admin)).json().authorize_url, 'deny');
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    const r = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', callbackOf(back));
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.message).toContain('Salesforce did not grant access (access_denied: end-user denied authorization)');
    expect((await t.api('GET', '/api/v1/integrations')).json().data).toEqual([]);
  });

  it('a callback carried to another session is refused and does not use up the admin\'s sign-in', async () => {
    const back = await consent((await authorize(admin)).json().authorize_url, 'allow');
    const other = await login('admin@acme.test', '203.0.113.11');
    const stolen = await asBrowser(other, 'POST', '/api/v1/integrations/salesforce/callback', callbackOf(back));
    expect(stolen.statusCode, stolen.body).toBe(403);
    expect(stolen.json().error.message).toContain('started in another browser session');

    const r = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', callbackOf(back));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ provider: 'salesforce', status: 'active', account: 'admin@acme.sf', settings: { flow: 'web_server', instance_url: sf.url } });
    // The same code and state again: single use.
    const replay = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', callbackOf(back));
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.message).toContain('unknown or was already used');
  });

  it('the refresh token is stored encrypted; each sync signs in with it; the connection is audited without secrets', async () => {
    const stored = (await t.pool.query("SELECT credentials FROM crm_connection WHERE provider = 'salesforce'")).rows[0].credentials as string;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('5Aep');
    expect(stored).not.toContain(CONSUMER_SECRET);
    const before = sf.requests.filter((q) => q.path === '/services/oauth2/token').length;
    const r = await t.api('POST', '/api/v1/integrations/salesforce/sync', { dry_run: true });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().outcome).toBe('ok');
    expect(sf.requests.filter((q) => q.path === '/services/oauth2/token').length).toBe(before + 1);
    const audit = (await t.api('GET', '/api/v1/audit-log?object_type=crm_connection')).json().data as { action: string; after: unknown; actor: { kind: string } }[];
    expect(audit.map((a) => a.action)).toEqual(['integration.connected']);
    expect(audit[0]!.actor.kind).toBe('user');
    expect(JSON.stringify(audit)).not.toMatch(/5Aep|F0E1D2C3/);
  });

  it('an access revoked in Salesforce pauses the connector with Salesforce\'s words; connecting again resumes it', async () => {
    sf.revokeRefreshTokens();
    const r = (await t.api('POST', '/api/v1/integrations/salesforce/sync', {})).json();
    expect(r.outcome).toBe('paused');
    expect(r.message).toContain('Salesforce refused the stored credentials (invalid_grant: expired access/refresh token)');
    const back = await consent((await authorize(admin)).json().authorize_url, 'allow');
    expect((await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', callbackOf(back))).statusCode).toBe(201);
    expect((await t.api('GET', '/api/v1/integrations')).json().data[0]).toMatchObject({ status: 'active', paused_reason: null });
    expect((await t.api('POST', '/api/v1/integrations/salesforce/sync', {})).json().outcome).toBe('ok');
  });

  it('bad callbacks answer 400 with what to do, and write nothing', async () => {
    const unknown = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', { state: 'made-up', code: 'x' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'ValidationFailed', details: [{ path: 'body.state' }] });
    const empty = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', { code: 'x' });
    expect(empty.statusCode).toBe(400);
    // A code Salesforce does not know (forged, or already exchanged).
    const u = new URL((await authorize(admin)).json().authorize_url);
    const forged = await asBrowser(admin, 'POST', '/api/v1/integrations/salesforce/callback', { state: u.searchParams.get('state')!, code: 'aPrxforged' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.message).toContain('Salesforce refused the sign-in (invalid_grant): authentication failure');
  });
});
