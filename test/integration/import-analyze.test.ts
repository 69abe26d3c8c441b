import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueForAnalyze, importCsv } from '../../src/app/import/csv-import.ts';
import { analyzeTables } from '../../src/storage/statistics.repo.ts';
import { insertAccountsBulk } from '../../src/storage/import-bulk.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * An import ANALYZEs the tables it writes as it goes (autovacuum may be off, or not there yet): the
 * planner then sees the rows earlier chunks wrote, inside the chunk's own transaction too.
 */
let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

const statsRows = async (table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename = ${table}`.execute(t.db)).rows[0]!.n);

describe('import ANALYZE points', () => {
  it('after the first chunk, then each time the rows written doubled', () => {
    const points: number[] = [];
    let last = 0;
    for (let written = 2000; written <= 100_000; written += 2000) if (dueForAnalyze(written, last)) { points.push(written); last = written; }
    expect(points).toEqual([2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(dueForAnalyze(0, 0)).toBe(false);
  });

  it('analyzeTables inside a transaction counts the rows the transaction wrote', async () => {
    const reltuples = await t.db.transaction().execute(async (trx) => {
      await insertAccountsBulk(trx, ws, Array.from({ length: 40 }, (_, i) => ({
        id: newId(), name: `Analyzed ${i}`, domain: `analyzed${i}.example`, industry: null, employeeCount: null, country: null, annualRevenue: null, externalId: null, attributes: {},
      })));
      await analyzeTables(trx, ['account']);
      const r = await sql<{ n: number; total: string }>`SELECT reltuples AS n, (SELECT count(*) FROM account) AS total FROM pg_class WHERE oid = 'account'::regclass`.execute(trx);
      return r.rows[0]!;
    });
    expect(reltuples.n).toBe(Number(reltuples.total));
    expect(reltuples.n).toBeGreaterThanOrEqual(40);
  }, 60_000);

  it('a contacts import analyzes the tables it fills after its first chunk (lead_stage_summary is written only by a trigger)', async () => {
    expect(await statsRows('lead_stage_summary')).toBe(0);
    const csv = ['Record ID,Email,Lifecycle Stage,Create Date', ...Array.from({ length: 6 }, (_, i) => `${500 + i},analyze${i}@stats.example,Marketing Qualified Lead,2026-01-0${i + 1} 10:00`)].join('\n');
    // Read between chunks (the first one is committed), before the ANALYZE that follows the import.
    let afterFirstChunk: Promise<number> | null = null;
    const r = await importCsv(t.deps, ws, () => Readable.from([Buffer.from(csv)]), {
      entity: 'contacts', preset: 'hubspot', chunkSize: 2, onProgress: (done) => { if (done === 2) afterFirstChunk = statsRows('lead_stage_summary'); },
    });
    expect(r.ok && r.value.related.leads_opened).toBe(6);
    expect(await afterFirstChunk).toBeGreaterThan(0);
  }, 60_000);

  it('a quick ANALYZE inside a transaction leaves the statistics target as it was', async () => {
    const seen = await t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL default_statistics_target = 250`.execute(trx);
      await analyzeTables(trx, ['lead'], { quick: true });
      return (await sql<{ v: string }>`SELECT current_setting('default_statistics_target') AS v`.execute(trx)).rows[0]!.v;
    });
    expect(seen).toBe('250');
  }, 60_000);
});
