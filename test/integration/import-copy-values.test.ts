import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { importCsv } from '../../src/app/import/csv-import.ts';
import { csvLines } from '../../src/core/csv.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * A contacts import writes its hot tables with COPY (binary format now; text before, where tab, newline, carriage
 * return and backslash were syntax and `\N` meant NULL): cells holding exactly those characters must
 * be stored as written, in the contact's columns, its attributes (jsonb) and its lead history.
 */
let t: TestApp;

describe('contacts import through COPY keeps every character of a cell', () => {
  beforeAll(async () => {
    t = await createTestApp();
    must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('tabs, line breaks, backslashes, a literal \\N and quotes survive in columns and jsonb attributes', async () => {
    const tricky = ['Tab\there', 'Line\nbreak', 'Carriage\r\nreturn', 'Back\\slash', '\\N', 'Quote " and {brace}', 'Ünïcødé ✓'];
    const rows = tricky.map((v, i) => [String(300 + i), v, `Last ${v}`, `tricky${i}@copyco.example`, v, 'CopyCo', 'copyco.example', 'Lead', v]);
    const file = csvLines([['Record ID', 'First Name', 'Last Name', 'Email', 'Job Title', 'Company Name', 'Website URL', 'Lifecycle Stage', 'Favourite Quote'], ...rows]);
    const summary = must(await importCsv(t.deps, t.workspace.id, () => Readable.from([file]), { entity: 'contacts', preset: 'hubspot' }));
    expect(summary.stats).toMatchObject({ inserted: tricky.length, errors: 0 });
    const stored = (await sql<{ email: string; first_name: string; last_name: string; title: string; attributes: Record<string, unknown>; leads: number }>`
      SELECT c.email, c.first_name, c.last_name, c.title, c.attributes, (SELECT count(*)::int FROM lead l WHERE l.contact_id = c.id) AS leads
      FROM contact c WHERE c.workspace_id = ${t.workspace.id} AND c.email LIKE 'tricky%' ORDER BY c.email`.execute(t.db)).rows;
    expect(stored).toHaveLength(tricky.length);
    for (const [i, v] of tricky.entries()) {
      const c = stored.find((s) => s.email === `tricky${i}@copyco.example`)!;
      expect({ first: c.first_name, last: c.last_name, title: c.title, leads: c.leads }).toEqual({ first: v.trim(), last: `Last ${v}`.trim(), title: v.trim(), leads: 1 });
      expect(Object.values(c.attributes)).toContain(v.trim());
    }
  });
});
