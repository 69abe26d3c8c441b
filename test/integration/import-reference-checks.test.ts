import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReferencesByChunk, insertAccountsBulk, lockReferencedRows } from '../../src/storage/import-bulk.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A contacts chunk that checks its references itself (per-row foreign-key triggers off) must hold
 * the locks those checks would: a concurrent delete of a matched account waits for the chunk, a
 * reference to a row that is gone fails the chunk, and the triggers are off only inside its transaction.
 */
let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('chunk reference checks', () => {
  it('lock matched accounts FOR KEY SHARE: a concurrent delete waits for the chunk', async () => {
    const account = newId();
    await t.db.transaction().execute((trx) => insertAccountsBulk(trx, ws, [{ id: account, name: 'Locked Co', domain: 'locked.example', industry: null, employeeCount: null, country: null, annualRevenue: null, externalId: null, attributes: {} }]));
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const chunk = t.db.transaction().execute(async (trx) => {
      await checkReferencesByChunk(trx, ws);
      const role = await sql<{ r: string }>`SELECT current_setting('session_replication_role') AS r`.execute(trx);
      expect(role.rows[0]!.r).toBe('replica');
      await lockReferencedRows(trx, ws, { accounts: [account], contacts: [] });
      locked();
      await held;
    });
    await isLocked;
    // The delete must wait on the chunk's key-share lock (a 300 ms lock timeout says it did).
    const deletion = t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '300ms'`.execute(trx);
      await sql`DELETE FROM account WHERE workspace_id = ${ws} AND id = ${account}`.execute(trx);
    });
    await expect(deletion).rejects.toThrow(/lock timeout/);
    release();
    await chunk;
    // Outside the chunk's transaction the foreign-key triggers are back.
    const role = await sql<{ r: string }>`SELECT current_setting('session_replication_role') AS r`.execute(t.db);
    expect(role.rows[0]!.r).toBe('origin');
  }, 60_000);

  it('a reference to a row that is gone fails the chunk, as a foreign-key violation would', async () => {
    await expect(t.db.transaction().execute(async (trx) => {
      await checkReferencesByChunk(trx, ws);
      await lockReferencedRows(trx, ws, { accounts: [newId()], contacts: [] });
    })).rejects.toThrow(/account this import references was deleted/);
    await expect(t.db.transaction().execute(async (trx) => {
      await checkReferencesByChunk(trx, ws);
      await lockReferencedRows(trx, ws, { accounts: [], contacts: [newId()] });
    })).rejects.toThrow(/contact this import references was deleted/);
  }, 60_000);
});
