import { sql } from 'kysely';
import pg from 'pg';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionRetries, withTransaction } from '../../src/app/transaction.ts';
import { csvImportRequest } from '../helpers/csv-upload.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A transaction PostgreSQL cancels as a deadlock victim (40P01) runs again instead of failing the request: first the
 * helper itself with two real transactions locking two rows in opposite orders, then a CSV import through
 * POST /api/v1/imports meeting a live writer that holds one of its contacts and then waits for the import.
 */

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const json = (r: { statusCode: number; body: string }) => {
  expect(r.statusCode, r.body).toBeLessThan(300);
  return JSON.parse(r.body);
};
const titleOf = async (id: string) => (await sql<{ title: string | null }>`SELECT title FROM contact WHERE id = ${id}`.execute(t.db)).rows[0]!.title;

/** Resolves when some backend of this test database other than `except` waits for a lock held by `holder`. */
async function waitUntilBlockedBy(holder: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND ${holder}::int = ANY(pg_blocking_pids(pid))`.execute(t.db);
    if (rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing waited for backend ${holder} within 10 s`);
}

describe('transactions cancelled as deadlock victims run again', () => {
  it('two transactions locking two contacts in opposite orders both commit, each write once', async () => {
    const a = json(await t.api('POST', '/api/v1/contacts', { email: 'first@deadlock.example', title: '' }));
    const b = json(await t.api('POST', '/api/v1/contacts', { email: 'second@deadlock.example', title: '' }));
    const before = transactionRetries.deadlock;
    // Both hold their first row before either asks for its second: a deadlock on the first attempt, for sure.
    let arrived = 0;
    let release!: () => void;
    const bothHoldOne = new Promise<void>((r) => { release = r; });
    const attempts = { ab: 0, ba: 0 };
    const writer = (name: 'ab' | 'ba', first: string, second: string) => withTransaction(t.deps, async (trx) => {
      attempts[name]++;
      await sql`UPDATE contact SET title = coalesce(title, '') || ${name + ';'} WHERE id = ${first}`.execute(trx);
      if (attempts[name] === 1) {
        if (++arrived === 2) release();
        await bothHoldOne;
      }
      await sql`UPDATE contact SET title = coalesce(title, '') || ${name + ';'} WHERE id = ${second}`.execute(trx);
      return name;
    });
    expect(await Promise.all([writer('ab', a.id, b.id), writer('ba', b.id, a.id)])).toEqual(['ab', 'ba']);
    // One of the two was the victim and ran a second time; the other committed on its first attempt.
    expect([attempts.ab, attempts.ba].sort()).toEqual([1, 2]);
    expect(transactionRetries.deadlock - before).toBe(1);
    // The victim's first attempt left nothing: each writer's mark is on each contact exactly once.
    for (const id of [a.id, b.id]) expect((await titleOf(id))!.split(';').filter(Boolean).sort()).toEqual(['ab', 'ba']);
  });

  it('an error that running again would not fix (a unique violation) is not retried', async () => {
    let attempts = 0;
    await expect(withTransaction(t.deps, async (trx) => {
      attempts++;
      await sql`INSERT INTO contact (workspace_id, id, email, status, created_at, updated_at)
        SELECT workspace_id, gen_random_uuid(), email, status, now(), now() FROM contact WHERE email = 'first@deadlock.example'`.execute(trx);
    })).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toBe(1);
  });

  it('a CSV import whose chunk meets a live writer in a deadlock completes, every row once, and /metrics counts the retry', async () => {
    const held = json(await t.api('POST', '/api/v1/contacts', { email: 'held@globex.example', first_name: 'Held' }));
    const before = transactionRetries.deadlock;
    let runId = '';
    // The live writer: holds the contact the import will update, and (once the import waits for it) asks for the
    // import's workspace lock. It waits longer before checking for a deadlock, so the import's backend finds it
    // first and is the one PostgreSQL cancels.
    const live = new pg.Client({ connectionString: t.url });
    await live.connect();
    try {
      await live.query('BEGIN');
      await live.query(`SET LOCAL deadlock_timeout = '30s'`);
      await live.query('SELECT 1 FROM contact WHERE id = $1 FOR UPDATE', [held.id]);
      const livePid = (await live.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

      const csv = ['Email,First Name,Last Name,Job Title', 'held@globex.example,Held,Again,CFO',
        ...Array.from({ length: 20 }, (_, i) => `new${i}@globex.example,New,Person${i},Analyst`)].join('\n');
      const upload = csvImportRequest('contacts', 'contacts.csv', csv);
      // light-my-request sends the request when it is awaited or chained: `.then` sends it now.
      const importing = t.app.inject({ ...upload, headers: { ...upload.headers, authorization: `Bearer ${t.keys.write}` } }).then((r) => r);
      await waitUntilBlockedBy(livePid);
      // Closes the cycle: the import (holding its workspace lock) waits for this row; this waits for that lock.
      await live.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`import:${t.workspace.id}`]);
      await live.query(`UPDATE contact SET last_name = 'Live' WHERE id = $1`, [held.id]);
      await live.query('COMMIT');

      const r = await importing;
      expect(r.statusCode, r.body).toBe(201);
      const body = json(r);
      runId = body.id;
      expect(body).toMatchObject({ rows: 21, inserted: 20, updated: 1, error_count: 0 });
      expect(transactionRetries.deadlock - before).toBeGreaterThanOrEqual(1);
    } finally {
      await live.end();
    }
    // Every row once, and the held contact has both the live writer's and the import's change.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contact WHERE email LIKE '%@globex.example'`.execute(t.db);
    expect(rows[0]!.n).toBe(21);
    const [heldNow] = (await sql<{ title: string | null; last_name: string | null }>`SELECT title, last_name FROM contact WHERE id = ${held.id}`.execute(t.db)).rows;
    expect(heldNow!.title).toBe('CFO');
    expect(json(await t.api('GET', `/api/v1/imports/${runId}`))).toMatchObject({ status: 'completed' });

    const metricsKey = await t.newKey(['metrics']);
    const scraped = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsKey}` } });
    const family = parsePrometheusTextFormat(scraped.body).find((f: { name: string }) => f.name === 'leadloop_db_transaction_retries_total');
    const deadlocks = family?.metrics.find((m: { labels?: Record<string, string> }) => m.labels?.kind === 'deadlock');
    expect(Number(deadlocks?.value)).toBeGreaterThanOrEqual(2);
  });
});
