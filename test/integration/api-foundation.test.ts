import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { createApiKey } from '../../src/app/auth.ts';
import { createTestApp, must, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const json = (r: { body: string }) => JSON.parse(r.body);

describe('system endpoints', () => {
  it('health answers ok without auth', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(r.statusCode).toBe(200);
    expect(json(r)).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('the OpenAPI 3.1 document lists every foundation route', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = json(r);
    expect(doc.openapi).toMatch(/^3\.1/);
    const expected: Record<string, string[]> = {
      '/api/v1/contacts': ['get', 'post'], '/api/v1/contacts/{id}': ['get', 'patch'], '/api/v1/contacts/{id}/activities': ['get'],
      '/api/v1/accounts': ['get', 'post'], '/api/v1/accounts/{id}': ['get'], '/api/v1/leads': ['get', 'post'], '/api/v1/leads/{id}': ['get'],
      '/api/v1/leads/{id}/transitions': ['get', 'post'], '/api/v1/campaigns': ['get', 'post'], '/api/v1/content': ['get', 'post'],
      '/api/v1/opportunities': ['get', 'post'], '/api/v1/opportunities/{id}': ['get', 'patch'], '/api/v1/health': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const m of methods) expect(doc.paths[path]?.[m], `${m} ${path}`).toBeDefined();
    }
  });

  it('unknown routes get the one error shape', async () => {
    const r = await t.api('GET', '/api/v1/nope');
    expect(r.statusCode).toBe(404);
    expect(json(r).error).toMatchObject({ code: 'RouteNotFound' });
  });
});

describe('authentication and scopes', () => {
  it('refuses a missing or unknown key with 401', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/contacts' });
    expect(none.statusCode).toBe(401);
    expect(json(none).error.code).toBe('Unauthenticated');
    const bad = await t.api('GET', '/api/v1/contacts', undefined, 'll_nope_nope');
    expect(bad.statusCode).toBe(401);
  });

  it('an ingest-scoped key is refused on reads with 403', async () => {
    const r = await t.api('GET', '/api/v1/contacts', undefined, t.keys.ingest);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toContain("needs the 'read' permission");
  });

  it('a read key cannot write; a write key cannot administer', async () => {
    expect((await t.api('POST', '/api/v1/contacts', { email: 'x@y.com' }, t.keys.read)).statusCode).toBe(403);
    expect((await t.api('POST', '/api/v1/api-keys', { name: 'k', scopes: ['read'] }, t.keys.write)).statusCode).toBe(403);
  });

  it('a personal key acts as its user, limited by the role', async () => {
    const viewer = must(await (await import('../../src/app/workspaces.ts')).createUser(t.deps, t.workspace.id, { email: 'viewer@acme.test', role: 'viewer' }));
    const key = await t.newKey(['admin'], viewer.id);
    const me = json(await t.api('GET', '/api/v1/me', undefined, key));
    expect(me.user.email).toBe('viewer@acme.test');
    expect(me.permissions).toEqual(['read']);
    expect((await t.api('POST', '/api/v1/contacts', { email: 'v@y.com' }, key)).statusCode).toBe(403);
  });

  it('users log in with a password and get a session cookie', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'sales@acme.test', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    const good = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'SALES@acme.test ', password: TEST_PASSWORD } });
    expect(good.statusCode).toBe(200);
    const cookie = good.cookies.find((c) => c.name === 'leadloop_session')!;
    expect(cookie.httpOnly).toBe(true);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { leadloop_session: cookie.value } });
    expect(json(me).user.role).toBe('sales');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { leadloop_session: cookie.value } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { leadloop_session: cookie.value } })).statusCode).toBe(401);
  });

  it('revoked keys stop working', async () => {
    const created = json(await t.api('POST', '/api/v1/api-keys', { name: 'temp', scopes: ['read'] }));
    expect((await t.api('GET', '/api/v1/contacts', undefined, created.key)).statusCode).toBe(200);
    expect((await t.api('DELETE', `/api/v1/api-keys/${created.id}`)).statusCode).toBe(200);
    expect((await t.api('GET', '/api/v1/contacts', undefined, created.key)).statusCode).toBe(401);
    const list = json(await t.api('GET', '/api/v1/api-keys'));
    expect(JSON.stringify(list)).not.toContain(created.key);
  });
});

