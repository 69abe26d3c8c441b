import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customOnMerge, notAboutLeads, personalData, registeredColumns } from '../../src/core/privacy/personal-data.registry.ts';
import { mergeCustomTables } from '../../src/storage/ingest.repo.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

/**
 * The registry of personal data must know the schema: a migration that adds a column referencing a
 * contact, or a column whose name says personal data, fails here until the registry declares how it is
 * erased, exported and merged (or `notAboutLeads` says why it is not about leads).
 */
let t: TestDatabase;
beforeAll(async () => { t = await createTestDatabase(); });
afterAll(async () => { await t?.close(); });

/** Column names that hold personal or free-text data wherever they appear. */
const personalNames = ['email', 'first_name', 'last_name', 'phone', 'ip', 'ip_address', 'user_agent', 'comment', 'anonymous_id', 'payload', 'properties', 'context', 'note', 'body', 'response_snippet', 'referrer', 'value', 'external_id', 'message_id', 'details', 'file_name'];

describe('registry of personal data', () => {
  it('knows every column that references a contact (by name or by foreign key)', async () => {
    const byName = await sql<{ col: string }>`SELECT table_name || '.' || column_name AS col FROM information_schema.columns
      WHERE table_schema = 'public' AND (column_name = 'contact_id' OR column_name LIKE '%\\_contact\\_id' OR column_name = 'merged_into_id')`.execute(t.db);
    const byFk = await sql<{ col: string }>`SELECT c.conrelid::regclass::text || '.' || a.attname AS col
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
      WHERE c.contype = 'f' AND c.confrelid = 'contact'::regclass AND a.attname <> 'workspace_id'`.execute(t.db);
    const reached = new Set(personalData.map((e) => `${e.table}.${e.reach.column}`));
    const unknown = [...new Set([...byName.rows, ...byFk.rows].map((r) => r.col))].filter((c) => !reached.has(c));
    expect(unknown, 'declare these in src/core/privacy/personal-data.registry.ts').toEqual([]);
  });

  it('knows every column whose name says personal data', async () => {
    const cols = await sql<{ col: string }>`SELECT table_name || '.' || column_name AS col FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = ANY(${personalNames}::text[])`.execute(t.db);
    const known = registeredColumns();
    const unknown = cols.rows.map((r) => r.col).filter((c) => !known.has(c) && !(c in notAboutLeads));
    expect(unknown, 'declare these in the registry (or in notAboutLeads, saying why)').toEqual([]);
  });

  it('names only tables and columns that exist', async () => {
    const cols = await sql<{ col: string }>`SELECT table_name || '.' || column_name AS col FROM information_schema.columns WHERE table_schema = 'public'`.execute(t.db);
    const existing = new Set(cols.rows.map((r) => r.col));
    const stale = [...registeredColumns(), ...Object.keys(notAboutLeads)].filter((c) => !existing.has(c));
    expect(stale).toEqual([]);
  });

  it("the merge's hand-written steps are exactly the registry's `custom` tables", () => {
    expect([...customOnMerge()].sort()).toEqual([...mergeCustomTables].sort());
  });
});
