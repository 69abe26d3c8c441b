import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsertContacts, bulkInsertLeads, bulkInsertTransitions, type BulkTransition } from '../../src/storage/bulk.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { prng } from '../helpers/prng.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The insert trigger builds a lead's summary from the statement's own rows when the lead had none
 * (migration 2026-12-03-00). Whatever the mix — fresh leads alone, fresh and known leads in one
 * statement, histories inserted out of time order, two transactions racing on one fresh lead — the
 * table must equal the summary computed from the whole history (the lead-summary migration's backfill).
 */
const hour = 3_600_000;
let t: TestApp;
let ws: string;
const rnd = prng(20261203);
const stages = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'nurture', 'disqualified'] as const;

beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

async function makeLeads(n: number): Promise<string[]> {
  const start = Date.UTC(2026, 0, 1);
  const leads = Array.from({ length: n }, (_, i) => ({ id: newId(start + i), contactId: newId(start + i) }));
  await bulkInsertContacts(t.deps.db, ws, leads.map((l) => ({
    id: l.contactId, email: `${l.contactId}@fresh.test`, firstName: null, lastName: null, title: null, seniority: null, department: null, phone: null,
    country: null, accountId: null, status: 'known', firstTouch: { at: null, source: null, medium: null, campaign: null },
    latestTouch: { at: null, source: null, medium: null, campaign: null }, createdAt: start, updatedAt: start,
  })));
  await bulkInsertLeads(t.deps.db, ws, leads.map((l) => ({
    id: l.id, contactId: l.contactId, accountId: null, stage: 'inquiry', ownerId: null, openedAt: start, stageEnteredAt: start, closedAt: null,
    mqlAt: null, recycleCount: 0, lastReasonCode: null, recheckAt: null, source: null, campaign: null, firstTouchAt: null, latestSource: null,
    latestCampaign: null, fitScore: null, engagementScore: null, rating: null, definitionId: null, updatedAt: start,
  })));
  return leads.map((l) => l.id);
}

function history(leadId: string, steps: number): BulkTransition[] {
  let at = Date.UTC(2026, 0, 1) + Math.floor(rnd() * 1000) * hour;
  return Array.from({ length: steps }, () => {
    // Same-time steps too: the order is (at, id).
    at += rnd() < 0.2 ? 0 : Math.floor(1 + rnd() * 200) * hour + Math.floor(rnd() * 1000);
    return { id: newId(at), leadId, from: null, to: stages[Math.floor(rnd() * stages.length)]!, at, actorType: 'system', actorId: null, reasonCode: null, note: null, definitionId: null, isRecycle: false };
  });
}

/**
 * Rows of the table that differ from the backfill's computation over the whole history (both directions),
 * plus leads whose history_* copy (migration 2026-12-08-20) differs from it (0 / false / NULL without a history).
 */
async function differences(): Promise<number> {
  const { rows } = await sql<{ n: number }>`WITH expected AS (
      SELECT workspace_id, lead_id,
        max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
          WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END) AS reached,
        count(*) FILTER (WHERE to_stage = 'mql')::int AS mql_events, bool_or(to_stage = 'disqualified') AS disqualified, bool_or(to_stage = 'nurture') AS nurtured,
        min(at) FILTER (WHERE to_stage = 'mql') AS mql_at, min(at) FILTER (WHERE to_stage = 'sal') AS sal_at, min(at) FILTER (WHERE to_stage = 'won') AS won_at,
        min(at) FILTER (WHERE to_stage IN ('sql', 'opportunity', 'won')) AS after_sal_at,
        coalesce(array_agg(to_stage ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_stages,
        coalesce(array_agg(extract(epoch FROM next_at - at)::float8 ORDER BY at, id) FILTER (WHERE next_at IS NOT NULL), '{}') AS stay_seconds
      FROM (SELECT workspace_id, lead_id, to_stage, at, id, lead(at) OVER (PARTITION BY workspace_id, lead_id ORDER BY at, id) AS next_at
        FROM stage_transition WHERE workspace_id = ${ws}) h
      GROUP BY workspace_id, lead_id),
    actual AS (SELECT workspace_id, lead_id, reached, mql_events, disqualified, nurtured, mql_at, sal_at, won_at, after_sal_at, stay_stages, stay_seconds
      FROM lead_stage_summary WHERE workspace_id = ${ws})
    SELECT count(*)::int AS n FROM ((SELECT * FROM expected EXCEPT SELECT * FROM actual) UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM expected)) d`.execute(t.deps.db);
  return rows[0]!.n + (await leadCopyDifferences());
}

