import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOutBinary } from '../../src/storage/copy-out.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

/**
 * copyOutBinary reads CopyData frames off the socket itself and hands every other message to pg:
 * rows must all arrive (across socket chunks), and the pooled connection must stay usable after a
 * COPY, after a failing COPY and after a row the consumer rejects.
 */
let t: TestDatabase;
beforeAll(async () => { t = await createTestDatabase(); });
afterAll(async () => { await t?.close(); });

const query = (n: number) => `COPY (SELECT i, repeat('x', i % 300) AS s, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 2 END AS d
  FROM generate_series(1, ${n}) AS i) TO STDOUT (FORMAT binary)`;

function reader() {
  let sum = 0;
  let chars = 0;
  let nulls = 0;
  const onRow = (buf: Buffer, at: number): number => {
    expect(buf.readInt16BE(at)).toBe(3);
    at += 2;
    expect(buf.readInt32BE(at)).toBe(4);
    sum += buf.readInt32BE(at + 4);
    at += 8;
    const len = buf.readInt32BE(at);
    chars += len;
    at += 4 + len;
    const d = buf.readInt32BE(at);
    if (d < 0) { nulls++; at += 4; } else at += 4 + d;
    return at;
  };
  return { onRow, totals: () => ({ sum, chars, nulls }) };
}

describe('copyOutBinary', () => {
  it('reads every row, across socket chunks, and leaves the connection usable', async () => {
    const n = 20_000;
    const r = reader();
    expect(await copyOutBinary(t.pool, query(n), r.onRow)).toBe(n);
    let chars = 0;
    for (let i = 1; i <= n; i++) chars += i % 300;
    expect(r.totals()).toEqual({ sum: (n * (n + 1)) / 2, chars, nulls: Math.floor(n / 7) });
    // Every pooled connection still answers (max pool size is small in tests: this reuses the COPY's).
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.pool.query('SELECT $1::int AS v', [i])));
    expect(results.map((x) => x.rows[0].v)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a failing COPY rejects and the pool recovers', async () => {
    await expect(copyOutBinary(t.pool, 'COPY (SELECT 1 / (i - 5) FROM generate_series(1, 10) AS i) TO STDOUT (FORMAT binary)', (_b, at) => at + 10))
      .rejects.toThrow(/division by zero/);
    await expect(copyOutBinary(t.pool, query(10), (_b, at) => at)).rejects.toThrow(/did not advance/);
    await expect(copyOutBinary(t.pool, query(100), () => { throw new Error('bad row'); })).rejects.toThrow('bad row');
    expect((await t.pool.query('SELECT 42 AS v')).rows[0].v).toBe(42);
    const r = reader();
    expect(await copyOutBinary(t.pool, query(500), r.onRow)).toBe(500);
  });

  it('reads the frames itself (pg sees no CopyData message)', async () => {
    const client = await t.pool.connect();
    let copyDataEvents = 0;
    const count = () => { copyDataEvents++; };
    (client as any).connection.on('copyData', count);
    client.release();
    try {
      // The pool hands back its only idle connection: the one being watched.
      const r = reader();
      expect(await copyOutBinary(t.pool, query(1000), r.onRow)).toBe(1000);
    } finally {
      (client as any).connection.removeListener('copyData', count);
    }
    expect(copyDataEvents).toBe(0);
  });
});
