import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Row = { id: string; [k: string]: unknown };
type PageBody = { data: Row[]; next_cursor: string | null };

describe('list screens API: search, filters, keyset pages, saved views, account page', () => {
  let t: TestApp;
  let acme: Row;
  let globex: Row;
  const people: Row[] = [];
  const leads: Row[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    acme = (await t.api('POST', '/api/v1/accounts', { name: 'Acme Rockets', domain: 'acme-rockets.com' })).json();
    globex = (await t.api('POST', '/api/v1/accounts', { name: 'Globex', domain: 'globex.io' })).json();
    const names = [['Ada', 'Lovelace', 'ada@acme-rockets.com'], ['Grace', 'Hopper', 'grace@globex.io'], ['Alan', 'Turing', 'alan@acme-rockets.com'], ['=HYPERLINK("x")', 'Mallory', 'mallory@globex.io'], ['Edsger', 'Dijkstra', 'edsger@example.org']];
    for (const [first, last, email] of names) {
      const c = (await t.api('POST', '/api/v1/contacts', { email, first_name: first, last_name: last, consent: email!.startsWith('grace') ? { email_marketing: false } : undefined })).json();
      people.push(c);
      const lead = await t.api('POST', '/api/v1/leads', { contact_id: c.id });
      expect(lead.statusCode).toBe(201);
      leads.push(lead.json());
    }
  });
  afterAll(async () => t?.close());

  const get = async (url: string, key?: string) => {
    const r = await t.api('GET', url, undefined, key);
    return { status: r.statusCode, body: r.json() as PageBody & { error?: { message: string; details: { path: string }[] } } };
  };

  it('finds people by part of an email, a name, a company name or a domain', async () => {
    expect((await get('/api/v1/lists/people?q=GRACE@glo')).body.data.map((p) => p.email)).toEqual(['grace@globex.io']);
    expect((await get('/api/v1/lists/people?q=turing')).body.data.map((p) => p.email)).toEqual(['alan@acme-rockets.com']);
    const byCompany = (await get('/api/v1/lists/people?q=acme%20rock&sort=name')).body.data;
    expect(byCompany.map((p) => p.email)).toEqual(['ada@acme-rockets.com', 'alan@acme-rockets.com']);
    expect((byCompany[0]!.account as Row).name).toBe('Acme Rockets');
    // LIKE's own characters are text, not wildcards.
    expect((await get('/api/v1/lists/people?q=%25')).body.data).toEqual([]);
  });

  it('filters leads by company search, stage, owner and consent, each lead with its person and account', async () => {
    const byDomain = (await get('/api/v1/lists/leads?q=globex.io')).body.data;
    expect(byDomain.map((l) => (l.contact as Row).email).sort()).toEqual(['grace@globex.io', 'mallory@globex.io']);
    expect((byDomain[0]!.account as Row).domain).toBe('globex.io');
    expect((await get('/api/v1/lists/leads?stage=inquiry&owner=none')).body.data).toHaveLength(5);
    expect((await get('/api/v1/lists/leads?stage=sal')).body.data).toHaveLength(0);
    expect((await get('/api/v1/lists/leads?consent=email_marketing:refused')).body.data.map((l) => (l.contact as Row).email)).toEqual(['grace@globex.io']);
    expect((await get('/api/v1/lists/leads?consent=email_marketing:none')).body.data).toHaveLength(4);
  });

  it('pages with a keyset cursor in every sort, without repeats or gaps', async () => {
    for (const [entity, sort] of [['people', 'name'], ['people', 'last_touch'], ['leads', 'score'], ['leads', 'opened'], ['accounts', 'name'], ['people', 'newest']] as const) {
      const all = (await get(`/api/v1/lists/${entity}?sort=${sort}&limit=500`)).body.data.map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: PageBody = (await get(`/api/v1/lists/${entity}?sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
        seen.push(...page.data.map((r) => r.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen, `${entity} by ${sort}`).toEqual(all);
    }
  });

  it('keeps the change feed: updated_since lists changes oldest first with a chg1 cursor', async () => {
    const r = await get('/api/v1/lists/leads?updated_since=2000-01-01T00:00:00Z&limit=2');
    expect(r.status).toBe(200);
    expect(r.body.next_cursor).toMatch(/^chg1\./);
    const next = await get(`/api/v1/lists/leads?limit=10&cursor=${r.body.next_cursor}`);
    expect(next.body.data).toHaveLength(3);
  });

  it('refuses bad filters with 400 saying where and how to fix them', async () => {
    const cases: [string, string][] = [
      ['/api/v1/lists/leads?sort=price', 'querystring.sort'],
      ['/api/v1/lists/accounts?stage=mql', 'querystring.stage'],
      ['/api/v1/lists/leads?stage=hot', 'querystring.stage'],
      ['/api/v1/lists/leads?owner=bob', 'querystring.owner'],
      ['/api/v1/lists/leads?from=2026-03-01&to=2026-02-01', 'querystring.to'],
      ['/api/v1/lists/people?consent=email:yes', 'consent'],
      ['/api/v1/lists/people?cursor=srt1.bm9wZQ', 'cursor'],
      ['/api/v1/lists/people?colour=red', 'colour'],
    ];
    for (const [url, path] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(JSON.stringify(r.body.error), url).toContain(path);
    }
  });

  it('header search opens a person by exact email first, and finds accounts', async () => {
    const r = await t.api('GET', '/api/v1/search?q=Alan@Acme-Rockets.com');
    expect(r.statusCode).toBe(200);
    expect(r.json().people[0].email).toBe('alan@acme-rockets.com');
    expect((await t.api('GET', '/api/v1/search?q=globex')).json().accounts.map((a: Row) => a.name)).toEqual(['Globex']);
    expect((await t.api('GET', '/api/v1/search?q=')).statusCode).toBe(400);
  });

  it('account page: people, leads, activity roll-up; owner changes are permission-checked and audit-logged', async () => {
    const overview = (await t.api('GET', `/api/v1/accounts/${acme.id}/overview`)).json();
    expect(overview.people.map((p: Row) => p.email).sort()).toEqual(['ada@acme-rockets.com', 'alan@acme-rockets.com']);
    expect(overview.counts).toEqual({ people: 2, leads: 2, opportunities: 0 });
    const salesKey = await t.newKey(['read', 'write'], t.users.sales.id);
    const refused = await t.api('PUT', `/api/v1/accounts/${acme.id}/owner`, { owner_id: t.users.sales.id }, salesKey);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details[0].path).toBe('who_may');
    const managerKey = await t.newKey(['read', 'write'], t.users.manager.id);
    const changed = await t.api('PUT', `/api/v1/accounts/${acme.id}/owner`, { owner_id: t.users.sales.id, reason: 'territory East' }, managerKey);
    expect(changed.statusCode).toBe(200);
    expect(changed.json().owner_id).toBe(t.users.sales.id);
    // Now the owner may hand it over.
    expect((await t.api('PUT', `/api/v1/accounts/${acme.id}/owner`, { owner_id: null }, salesKey)).statusCode).toBe(200);
    const audit = (await t.api('GET', `/api/v1/audit-log?object_type=account&object_id=${acme.id}`)).json().data;
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['account.owner_changed', 'account.owner_changed']);
    expect(audit[1].reason).toBe('territory East');
    expect((await t.api('PUT', `/api/v1/accounts/${acme.id}/owner`, { owner_id: '00000000-0000-7000-8000-000000000000' }, managerKey)).statusCode).toBe(400);
    expect((await t.api('GET', `/api/v1/accounts/${globex.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}/overview`)).statusCode).toBe(404);
  });

  it('saved views: shared with the team, validated, deleted by their creator', async () => {
    const managerKey = await t.newKey(['read', 'write'], t.users.manager.id);
    const marketingKey = await t.newKey(['read', 'write'], t.users.marketing.id);
    const saved = await t.api('POST', '/api/v1/saved-views', { entity: 'leads', name: 'Unowned MQLs', query: 'stage=mql&owner=none' }, managerKey);
    expect(saved.statusCode).toBe(201);
    expect((await t.api('POST', '/api/v1/saved-views', { entity: 'leads', name: 'unowned mqls', query: 'stage=mql' }, managerKey)).statusCode).toBe(409);
    const bad = await t.api('POST', '/api/v1/saved-views', { entity: 'leads', name: 'Bad', query: 'sort=1&stage=mql&evil=1' }, managerKey);
    expect(bad.statusCode).toBe(400);
    expect((await t.api('GET', '/api/v1/saved-views?entity=leads', undefined, marketingKey)).json().data.map((v: Row) => v.name)).toEqual(['Unowned MQLs']);
    expect((await t.api('DELETE', `/api/v1/saved-views/${saved.json().id}`, undefined, marketingKey)).statusCode).toBe(403);
    expect((await t.api('DELETE', `/api/v1/saved-views/${saved.json().id}`, undefined, managerKey)).statusCode).toBe(200);
  });
});
