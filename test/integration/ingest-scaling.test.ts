import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../src/core/identity-resolution.rules.ts';
import type { Trx } from '../../src/storage/db.ts';
import { applyTouches, lockIdentitiesAndFindSeen, loadIdentitySnapshot, patchContactsFromTraits } from '../../src/storage/ingest.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { json, segment } from '../helpers/ingest-helpers.ts';

/**
 * A batch's lookups and updates must read rows of the batch, not of the workspace. A workspace
 * ingesting in bulk grows faster than autovacuum re-analyzes, and with the statistics of a small
 * table joins against the batch's keys became hash joins over every activity/contact of the
 * workspace: each batch cost O(workspace), the bulk ingest O(n²). Autovacuum is off here after one early
 * ANALYZE, so the statistics stay as stale as they are during a bulk ingest.
 */
let t: TestApp;
const VISITORS = 600;
const EVENTS_PER_VISITOR = 5;

beforeAll(async () => {
  t = await createTestApp();
  for (const table of ['activity', 'contact', 'contact_identity', 'processed_message']) {
    await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_enabled = false)`.execute(t.db);
  }
  const now = t.clock.now().getTime();
  const messages = Array.from({ length: VISITORS * EVENTS_PER_VISITOR }, (_, i) => {
    const visitor = Math.floor(i / EVENTS_PER_VISITOR);
    return {
      type: 'page', messageId: `m-${i}`, anonymousId: `v-${visitor}`, timestamp: new Date(now - 3_600_000 + i * 100).toISOString(),
      properties: { url: `https://acme.example/page-${i % 7}` }, context: { campaign: { source: 'google', medium: 'cpc', name: 'q1' } },
    };
  });
  for (let i = 0; i < messages.length; i += 500) {
    const r = await segment(t, '/v1/batch', { batch: messages.slice(i, i + 500) });
    expect(json(r).stored).toBe(Math.min(500, messages.length - i));
    // Statistics taken once, early, then left to go stale: the workspace is known to the planner (as after
    // its first autoanalyze) but six times smaller than it has grown.
    if (i === 0) for (const table of ['activity', 'contact', 'contact_identity', 'processed_message']) await sql`ANALYZE ${sql.table(table)}`.execute(t.db);
  }
}, 120_000);
afterAll(async () => { await t?.close(); });

/** Rows this transaction read from these tables so far (sequential and index fetches). */
async function rowsRead(trx: Trx): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COALESCE(sum(COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0)), 0)::int AS n
    FROM pg_stat_xact_user_tables WHERE relname IN ('activity', 'contact', 'contact_identity', 'processed_message')`.execute(trx);
  return r.rows[0]!.n;
}

describe('per-batch lookups stay proportional to the batch', () => {
  it('dedupe, identity snapshot, touches and traits read the batch\'s rows, not the workspace\'s', async () => {
    const ws = t.workspace.id;
    const contacts = await t.db.selectFrom('contact').select(['id']).where('workspace_id', '=', ws).orderBy('id').limit(5).execute();
    expect(contacts).toHaveLength(5);
    await t.db.transaction().execute(async (trx) => {
      const before = await rowsRead(trx);
      // Five known visitors and five new ones; two stored message ids and three new ones.
      const anon = ['v-1', 'v-2', 'v-3', 'v-4', 'v-5', 'new-1', 'new-2', 'new-3', 'new-4', 'new-5'];
      const seen = await lockIdentitiesAndFindSeen(trx, ws, anon.map((a) => identityKey('anonymous_id', a)), ['m-7', 'm-2999', 'x-1', 'x-2', 'x-3'], ['x-4']);
      expect([...seen].sort()).toEqual(['m-2999', 'm-7']);
      const snapshot = await loadIdentitySnapshot(trx, ws, { kinds: anon.map(() => 'anonymous_id'), values: anon, emails: ['nobody@acme.example'] });
      expect(snapshot.bindings.size).toBe(5);
      expect(snapshot.contacts.size).toBe(5);
      const at = t.clock.now();
      const touch = { source: 'google', medium: 'cpc', campaign: 'q2' };
      await applyTouches(trx, ws, contacts.map((c) => ({ contactId: c.id, firstAt: at, first: touch, latestAt: at, latest: touch })));
      await patchContactsFromTraits(trx, ws, contacts.map((c) => ({ contactId: c.id, title: 'VP Marketing' })));
      const read = (await rowsRead(trx)) - before;
      // A handful of rows per key; a scan of the workspace reads thousands.
      expect(read).toBeLessThan(100);
      const updated = await trx.selectFrom('contact').select(['title', 'latest_campaign']).where('workspace_id', '=', ws).where('id', 'in', contacts.map((c) => c.id)).execute();
      expect(updated.every((c) => c.title === 'VP Marketing' && c.latest_campaign === 'q2')).toBe(true);
      throw new RollbackProbe();
    }).catch((e: unknown) => { if (!(e instanceof RollbackProbe)) throw e; });
  });
});

class RollbackProbe extends Error {}