describe('bad input gets a precise error and writes nothing', () => {
  it('malformed JSON', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' }, payload: '{"email": "a@b.com",' });
    expect(r.statusCode).toBe(400);
    expect(json(r).error.code).toBe('MalformedJson');
  });

  it('unknown fields and wrong types name the path', async () => {
    const r = await t.api('POST', '/api/v1/contacts', { email: 'a@b.com', favourite_colour: 'blue', employee_count: 'x' });
    expect(r.statusCode).toBe(400);
    const err = json(r).error;
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('favourite_colour');
    const typed = await t.api('POST', '/api/v1/accounts', { name: 'Acme', employee_count: 'many' });
    expect(json(typed).error.details[0].path).toBe('body.employee_count');
  });

  it('an invalid email is refused and no contact is created', async () => {
    const r = await t.api('POST', '/api/v1/contacts', { email: 'not-an-email' });
    expect(r.statusCode).toBe(400);
    const list = json(await t.api('GET', '/api/v1/contacts?email=not-an-email'));
    expect(list.data).toEqual([]);
  });

  it("another workspace's ids are not found", async () => {
    const other = must(await createWorkspace(t.deps, { name: 'Other Co' }));
    const otherKey = must(await createApiKey(t.deps, other.id, { name: 'k', scopes: ['admin'] })).key;
    const c = json(await t.api('POST', '/api/v1/contacts', { email: 'secret@acme-corp.com' }));
    expect((await t.api('GET', `/api/v1/contacts/${c.id}`, undefined, otherKey)).statusCode).toBe(404);
    const lead = await t.api('POST', '/api/v1/leads', { contact_id: c.id }, otherKey);
    expect(lead.statusCode).toBe(400);
    expect(json(lead).error.details[0].path).toBe('contact_id');
  });
});

describe('contacts, accounts and the catalogue', () => {
  it('creates a contact, normalizes the email, matches the account by domain, paginates', async () => {
    const acc = json(await t.api('POST', '/api/v1/accounts', { name: 'Globex', domain: 'https://www.Globex.com/about', industry: 'Software', employee_count: 500 }));
    expect(acc.domain).toBe('globex.com');
    const c = json(await t.api('POST', '/api/v1/contacts', { email: '  Jane.Doe@GLOBEX.com ', first_name: 'Jane', title: 'VP Marketing' }));
    expect(c.email).toBe('jane.doe@globex.com');
    expect(c.account_id).toBe(acc.id);
    const dup = await t.api('POST', '/api/v1/contacts', { email: 'jane.doe@globex.com' });
    expect(dup.statusCode).toBe(409);
    const free = json(await t.api('POST', '/api/v1/contacts', { email: 'someone@gmail.com' }));
    expect(free.account_id).toBeNull();
    const patched = json(await t.api('PATCH', `/api/v1/contacts/${c.id}`, { attributes: { plan: 'pro', seats: 12 } }));
    expect(patched.attributes).toEqual({ plan: 'pro', seats: 12 });
    for (let i = 0; i < 5; i++) await t.api('POST', '/api/v1/contacts', { email: `p${i}@globex.com` });
    const first = json(await t.api('GET', '/api/v1/contacts?limit=3'));
    expect(first.data).toHaveLength(3);
    const second = json(await t.api('GET', `/api/v1/contacts?limit=3&cursor=${first.next_cursor}`));
    const ids = new Set([...first.data, ...second.data].map((x: { id: string }) => x.id));
    expect(ids.size).toBe(first.data.length + second.data.length);
  });

  it('creates campaigns with costs and content assets', async () => {
    const camp = await t.api('POST', '/api/v1/campaigns', { name: 'Q1 Search', channel: 'paid_search', utm_source: 'google', costs: [{ period_start: '2026-01-01', amount: 5000 }] });
    expect(camp.statusCode).toBe(201);
    expect(json(await t.api('GET', `/api/v1/campaigns/${json(camp).id}`)).costs).toEqual([{ period_start: '2026-01-01', amount: 5000, currency: 'USD' }]);
    const content = await t.api('POST', '/api/v1/content', { title: 'Pricing', url: 'https://x.example/pricing', buying_stage: 'evaluation' });
    expect(content.statusCode).toBe(201);
    expect((await t.api('POST', '/api/v1/content', { title: 'Pricing again', url: 'https://x.example/pricing' })).statusCode).toBe(409);
  });
});

