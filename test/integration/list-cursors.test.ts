import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';

// Lists that answered everything at once now page by keyset (issue #20): each page through the REST API, walked to
// the end with a small limit, gives every row once, in the list's order, whatever the ties on the sort column.
// One list of each cursor shape: id only (API keys), text then id (users), date then id (the editorial calendar),
// time then id (a lead's stage history). Lists keyed by text or integer columns without an id page by `key1.…`:
// one text column (teams), one integer descending (routing versions), two columns (costs: month, category), three
// with a negated descending column (nurture tracks); a fixed catalogue pages in memory with the same cursor; the
// definition history (version then id, oldest first) diffs the page's first version against the one before it.

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => t?.close());

const json = (r: { body: string }) => JSON.parse(r.body);

/** Follows next_cursor to the end; returns every row in order and the number of pages. */
async function walk(url: string, limit: number): Promise<{ rows: Array<Record<string, any>>; pages: number }> {
  const rows: Array<Record<string, any>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const r = await t.api('GET', `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.statusCode, r.body).toBe(200);
    const page = json(r);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    rows.push(...page.data);
    cursor = page.next_cursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { rows, pages };
}

const ids = (rows: Array<Record<string, any>>) => rows.map((r) => r.id as string);

describe('keyset pages', () => {
  it('API keys (by id, newest first): every key once, no gap', async () => {
    for (let i = 0; i < 8; i++) await t.newKey(['read']);
    const everything = json(await t.api('GET', '/api/v1/api-keys')).data;
    expect(everything.length).toBe(12); // 4 from the harness + 8
    const { rows, pages } = await walk('/api/v1/api-keys', 5);
    expect(pages).toBe(3);
    expect(ids(rows)).toEqual(ids(everything));
    expect(new Set(ids(rows)).size).toBe(12);
    expect(ids(rows)).toEqual([...ids(rows)].sort().reverse());
  });

  it('users (by email, then id): every user once, in email order', async () => {
    for (const name of ['zed', 'amy', 'kim', 'bob', 'lea', 'max']) {
      const r = await t.api('POST', '/api/v1/users', { email: `${name}@acme.test`, role: 'sales', password: TEST_PASSWORD });
      expect(r.statusCode, r.body).toBe(201);
    }
    const { rows } = await walk('/api/v1/users', 3);
    expect(rows).toHaveLength(10);
    const emails = rows.map((u) => u.email as string);
    expect(emails).toEqual([...emails].sort());
    expect(new Set(ids(rows)).size).toBe(10);
  });

  it('the editorial calendar (by date, then id): ties on a date split across pages lose nothing', async () => {
    const made: string[] = [];
    for (const day of ['2026-06-03', '2026-06-01', '2026-06-01', '2026-06-01', '2026-06-02', '2026-06-01', '2026-06-03']) {
      const r = await t.api('POST', '/api/v1/content-calendar', { title: `Plan ${day}`, planned_on: day });
      expect(r.statusCode, r.body).toBe(201);
      made.push(json(r).id);
    }
    const { rows, pages } = await walk('/api/v1/content-calendar?from=2026-06-01&to=2026-06-30', 2);
    expect(pages).toBe(4);
    expect([...ids(rows)].sort()).toEqual([...made].sort());
    const keys = rows.map((p) => `${p.planned_on} ${p.id}`);
    expect(keys).toEqual([...keys].sort());
  });

  it("a lead's stage history (by time, then id), in the order it happened", async () => {
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'pager@initech.com' }));
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
    for (const to of ['mql', 'sal', 'sql', 'opportunity', 'won']) {
      const r = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to, note: `to ${to}` });
      expect(r.statusCode, r.body).toBe(201);
    }
    const { rows } = await walk(`/api/v1/leads/${lead.id}/transitions`, 2);
    expect(rows.map((h) => h.to)).toEqual(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won']);
  });

  it('rejections (raw SQL keyset, newest first by time, then id): every rejection once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const contact = json(await t.api('POST', '/api/v1/contacts', { email: `rejected${i}@initech.com` }));
      const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
      expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
      const back = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'nurture', reason_code: 'not_ready', note: `note ${i}` });
      expect(back.statusCode, back.body).toBe(201);
      made.push(json(back).transition.id);
    }
    const { rows, pages } = await walk('/api/v1/rejections?from=2020-01-01T00:00:00Z&to=2040-01-01T00:00:00Z', 2);
    expect(rows.map((r) => r.transition_id), JSON.stringify(rows).slice(0, 300)).toHaveLength(5);
    expect(pages).toBe(3);
    expect(rows.map((r) => r.transition_id)).toEqual([...made].reverse());
  });

  it("a person's consent history (raw SQL keyset, newest first by time, then id): every choice once", async () => {
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'consenting@initech.com' }));
    const days = ['2026-01-05', '2026-01-03', '2026-01-04', '2026-01-01', '2026-01-02'];
    for (const [i, day] of days.entries()) {
      const r = await t.api('PATCH', `/api/v1/contacts/${contact.id}`, { consent: { email_marketing: { status: i % 2 ? 'granted' : 'refused', at: `${day}T09:00:00Z` } } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const { rows, pages } = await walk(`/api/v1/contacts/${contact.id}/consent-history`, 2);
    expect(pages).toBe(3);
    expect(rows.map((e) => e.at.slice(0, 10))).toEqual([...days].sort().reverse());
    expect(new Set(ids(rows)).size).toBe(5);
  });

  it('teams (key1 [name]): every team once, by name', async () => {
    const names = ['Zulu', 'alpha', 'EMEA', 'Bravo', 'NA', 'APAC', 'Bravo 2'];
    for (const name of names) {
      const r = await t.api('PUT', `/api/v1/teams/${encodeURIComponent(name)}`, { calendar: null, manager_id: null });
      expect(r.statusCode, r.body).toBe(200);
    }
    const everything = json(await t.api('GET', '/api/v1/teams')).data.map((x: { name: string }) => x.name);
    expect([...everything].sort()).toEqual([...names].sort());
    const { rows, pages } = await walk('/api/v1/teams', 3);
    expect(pages).toBe(3);
    expect(rows.map((x) => x.name)).toEqual(everything);
    expect(new Set(rows.map((x) => x.name)).size).toBe(names.length);
  });

  it('routing versions (key1 [version], newest first): every version once', async () => {
    for (const team of ['EMEA', 'NA', 'APAC', 'Zulu', 'alpha']) {
      const r = await t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team }, { kind: 'fallback_queue' }] });
      expect(r.statusCode, r.body).toBe(200);
    }
    const { rows, pages } = await walk('/api/v1/routing/versions', 2);
    expect(pages).toBe(3);
    expect(rows.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });

  it('costs (key1 [month, category]): a month split across pages loses neither category', async () => {
    const months = ['2026-03', '2026-01', '2026-02', '2025-12'];
    const r = await t.api('PUT', '/api/v1/costs', { costs: months.flatMap((m, i) => [
      { period_start: m, category: 'sales', amount: 100 + i }, { period_start: m, category: 'marketing', amount: 200 + i },
    ]) });
    expect(r.statusCode, r.body).toBe(200);
    const { rows, pages } = await walk('/api/v1/costs', 3);
    expect(pages).toBe(3);
    expect(rows.map((c) => `${String(c.period_start).slice(0, 7)} ${c.category}`)).toEqual([...months].sort().flatMap((m) => [`${m} marketing`, `${m} sales`]));
    const ranged = await walk('/api/v1/costs?from=2026-01&to=2026-02', 1);
    expect(ranged.rows).toHaveLength(4);
    expect(ranged.pages).toBe(4);
  });

  it('nurture tracks (key1 [-priority, name, id]): highest priority first, then by name, every track once', async () => {
    const made = [['Low b', -5], ['Top', 900], ['Mid a', 10], ['Mid c', 10], ['Mid b', 10], ['Low a', -5], ['Zero', 0]] as const;
    for (const [name, priority] of made) {
      const r = await t.api('POST', '/api/v1/nurture/tracks', {
        name, priority, entry: { personas: ['pager'] }, steps: [{ type: 'wait', business_days: 5 }],
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const { rows, pages } = await walk('/api/v1/nurture/tracks', 2);
    expect(pages).toBe(4);
    expect(rows.map((x) => x.name)).toEqual(['Top', 'Mid a', 'Mid b', 'Mid c', 'Zero', 'Low a', 'Low b']);
  });

  it('the definition history (srt1 [version, id], oldest first): each page diffs its first version against the one before', async () => {
    const marketing = await t.newKey(['write'], t.users.marketing.id);
    for (const points of [31, 32, 33, 34]) {
      const doc = structuredClone(defaultDefinition) as any;
      doc.fit.rules[0].points = points;
      const r = await t.api('POST', '/api/v1/definitions', { document: doc }, marketing);
      expect(r.statusCode, r.body).toBe(201);
    }
    const whole = json(await t.api('GET', '/api/v1/definitions/history'));
    expect(whole.next_cursor).toBeNull();
    const { rows, pages } = await walk('/api/v1/definitions/history', 1);
    expect(pages).toBe(whole.data.length);
    expect(rows.map((h) => h.version)).toEqual(whole.data.map((h: { version: number }) => h.version));
    expect(rows.map((h) => h.version)).toEqual([...rows.map((h) => h.version)].sort((a, b) => a - b));
    // Alone on its page, a version still says what changed from the one before it (the same words as in one page).
    expect(rows.map((h) => h.changes)).toEqual(whole.data.map((h: { changes: unknown }) => h.changes));
    expect(rows.slice(-3).every((h) => JSON.stringify(h.changes).includes('(was +3'))).toBe(true);
  });

  it('webhook event types (a fixed catalogue, paged in memory with key1 [type]): every type once', async () => {
    const whole = json(await t.api('GET', '/api/v1/webhooks/event-types'));
    expect(whole.next_cursor).toBeNull();
    const { rows } = await walk('/api/v1/webhooks/event-types', 4);
    expect(rows.map((e) => e.type)).toEqual(whole.data.map((e: { type: string }) => e.type));
    expect(rows.map((e) => e.type)).toEqual([...rows.map((e) => e.type)].sort());
    expect(rows.length).toBeGreaterThan(4);
  });

  it('refuses a cursor that is not one of its own with 400 and says how to fix it', async () => {
    for (const [url, cursor] of [
      ['/api/v1/api-keys', 'srt1.abc'], ['/api/v1/users', '0190a3c2-0000-7000-8000-000000000000'],
      ['/api/v1/content-calendar', 'nonsense'], ['/api/v1/users', 'srt1.!!!'],
      // key1 lists: another shape, a key of the wrong arity, or broken base64/JSON.
      ['/api/v1/teams', '0190a3c2-0000-7000-8000-000000000000'], ['/api/v1/costs', 'key1.WyJ4Il0'], ['/api/v1/nurture/tracks', 'key1.WyJ4Il0'],
      ['/api/v1/routing/versions', 'key1.!!!'], ['/api/v1/definitions/history', 'key1.WyJ4Il0'], ['/api/v1/webhooks/event-types', 'srt1.abc'],
      ['/api/v1/reason-codes', 'key1.e30'], ['/api/v1/models', 'nonsense'], ['/api/v1/integrations', 'key1.WyJhIiwiYiJd'],
      ['/api/v1/integrations/salesforce/mapping/versions', 'nonsense'], ['/api/v1/me/workspaces', 'nonsense'],
      // Well-formed key1 whose value its column could not take: a 400 here, never a failed cast in PostgreSQL.
      ['/api/v1/routing/versions', 'key1.WyJhYmMiXQ'], ['/api/v1/costs', 'key1.WyIyMDI2LTAyLTMwIiwic2FsZXMiXQ'], ['/api/v1/teams', 'key1.WyJ4XHUwMDAwIl0'],
    ] as const) {
      const r = await t.api('GET', `${url}?cursor=${encodeURIComponent(cursor)}`);
      expect(r.statusCode, `${url} ${cursor}`).toBe(400);
      const details = json(r).error.details as Array<{ path: string; message: string }>;
      expect(details.some((d) => d.path.includes('cursor') && d.message.includes('leave cursor out'))).toBe(true);
    }
    const tooMany = await t.api('GET', '/api/v1/users?limit=501');
    expect(tooMany.statusCode).toBe(400);
    expect(JSON.stringify(json(tooMany).error.details)).toContain('follow next_cursor');
  });
});