async function leadCopyDifferences(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead l
    LEFT JOIN (SELECT lead_id, max(CASE to_stage WHEN 'inquiry' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
          WHEN 'opportunity' THEN 5 WHEN 'lost' THEN 5 WHEN 'won' THEN 6 ELSE 0 END) AS reached,
        count(*) FILTER (WHERE to_stage = 'mql')::int AS mql_events, bool_or(to_stage = 'disqualified') AS disqualified, bool_or(to_stage = 'nurture') AS nurtured,
        min(at) FILTER (WHERE to_stage = 'mql') AS mql_at, min(at) FILTER (WHERE to_stage = 'sal') AS sal_at, min(at) FILTER (WHERE to_stage = 'won') AS won_at,
        min(at) FILTER (WHERE to_stage IN ('sql', 'opportunity', 'won')) AS after_sal_at
      FROM stage_transition WHERE workspace_id = ${ws} GROUP BY lead_id) e ON e.lead_id = l.id
    WHERE l.workspace_id = ${ws} AND (l.history_reached, l.history_mql_events, l.history_disqualified, l.history_nurtured, l.history_mql_at, l.history_sal_at,
        l.history_won_at, l.history_after_sal_at) IS DISTINCT FROM (coalesce(e.reached, 0), coalesce(e.mql_events, 0), coalesce(e.disqualified, false),
        coalesce(e.nurtured, false), e.mql_at, e.sal_at, e.won_at, e.after_sal_at)`.execute(t.deps.db);
  return rows[0]!.n;
}

describe('lead_stage_summary for leads without one', () => {
  it('equals the summary of the whole history for fresh leads, fresh and known leads in one statement, and out-of-order inserts', async () => {
    const leads = await makeLeads(120);
    const histories = new Map(leads.map((id) => [id, history(id, 1 + Math.floor(rnd() * 7))]));
    // Fresh leads, several steps each, in one statement (what an import chunk writes).
    await bulkInsertTransitions(t.deps.db, ws, leads.slice(0, 60).flatMap((id) => histories.get(id)!));
    expect(await differences()).toBe(0);
    // One statement mixing leads that have a summary (later and earlier steps) with fresh ones.
    const more = leads.slice(0, 60).filter(() => rnd() < 0.5).flatMap((id) => history(id, 2));
    await bulkInsertTransitions(t.deps.db, ws, [...more, ...leads.slice(60, 90).flatMap((id) => histories.get(id)!)]);
    expect(await differences()).toBe(0);
    // Fresh leads written step by step, latest first.
    for (const id of leads.slice(90)) for (const step of [...histories.get(id)!].reverse()) await bulkInsertTransitions(t.deps.db, ws, [step]);
    expect(await differences()).toBe(0);
    const counted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead_stage_summary WHERE workspace_id = ${ws} AND cardinality(stay_stages) > 0`.execute(t.deps.db);
    expect(counted.rows[0]!.n).toBeGreaterThan(60);
  }, 120_000);

  it('two transactions giving one fresh lead its first history both count (the second waits, then recomputes)', async () => {
    const [lead] = await makeLeads(1);
    const first = history(lead!, 3);
    const second = history(lead!, 2);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const firstInserted = new Promise<void>((r) => { inserted = r; });
    const a = t.deps.db.transaction().execute(async (trx) => {
      await bulkInsertTransitions(trx, ws, first);
      inserted();
      await held;
    });
    await firstInserted;
    const b = t.deps.db.transaction().execute(async (trx) => { await bulkInsertTransitions(trx, ws, second); });
    // b waits on a's uncommitted summary row; let a commit.
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([a, b]);
    expect(await differences()).toBe(0);
    const row = await sql<{ n: number }>`SELECT cardinality(stay_stages)::int AS n FROM lead_stage_summary WHERE workspace_id = ${ws} AND lead_id = ${lead}`.execute(t.deps.db);
    expect(row.rows[0]!.n).toBe(4);
  }, 60_000);

  it("keeps the lead's copy when transitions are moved, re-staged and deleted, down to none", async () => {
    const leads = await makeLeads(30);
    await bulkInsertTransitions(t.deps.db, ws, leads.flatMap((id) => history(id, 2 + Math.floor(rnd() * 4))));
    expect(await leadCopyDifferences()).toBe(0);
    const reached = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead WHERE id = ANY(${leads}::uuid[]) AND history_reached > 0`.execute(t.deps.db);
    expect(reached.rows[0]!.n).toBeGreaterThan(20);
    // One statement re-stages a transition of every lead to won (history_won_at appears) and moves another later.
    await sql`UPDATE stage_transition st SET to_stage = CASE WHEN x.k = 1 THEN 'won' ELSE st.to_stage END,
        at = CASE WHEN x.k = 2 THEN st.at + interval '3 days' ELSE st.at END
      FROM (SELECT id, row_number() OVER (PARTITION BY lead_id ORDER BY at, id) AS k FROM stage_transition WHERE lead_id = ANY(${leads}::uuid[])) x
      WHERE st.id = x.id`.execute(t.deps.db);
    expect(await leadCopyDifferences()).toBe(0);
    // Deleting the first transition of each lead, then every transition of half of them (their summary row goes).
    await sql`DELETE FROM stage_transition WHERE id IN (SELECT DISTINCT ON (lead_id) id FROM stage_transition WHERE lead_id = ANY(${leads}::uuid[]) ORDER BY lead_id, at, id)`.execute(t.deps.db);
    expect(await leadCopyDifferences()).toBe(0);
    await sql`DELETE FROM stage_transition WHERE lead_id = ANY(${leads.slice(0, 15)}::uuid[])`.execute(t.deps.db);
    expect(await differences()).toBe(0);
    const cleared = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead WHERE id = ANY(${leads.slice(0, 15)}::uuid[])
      AND history_reached = 0 AND history_mql_at IS NULL AND NOT history_nurtured`.execute(t.deps.db);
    expect(cleared.rows[0]!.n).toBe(15);
  }, 60_000);
});