describe('the lead lifecycle through the API', () => {
  async function newLead(email: string) {
    const c = json(await t.api('POST', '/api/v1/contacts', { email }));
    const r = await t.api('POST', '/api/v1/leads', { contact_id: c.id });
    expect(r.statusCode).toBe(201);
    return json(r);
  }
  const move = (id: string, body: object, key?: string) => t.api('POST', `/api/v1/leads/${id}/transitions`, body, key);

  it('walks inquiry → mql → sal → sql → opportunity → won with the full history', async () => {
    const salesKey = await t.newKey(['write'], t.users.sales.id);
    const lead = await newLead('walker@initech.com');
    expect(lead.stage).toBe('inquiry');
    // Marking sales-ready is marketing's move; the rest is the (unowned lead's) rep's.
    const marketingKey = await t.newKey(['write'], t.users.marketing.id);
    for (const to of ['mql', 'sal', 'sql', 'opportunity', 'won']) {
      const r = await move(lead.id, { to, note: `to ${to}` }, to === 'mql' ? marketingKey : salesKey);
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).lead.stage).toBe(to);
    }
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history.map((h: { to: string }) => h.to)).toEqual(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won']);
    expect(history[2]).toMatchObject({ from: 'mql', to: 'sal', actor: { type: 'user', id: t.users.sales.id }, note: 'to sal' });
    const final = json(await t.api('GET', `/api/v1/leads/${lead.id}`));
    expect(final.closed_at).not.toBeNull();
    expect(final.allowed_transitions).toEqual([]);
    // A closed cycle lets the contact start a new one.
    expect((await t.api('POST', '/api/v1/leads', { contact_id: lead.contact_id })).statusCode).toBe(201);
  });

  it('rejects with a reason, recycles to nurture, re-qualifies, and counts the recycle', async () => {
    const lead = await newLead('recycler@initech.com');
    await move(lead.id, { to: 'mql' });
    const noReason = await move(lead.id, { to: 'nurture' });
    expect(noReason.statusCode).toBe(422);
    expect(json(noReason).error.message).toContain('not_ready');
    const rejected = json(await move(lead.id, { to: 'nurture', reason_code: 'not_ready', note: 'call in Q3', recheck_at: '2026-07-01T09:00:00Z' }));
    expect(rejected.lead).toMatchObject({ stage: 'nurture', recycle_count: 1, last_reason_code: 'not_ready', recheck_at: '2026-07-01T09:00:00.000Z' });
    expect(rejected.transition.is_recycle).toBe(true);
    const again = json(await move(lead.id, { to: 'mql' }));
    expect(again.lead).toMatchObject({ stage: 'mql', recycle_count: 1 });
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history.map((h: { to: string }) => h.to)).toEqual(['inquiry', 'mql', 'nurture', 'mql']);
    expect(history[2].reason_code).toBe('not_ready');
  });

  it('refuses illegal moves naming the allowed ones, and writes nothing', async () => {
    const lead = await newLead('jumper@initech.com');
    const r = await move(lead.id, { to: 'won' });
    expect(r.statusCode).toBe(409);
    expect(json(r).error).toMatchObject({ code: 'TransitionNotAllowed' });
    expect(json(r).error.message).toContain('mql, nurture, disqualified');
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history).toHaveLength(1);
    expect(json(await t.api('GET', `/api/v1/leads/${lead.id}`)).stage).toBe('inquiry');
  });

  it('one open lead per contact', async () => {
    const lead = await newLead('twice@initech.com');
    const second = await t.api('POST', '/api/v1/leads', { contact_id: lead.contact_id });
    expect(second.statusCode).toBe(409);
    expect(json(second).error.message).toContain(lead.id);
  });

  it('filters leads by stage and owner', async () => {
    const lead = await newLead('filtered@initech.com');
    await move(lead.id, { to: 'disqualified', reason_code: 'spam' });
    const list = json(await t.api('GET', '/api/v1/leads?stage=disqualified')).data;
    expect(list.map((l: { id: string }) => l.id)).toContain(lead.id);
    expect((await t.api('GET', '/api/v1/leads?stage=bogus')).statusCode).toBe(400);
  });
});

describe('opportunities', () => {
  it('creates with contact roles and linked leads; records stage changes', async () => {
    const c = json(await t.api('POST', '/api/v1/contacts', { email: 'buyer@hooli.com' }));
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: c.id }));
    const opp = await t.api('POST', '/api/v1/opportunities', { name: 'Hooli – Platform', amount: 48000, stage: 'Discovery', contact_roles: [{ contact_id: c.id, role: 'decision_maker', is_primary: true }], lead_ids: [lead.id] });
    expect(opp.statusCode, opp.body).toBe(201);
    const o = json(opp);
    expect(o.contact_roles).toEqual([{ contact_id: c.id, role: 'decision_maker', is_primary: true }]);
    const won = json(await t.api('PATCH', `/api/v1/opportunities/${o.id}`, { stage: 'Closed Won', status: 'won' }));
    expect(won.status).toBe('won');
    expect(won.closed_at).not.toBeNull();
    // A refused create writes nothing (the lifecycle walk above opened a deal of its own, so count before and after).
    const before = json(await t.api('GET', '/api/v1/opportunities')).data.length;
    const badRef = await t.api('POST', '/api/v1/opportunities', { name: 'x', stage: 'a', contact_roles: [{ contact_id: '00000000-0000-7000-8000-000000000000' }] });
    expect(badRef.statusCode).toBe(400);
    expect(json(badRef).error.details[0].path).toBe('contact_roles[0].contact_id');
    const count = json(await t.api('GET', '/api/v1/opportunities')).data.length;
    expect(count).toBe(before);
  });
});

describe('metrics', () => {
  it('exposes Prometheus metrics with route patterns, not raw ids', async () => {
    await t.api('GET', '/api/v1/contacts/00000000-0000-7000-8000-000000000000');
    const r = await t.api('GET', '/metrics', undefined, await t.newKey(['metrics']));
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('leadloop_http_request_duration_seconds_bucket');
    expect(r.body).toContain('route="/api/v1/contacts/:id"');
    expect(r.body).not.toContain('00000000-0000-7000-8000-000000000000');
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });
});
