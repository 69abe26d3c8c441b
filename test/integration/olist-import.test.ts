import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOlist } from '../../src/app/import/olist-import.ts';
import { transitionTable } from '../../src/core/lifecycle.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = path.resolve(repoRoot, '../shared/data/olist-marketing-funnel');
const present = existsSync(dataDir);
if (!present) console.warn(`[olist-import.test] skipped: the Olist data set is not at ${dataDir} (see ../shared/data/README.md).`);

let t: TestDatabase;
beforeAll(async () => { if (present) t = await createTestDatabase(); });
afterAll(async () => { await t?.close(); });

async function count(query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  const r = await query.execute(t.db);
  return Number(r.rows[0]!.n);
}

describe.skipIf(!present)('Olist marketing funnel import (needs ../shared/data/olist-marketing-funnel)', () => {
  let workspaceId = '';

  it('loads 8,000 MQLs and 842 won deals', async () => {
    const phases: string[] = [];
    const r = await importOlist(t.deps, dataDir, { onProgress: (_d, _t, p) => phases.push(p) });
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toMatchObject({ mqls: 8000, deals: 842, skipped: 0 });
    expect(phases.length).toBeGreaterThan(0);
    workspaceId = r.value.workspaceId;
    const ws = sql<{ n: number }>;
    expect(await count(ws`SELECT count(*) n FROM contact_identity WHERE workspace_id = ${workspaceId} AND kind = 'external_id' AND value LIKE 'olist:%'`)).toBe(8000);
    expect(await count(ws`SELECT count(*) n FROM lead WHERE workspace_id = ${workspaceId} AND stage = 'mql'`)).toBe(8000 - 842);
    expect(await count(ws`SELECT count(*) n FROM lead WHERE workspace_id = ${workspaceId} AND stage = 'won' AND owner_id IS NOT NULL`)).toBe(842);
    expect(await count(ws`SELECT count(*) n FROM opportunity WHERE workspace_id = ${workspaceId} AND status = 'won' AND currency = 'BRL' AND owner_id IS NOT NULL AND attributes ? 'declared_monthly_revenue'`)).toBe(842);
    expect(await count(ws`SELECT count(*) n FROM opportunity_lead WHERE workspace_id = ${workspaceId}`)).toBe(842);
    expect(await count(ws`SELECT count(*) n FROM opportunity_contact_role WHERE workspace_id = ${workspaceId} AND is_primary`)).toBe(842);
    expect(await count(ws`SELECT count(*) n FROM activity WHERE workspace_id = ${workspaceId} AND type = 'page_view' AND url LIKE '/lp/%'`)).toBe(8000);
    // The file's own 'unknown' origin (1,099 MQLs) stays apart from its 60 blank origins (no source recorded).
    expect(await count(ws`SELECT count(*) n FROM lead WHERE workspace_id = ${workspaceId} AND source = 'unknown'`)).toBe(1099);
    expect(await count(ws`SELECT count(*) n FROM lead WHERE workspace_id = ${workspaceId} AND source IS NULL`)).toBe(60);
    expect(await count(ws`SELECT count(*) n FROM contact WHERE workspace_id = ${workspaceId} AND first_source IS NULL`)).toBe(60);
    expect(await count(ws`SELECT count(*) n FROM app_user WHERE workspace_id = ${workspaceId} AND role = 'sales' AND email LIKE 'sdr-%@olist.example'`)).toBe(32);
    expect(await count(ws`SELECT count(*) n FROM app_user WHERE workspace_id = ${workspaceId} AND role = 'sales' AND email LIKE 'sr-%@olist.example'`)).toBe(22);
  });

  it('keeps the first touch and the lead history the lifecycle allows', async () => {
    const mql = await sql<{ first_touch_at: Date; first_source: string; opened_at: Date; lead_source: string }>`
      SELECT c.first_touch_at, c.first_source, l.opened_at, l.source AS lead_source FROM contact_identity i
      JOIN contact c ON c.workspace_id = i.workspace_id AND c.id = i.contact_id
      JOIN lead l ON l.workspace_id = c.workspace_id AND l.contact_id = c.id
      WHERE i.workspace_id = ${workspaceId} AND i.value = 'olist:dac32acd4db4c29c230538b72f8dd87d'`.execute(t.db);
    expect(mql.rows[0]).toMatchObject({ first_source: 'social', lead_source: 'social' });
    expect(mql.rows[0]!.first_touch_at.toISOString()).toBe('2018-02-01T00:00:00.000Z');
    expect(mql.rows[0]!.opened_at.toISOString()).toBe('2018-02-01T00:00:00.000Z');

    const moves = await sql<{ from_stage: string | null; to_stage: string; n: number }>`
      SELECT from_stage, to_stage, count(*)::int AS n FROM stage_transition WHERE workspace_id = ${workspaceId} GROUP BY 1, 2`.execute(t.db);
    for (const m of moves.rows) {
      if (m.from_stage === null) expect(m.to_stage).toBe('inquiry');
      else expect(transitionTable.some((r) => r.from === m.from_stage && r.to === m.to_stage), `${m.from_stage}→${m.to_stage}`).toBe(true);
    }
    const byMove = Object.fromEntries(moves.rows.map((m) => [`${m.from_stage}>${m.to_stage}`, m.n]));
    expect(byMove).toEqual({ 'null>inquiry': 8000, 'inquiry>mql': 8000, 'mql>sal': 842, 'sal>sql': 842, 'sql>opportunity': 842, 'opportunity>won': 842 });

    const deal = await sql<{ amount: string; close_date: string; attributes: Record<string, unknown>; owner: string; lead_owner: string }>`
      SELECT o.amount, o.close_date, o.attributes, u.email AS owner, lu.email AS lead_owner FROM opportunity o
      JOIN app_user u ON u.workspace_id = o.workspace_id AND u.id = o.owner_id
      JOIN opportunity_lead ol ON ol.workspace_id = o.workspace_id AND ol.opportunity_id = o.id
      JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id
      JOIN app_user lu ON lu.workspace_id = l.workspace_id AND lu.id = l.owner_id
      WHERE o.workspace_id = ${workspaceId} AND o.external_id = 'olist:5420aad7fec3549a85876ba1c529bd84'`.execute(t.db);
    expect(deal.rows[0]).toMatchObject({ close_date: '2018-02-26', owner: 'sr-4ef15afb@olist.example', lead_owner: 'sdr-a8387c01@olist.example' });
    expect(Number(deal.rows[0]!.amount)).toBe(0);
    expect(deal.rows[0]!.attributes).toMatchObject({ business_segment: 'pet', lead_type: 'online_medium', sdr_id: 'a8387c01a09e99ce014107505b92388c' });
  });

  it('is idempotent: a second run answers the same counts and writes nothing new', async () => {
    const before = await count(sql<{ n: number }>`SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM lead) + (SELECT count(*) FROM stage_transition) + (SELECT count(*) FROM activity) + (SELECT count(*) FROM opportunity) + (SELECT count(*) FROM app_user) AS n`);
    const again = await importOlist(t.deps, dataDir, {});
    expect(again.ok && again.value).toEqual({ workspaceId, mqls: 8000, deals: 842, skipped: 0 });
    const after = await count(sql<{ n: number }>`SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM lead) + (SELECT count(*) FROM stage_transition) + (SELECT count(*) FROM activity) + (SELECT count(*) FROM opportunity) + (SELECT count(*) FROM app_user) AS n`);
    expect(after).toBe(before);
  });

  it('answers NotFound for a folder without the files', async () => {
    const r = await importOlist(t.deps, path.join(repoRoot, 'test'), {});
    expect(!r.ok && r.code).toBe('NotFound');
  });
});
