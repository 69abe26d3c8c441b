import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../src/app/import/csv-import.ts';
import { insertContactsBulk } from '../../src/storage/import-bulk.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A COPY that fails (here: another transaction commits a contact with the same email while the
 * chunk's COPY waits on the unique index) fails its chunk like an INSERT would: the import answers
 * the database error, its run is marked failed, and the chunk wrote nothing.
 */
let t: TestApp;

describe('a failing COPY fails its chunk and writes nothing partial', () => {
  beforeAll(async () => { t = await createTestApp(); }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('a unique violation inside the contacts COPY rolls the chunk back', async () => {
    const file = ['Email,First Name,Last Name', 'first@copyfail.example,First,One', 'clash@copyfail.example,Clash,Two', 'third@copyfail.example,Third,Three'].join('\r\n') + '\r\n';
    let commit!: () => void;
    const release = new Promise<void>((r) => { commit = r; });
    let inserted!: () => void;
    const insertedNow = new Promise<void>((r) => { inserted = r; });
    // Another writer holds an uncommitted contact with one of the file's emails.
    const other = t.db.transaction().execute(async (trx) => {
      await insertContactsBulk(trx, t.workspace.id, [{
        id: newId(), email: 'clash@copyfail.example', firstName: 'Other', lastName: null, title: null, phone: null, country: null, accountId: null,
        status: 'known', attributes: {}, firstTouchAt: null, firstSource: null, createdAt: new Date(),
      }]);
      inserted();
      await release;
    });
    await insertedNow;
    const importing = importCsv(t.deps, t.workspace.id, () => Readable.from([file]), { entity: 'contacts', preset: 'generic' });
    importing.catch(() => {});
    // The import does not see the uncommitted contact, creates its own, and its COPY waits on the index until this commits.
    await new Promise((r) => setTimeout(r, 500));
    commit();
    await other;
    await expect(importing).rejects.toThrow(/duplicate key|contact_email/);
    const emails = (await sql<{ email: string; first_name: string }>`SELECT email, first_name FROM contact WHERE workspace_id = ${t.workspace.id} AND email LIKE '%@copyfail.example' ORDER BY email`.execute(t.db)).rows;
    expect(emails).toEqual([{ email: 'clash@copyfail.example', first_name: 'Other' }]);
    const identities = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contact_identity WHERE workspace_id = ${t.workspace.id} AND value LIKE '%@copyfail.example'`.execute(t.db)).rows[0]!.n;
    expect(identities).toBe(0);
    const run = (await sql<{ status: string }>`SELECT status FROM import_run WHERE workspace_id = ${t.workspace.id} ORDER BY started_at DESC LIMIT 1`.execute(t.db)).rows[0]!;
    expect(run.status).toBe('failed');
  }, 60_000);
});
