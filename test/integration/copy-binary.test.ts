import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFromStdin } from '../../src/storage/bulk.repo.ts';
import { BinaryCopyWriter, type BinaryType } from '../../src/storage/copy-binary.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The import's hot tables are written with binary COPY, encoded by hand: every value must arrive as
 * PostgreSQL would have parsed its text form (what the text COPY and the INSERTs sent before).
 * Each value goes both ways into a table of every type, and the two rows must read back the same.
 */
let t: TestApp;
const columns: [string, BinaryType][] = [['u', 'uuid'], ['t', 'text'], ['s', 'int2'], ['i', 'int4'], ['n', 'numeric'], ['f', 'float8'],
  ['ts', 'timestamptz'], ['b', 'bool'], ['j', 'jsonb'], ['d', 'date']];

// Randomized: a fresh seed each run (COPY_BINARY_SEED=n replays one), printed with any failure.
const SEED = Number(process.env.COPY_BINARY_SEED ?? Math.floor(Math.random() * 2 ** 31));

function* values(count: number): Generator<unknown[]> {
  let seed = SEED;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // Any code point but NUL (PostgreSQL stores no NUL in text), astral ones included; lone surrogates
  // only in text columns (JSON escapes them as \udXXX, which jsonb refuses whatever the format).
  const randomText = (loneSurrogates = false) => Array.from({ length: Math.floor(next() * 40) }, () => {
    const pick = next();
    if (pick < 0.5) return String.fromCharCode(32 + Math.floor(next() * 95));
    if (pick < 0.6) return '\t\n\r\\"{},'[Math.floor(next() * 9)]!;
    if (pick < 0.65 && loneSurrogates) return String.fromCharCode(0xd800 + Math.floor(next() * 0x800));
    const cp = 1 + Math.floor(next() * (pick < 0.9 ? 0xd7ff : 0x10fffe));
    return String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp);
  }).join('');
  const numerics = [0, -0, 1, -1, 0.25, 12.5, 100000, 99999.9999, 1e21, 1.5e-7, -3.75, 123456789.125, 0.1 + 0.2, 1 / 3, 2 ** 53, -(2 ** 40), 5e-324, Infinity, -Infinity, NaN];
  const texts = ['', 'plain', 'Tab\there', 'Line\nbreak', '\\N', 'Quote " {}', 'Ünïcødé ✓ 🎉', 'x'.repeat(5000)];
  for (let k = 0; k < count; k++) {
    const ms = Math.round(Date.UTC(1990, 0, 1) + next() * 80 * 365 * 86_400_000) - (k % 7 === 0 ? 946_684_800_000 : 0);
    yield [
      `${k % 10}8f${Math.floor(next() * 0xfffff).toString(16).padStart(5, '0')}-1234-7abc-8def-${Math.floor(next() * 2 ** 40).toString(16).padStart(12, '0')}`,
      k < 40 ? texts[k % texts.length] : randomText(true), k % 3 === 0 ? -32768 + k : Math.floor(next() * 65535) - 32768, Math.floor(next() * 2 ** 32) - 2 ** 31,
      k < numerics.length ? numerics[k] : Math.round((next() - 0.5) * 1e9) / 10 ** (k % 9), (next() - 0.5) * 10 ** (k % 30 - 15),
      new Date(ms), k % 2 === 0, { k, text: k < 40 ? texts[k % texts.length] : randomText(), nested: [1, null, { x: randomText() }], n: (next() - 0.5) * 1e6 }, new Date(Date.UTC(1970 + (k % 80), k % 12, 1 + (k % 28))),
    ];
  }
}

describe('binary COPY values', () => {
  beforeAll(async () => { t = await createTestApp(); }, 120_000);
  afterAll(async () => { await t?.close(); });

  it(`read back exactly as the same values sent as text (seed ${SEED})`, async () => {
    const rows = [...values(400)];
    rows.push(columns.map(() => null));
    await t.db.transaction().execute(async (trx) => {
      await sql.raw(`CREATE TEMP TABLE copied (${columns.map(([c, type]) => `${c} ${type}`).join(', ')}) ON COMMIT DROP`).execute(trx);
      await sql.raw(`CREATE TEMP TABLE inserted (LIKE copied) ON COMMIT DROP`).execute(trx);
      const out = new BinaryCopyWriter(0);
      for (const row of rows) {
        out.row(columns.length);
        columns.forEach(([, type], i) => (row[i] === null ? out.null() : out.value(type, row[i])));
      }
      expect(await copyFromStdin(trx, `COPY copied (${columns.map(([c]) => c).join(', ')}) FROM STDIN (FORMAT binary)`, out.finish())).toBe(rows.length);
      for (const row of rows) {
        const text = row.map((v) => (v === null ? null : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)));
        await sql`INSERT INTO inserted VALUES (${sql.join(text.map((v, i) => sql`${v}::${sql.raw(columns[i]![1])}`))})`.execute(trx);
      }
      const read = async (table: string) => (await sql<{ line: string }>`SELECT ${sql.raw(table)}::text AS line FROM ${sql.raw(table)} ORDER BY ${sql.raw(table)}::text`.execute(trx)).rows.map((r) => r.line);
      const copied = await read('copied');
      expect(copied).toHaveLength(rows.length);
      expect(copied).toEqual(await read('inserted'));
      // numeric keeps the text's scale (12.5 stays 12.5, 1.5e-7 is 0.00000015), as numeric_in would.
      const scales = (await sql<{ n: string }>`SELECT n::text AS n FROM copied WHERE n IN (12.5, 0.00000015, 100000, 1e21)`.execute(trx)).rows.map((r) => r.n).sort();
      expect(scales).toEqual(['0.00000015', '100000', '1000000000000000000000', '12.5']);
    });
  });

  it('refuses what the column would refuse as text, before anything is sent', () => {
    const out = new BinaryCopyWriter(0);
    expect(() => out.value('uuid', 'not-a-uuid')).toThrow(/uuid/);
    expect(() => out.value('uuid', '0000000g-0000-7000-8000-000000000000')).toThrow(/uuid/);
    expect(() => out.value('int4', 1.5)).toThrow(/integer/);
    expect(() => out.value('int2', 40000)).toThrow(/out of range/);
    expect(() => out.value('timestamptz', new Date(NaN))).toThrow(/Invalid time/);
    expect(() => out.value('date', 'yesterday')).toThrow(/date/);
  });
});
