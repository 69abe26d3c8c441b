import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatisticsKeeper, type StatisticsKeeper } from '../../src/app/statistics-keeper.ts';
import { segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The statistics keeper (src/app/statistics-keeper.ts) on a fresh database, entered through the Segment door:
 * after a round, the tables ingest grew are analyzed, and the foreign-key checks of the next batches use the
 * contact primary key instead of a list index (the plan a never-analyzed table gets, kept for the connection's
 * life, that made ingest quadratic with autovacuum off). `evenWithAutovacuum`: the test does not depend on how
 * the test server is configured.
 */
let t: TestApp;
let keeper: StatisticsKeeper;

const batch = (run: string, people: number) => ({
  batch: Array.from({ length: people }, (_, i) => [
    { type: 'page', messageId: `${run}-p-${i}`, anonymousId: `${run}-anon-${i}`, properties: { url: `https://acme.example/pricing?i=${i}` } },
    { type: 'track', messageId: `${run}-t-${i}`, anonymousId: `${run}-anon-${i}`, event: 'Webinar Registered', properties: { utm_source: 'linkedin' } },
  ]).flat(),
});

type IndexScans = Record<string, number>;
async function indexScans(): Promise<IndexScans> {
  const { rows } = await sql<{ name: string; scans: string }>`
    SELECT indexrelname AS name, idx_scan::text AS scans FROM pg_stat_user_indexes WHERE relname = 'contact'`.execute(t.db);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
}

/** Backends report their counters up to ~10 s after a transaction; waits until `ready` holds on fresh numbers. */
async function statsUntil<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    await sql`SELECT pg_stat_clear_snapshot()`.execute(t.db);
    const value = await read();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('statistics never caught up');
}

const activityInserts = async () => Number((await sql<{ n: string }>`
  SELECT n_tup_ins::text AS n FROM pg_stat_user_tables WHERE relname = 'activity'`.execute(t.db)).rows[0]?.n ?? 0);

beforeAll(async () => {
  t = await createTestApp();
  keeper = startStatisticsKeeper(t.db, { intervalMs: 3_600_000, evenWithAutovacuum: true });
});
afterAll(async () => {
  await keeper.stop();
  await t.close();
});

describe('statistics keeper', () => {
  it('analyzes the tables ingest grew, and later foreign-key checks use the primary key', async () => {
    expect((await segment(t, '/v1/batch', batch('a', 200))).statusCode).toBe(200);
    await statsUntil(activityInserts, (n) => n >= 400);

    const done = await keeper.tick();
    expect(done?.map((d) => d.table)).toEqual(expect.arrayContaining(['activity', 'contact', 'contact_identity']));
    const analyzed = (await sql<{ relname: string }>`
      SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL OR last_vacuum IS NOT NULL`.execute(t.db)).rows.map((r) => r.relname);
    expect(analyzed).toEqual(expect.arrayContaining(['activity', 'contact']));

    const before = await indexScans();
    expect((await segment(t, '/v1/batch', batch('b', 200))).statusCode).toBe(200);
    // 400 activities' FK checks (and the batch's own lookups) show up on the primary key; none on the list index.
    const after = await statsUntil(indexScans, (s) => s.contact_pkey! >= before.contact_pkey! + 400);
    expect(after.contact_list_name).toBe(before.contact_list_name);
  });

  it('does nothing when nothing grew, and one process at a time does a round', async () => {
    await statsUntil(activityInserts, (n) => n >= 800);
    await keeper.tick();
    expect(await keeper.tick()).toEqual([]);

    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('leadloop:table-maintenance'))`);
      expect(await keeper.tick()).toBeNull();
    } finally {
      await other.end();
    }
  });
});
