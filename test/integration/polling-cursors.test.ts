import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Polling without webhooks (n8n, Zapier): every record list takes `updated_since` and answers a
 * change cursor; polling with it returns each change once, in the order changes were made, and a
 * change that commits late (its transaction started before a poll) is not skipped.
 */
let t: TestApp;
const since = '2000-01-01T00:00:00Z';
type Page = { data: { id: string; email?: string; first_name?: string | null }[]; next_cursor: string | null; has_more?: boolean };
const poll = async (path: string, query: string): Promise<Page> => {
  const r = await t.api('GET', `${path}?${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return json(r);
};

beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('change feeds on list endpoints', () => {
  let cursor = '';
  const ids: Record<string, string> = {};

  it('updated_since starts a feed, oldest change first, with a cursor to continue and has_more', async () => {
    for (const name of ['ana', 'bea', 'cid']) ids[name] = json(await t.api('POST', '/api/v1/contacts', { email: `${name}@poll.example` })).id;
    const first = await poll('/api/v1/contacts', `updated_since=${since}&limit=2`);
    expect(first.data.map((c) => c.email)).toEqual(['ana@poll.example', 'bea@poll.example']);
    expect(first.has_more).toBe(true);
    expect(first.next_cursor).toMatch(/^chg1\./);
    const second = await poll('/api/v1/contacts', `cursor=${first.next_cursor}&limit=2`);
    expect(second.data.map((c) => c.email)).toEqual(['cid@poll.example']);
    expect(second.has_more).toBe(false);
    // Nothing new: the same position comes back, to poll again later.
    const idle = await poll('/api/v1/contacts', `cursor=${second.next_cursor}`);
    expect(idle).toMatchObject({ data: [], next_cursor: second.next_cursor, has_more: false });
    cursor = idle.next_cursor!;
  });

  it('a changed record comes again, once, after the cursor; updated_since in the future lists nothing', async () => {
    expect((await t.api('PATCH', `/api/v1/contacts/${ids.ana}`, { first_name: 'Ana' })).statusCode).toBe(200);
    const changed = await poll('/api/v1/contacts', `cursor=${cursor}`);
    expect(changed.data.map((c) => [c.email, c.first_name])).toEqual([['ana@poll.example', 'Ana']]);
    cursor = changed.next_cursor!;
    expect((await poll('/api/v1/contacts', `cursor=${cursor}`)).data).toEqual([]);
    expect((await poll('/api/v1/contacts', 'updated_since=2999-01-01T00:00:00Z')).data).toEqual([]);
  });

  it('a change that commits late is not skipped: it waits until every older transaction has ended', async () => {
    const late = new pg.Client({ connectionString: t.url });
    await late.connect();
    try {
      await late.query('BEGIN');
      await late.query("UPDATE contact SET first_name = 'Bea' WHERE workspace_id = $1 AND id = $2", [t.workspace.id, ids.bea]);
      // A later transaction commits first.
      expect((await t.api('PATCH', `/api/v1/contacts/${ids.cid}`, { first_name: 'Cid' })).statusCode).toBe(200);
      const meanwhile = await poll('/api/v1/contacts', `cursor=${cursor}`);
      expect(meanwhile.data).toEqual([]);
      expect(meanwhile.next_cursor).toBe(cursor);
      await late.query('COMMIT');
    } finally {
      await late.end();
    }
    const after = await poll('/api/v1/contacts', `cursor=${cursor}`);
    expect(after.data.map((c) => c.first_name)).toEqual(['Bea', 'Cid']);
  });

  it('leads, opportunities and accounts poll the same way; newest-first pages keep their uuid cursors', async () => {
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: ids.ana }));
    const leads = await poll('/api/v1/leads', `updated_since=${since}`);
    expect(leads.data.map((l) => l.id)).toEqual([lead.id]);
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
    const moved = await poll('/api/v1/leads', `cursor=${leads.next_cursor}&include=contact`);
    expect(moved.data).toEqual([expect.objectContaining({ id: lead.id, stage: 'mql', contact: expect.objectContaining({ id: ids.ana }) })]);

    const opp = json(await t.api('POST', '/api/v1/opportunities', { name: 'Poll deal', amount: 100, currency: 'EUR', stage: 'Discovery' }));
    expect((await poll('/api/v1/opportunities', `updated_since=${since}`)).data.map((o) => o.id)).toContain(opp.id);
    const account = json(await t.api('POST', '/api/v1/accounts', { name: 'Poll Inc', domain: 'poll-inc.example' }));
    expect((await poll('/api/v1/accounts', `updated_since=${since}`)).data.map((a) => a.id)).toContain(account.id);

    const newest = await poll('/api/v1/contacts', 'limit=2');
    expect(newest.data.map((c) => c.email)).toEqual(['cid@poll.example', 'bea@poll.example']);
    expect(newest.next_cursor).toBe(ids.bea);
    expect(newest.has_more).toBeUndefined();
  });

  it('a cursor that is neither is a 400 naming the parameter', async () => {
    const r = await t.api('GET', '/api/v1/contacts?cursor=chg1.abc.def');
    expect(r.statusCode).toBe(400);
    expect(json(r).error.details[0].path).toContain('cursor');
  });
});
