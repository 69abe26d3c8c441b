import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContact } from '../../src/app/contacts.ts';
import { openLead, transitionLead } from '../../src/app/leads.ts';
import { runReport } from '../../src/app/reports/reports.ts';
import type { ReportName } from '../../src/app/reports/report.types.ts';
import { allowedTransitions, type Stage } from '../../src/core/lifecycle.ts';
import { bulkInsertContacts, bulkInsertLeads, bulkInsertTransitions, type BulkTransition } from '../../src/storage/bulk.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { listReasonCodes } from '../../src/storage/reasons.repo.ts';
import { prng } from '../helpers/prng.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Equivalence: the reports read the maintained lead_stage_summary; the reference aggregates the
 * stage_transition history on every call (reachedCteFromHistory, stageVelocityReference). With
 * `reference.on` the report modules get the reference SQL swapped in, so whole report envelopes can
 * be compared on one randomized history written through the app path and the bulk (demo) path.
 */
const reference = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/storage/reports/report-sql.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/storage/reports/report-sql.ts')>();
  return { ...m, reachedCte: (scope: Parameters<typeof m.reachedCte>[0]) => (reference.on ? m.reachedCteFromHistory(scope) : m.reachedCte(scope)) };
});
vi.mock('../../src/storage/reports/funnel.repo.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/storage/reports/funnel.repo.ts')>();
  return { ...m, stageVelocity: (...a: Parameters<typeof m.stageVelocity>) => (reference.on ? m.stageVelocityReference(...a) : m.stageVelocity(...a)) };
});

const hour = 3_600_000;
const sources = ['webinar', 'paid_search', 'email', '', null] as const;
const campaigns = ['Spring', 'Autumn', null] as const;

let t: TestApp;
let ws: string;
const rnd = prng(20261122);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

/** A random walk along the lifecycle table: recycles, rejections, re-qualifications, wins and losses. */
function walk(reasons: { code: string; outcome: string }[]): { to: Stage; reasonCode: string | null }[] {
  const steps: { to: Stage; reasonCode: string | null }[] = [];
  let stage: Stage = 'inquiry';
  const length = Math.floor(rnd() * 9);
  for (let i = 0; i < length; i++) {
    const options = allowedTransitions(stage);
    if (options.length === 0) break;
    // Lean forward so many leads get far, but keep detours common.
    const forward = options.filter((o) => o.reason === null);
    const rule = forward.length > 0 && rnd() < 0.65 ? pick(forward) : pick(options);
    const fitting = reasons.filter((r) => r.outcome === rule.reason);
    steps.push({ to: rule.to, reasonCode: rule.reason === null ? null : pick(fitting).code });
    stage = rule.to;
  }
  return steps;
}

async function compareReports(label: string): Promise<void> {
  const periods = [{ from: '2026-01-01', to: '2026-04-30' }, { from: '2026-02-01', to: '2026-02-28' }];
  const names: ReportName[] = ['funnel', 'sources', 'time-to-sales-ready'];
  for (const period of periods) {
    for (const by of ['source', 'campaign', 'owner', 'month'] as const) {
      for (const name of names) {
        reference.on = false;
        const summary = must(await runReport(t.deps, ws, name, { ...period, by }));
        reference.on = true;
        const history = must(await runReport(t.deps, ws, name, { ...period, by }));
        reference.on = false;
        expect(summary, `${label}: ${name} by ${by} ${period.from}..${period.to}`).toEqual(history);
      }
    }
  }
}

describe('lead_stage_summary', () => {
  it('gives the same funnel, sources and time-to-sales-ready reports as aggregating the history (app path, bulk path, edits)', async () => {
    const reasons = await listReasonCodes(t.deps.db, ws);
    const owners = Object.values(t.users).map((u) => u.id);
    const start = Date.parse('2026-01-01T00:00:00Z');

    // App path: openLead + transitionLead (hand-off, nurture and deal hooks included).
    const appLeads: string[] = [];
    for (let i = 0; i < 160; i++) {
      const contact = must(await createContact(t.deps, ws, { email: `app${i}@summary.test` }));
      let at = start + Math.floor(rnd() * 110 * 24) * hour;
      const lead = must(await openLead(t.deps, ws, { contactId: contact.id, actor: { type: 'system', id: null }, at: new Date(at) }));
      appLeads.push(lead.id);
      for (const step of walk(reasons)) {
        at += Math.floor(1 + rnd() * 24 * 6) * hour;
        must(await transitionLead(t.deps, ws, lead.id, { ...step, actor: { type: 'system', id: null }, at: new Date(at) }));
      }
    }
    // Group keys for the app leads (lead columns only; the history is untouched).
    await sql`UPDATE lead SET source = (ARRAY['webinar','paid_search','email',''])[1 + (get_byte(uuid_send(id), 15) % 4)],
      campaign = (ARRAY['Spring','Autumn',NULL])[1 + (get_byte(uuid_send(id), 14) % 3)] WHERE workspace_id = ${ws}`.execute(t.deps.db);

    // Bulk (demo) path: leads with whole histories, written in several statements out of time order,
    // some transitions at the same instant (ties are ordered by id), some leads without any history.
    const bulkLeads: { id: string; contactId: string; openedAt: number; stage: string; transitions: BulkTransition[] }[] = [];
    for (let i = 0; i < 240; i++) {
      const openedAt = start + Math.floor(rnd() * 110 * 24) * hour;
      let at = openedAt;
      const leadId = newId(openedAt);
      const transitions: BulkTransition[] = [{ id: newId(at), leadId, from: null, to: 'inquiry', at, actorType: 'system', actorId: null, reasonCode: null, note: null, definitionId: null, isRecycle: false }];
      let stage = 'inquiry';
      for (const step of walk(reasons)) {
        at += rnd() < 0.15 ? 0 : Math.floor(1 + rnd() * 24 * 8) * hour;
        transitions.push({ id: newId(at), leadId, from: stage, to: step.to, at, actorType: 'user', actorId: null, reasonCode: step.reasonCode, note: null, definitionId: null, isRecycle: step.to === 'nurture' && stage !== 'inquiry' });
        stage = step.to;
      }
      bulkLeads.push({ id: leadId, contactId: newId(openedAt), openedAt, stage, transitions: i % 17 === 0 ? [] : transitions });
    }
    await bulkInsertContacts(t.deps.db, ws, bulkLeads.map((l, i) => ({
      id: l.contactId, email: `bulk${i}@summary.test`, firstName: null, lastName: null, title: null, seniority: null, department: null, phone: null,
      country: null, accountId: null, status: 'known', firstTouch: { at: null, source: null, medium: null, campaign: null },
      latestTouch: { at: null, source: null, medium: null, campaign: null }, createdAt: l.openedAt, updatedAt: l.openedAt,
    })));
    await bulkInsertLeads(t.deps.db, ws, bulkLeads.map((l) => ({
      id: l.id, contactId: l.contactId, accountId: null, stage: l.stage, ownerId: rnd() < 0.2 ? null : pick(owners), openedAt: l.openedAt,
      stageEnteredAt: l.openedAt, closedAt: null, mqlAt: null, recycleCount: l.transitions.filter((x) => x.isRecycle).length, lastReasonCode: null,
      recheckAt: null, source: pick(sources), campaign: pick(campaigns), firstTouchAt: null, latestSource: null, latestCampaign: null,
      fitScore: null, engagementScore: null, rating: null, definitionId: null, updatedAt: l.openedAt,
    })));
    const all = bulkLeads.flatMap((l) => l.transitions);
    const late = all.filter(() => rnd() < 0.3);
    const early = all.filter((x) => !late.includes(x));
    await bulkInsertTransitions(t.deps.db, ws, late);
    for (let i = 0; i < early.length; i += 150) await bulkInsertTransitions(t.deps.db, ws, early.slice(i, i + 150));
    // More history for app-path leads through the bulk path, in one statement with other leads.
    const extra: BulkTransition[] = appLeads.filter(() => rnd() < 0.3).map((leadId) => {
      const at = start + Math.floor(rnd() * 120 * 24) * hour;
      return { id: newId(at), leadId, from: null, to: pick(['mql', 'nurture', 'sal', 'won', 'disqualified'] as const), at, actorType: 'system', actorId: null, reasonCode: null, note: null, definitionId: null, isRecycle: false };
    });
    await bulkInsertTransitions(t.deps.db, ws, extra);
    await compareReports('after inserts');

    // Edits and deletions of history (none of the app does this today; the summary still follows).
    await sql`UPDATE stage_transition SET at = at - interval '3 days' WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 9 = 0`.execute(t.deps.db);
    await sql`UPDATE stage_transition SET note = 'touched' WHERE workspace_id = ${ws}`.execute(t.deps.db);
    await sql`DELETE FROM stage_transition WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 11 = 0`.execute(t.deps.db);
    // Leads moved in time (the summary's copy of opened_at follows; migration 2026-12-07-50), some out of the
    // periods, some into another month; then a moved lead gets its first history after the move.
    await sql`UPDATE lead SET opened_at = opened_at + make_interval(days => 5 + get_byte(uuid_send(id), 14) % 40)
      WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 5 = 0`.execute(t.deps.db);
    const unsummarised = bulkLeads.filter((l) => l.transitions.length === 0).slice(0, 3);
    await sql`UPDATE lead SET opened_at = opened_at - interval '9 days' WHERE workspace_id = ${ws} AND id = ANY (${unsummarised.map((l) => l.id)}::uuid[])`.execute(t.deps.db);
    await bulkInsertTransitions(t.deps.db, ws, unsummarised.map((l) => ({ id: newId(l.openedAt), leadId: l.id, from: null, to: 'inquiry', at: l.openedAt,
      actorType: 'system', actorId: null, reasonCode: null, note: null, definitionId: null, isRecycle: false })));
    await sql`UPDATE stage_transition SET at = at + interval '1 hour' WHERE workspace_id = ${ws} AND lead_id = ANY (${unsummarised.map((l) => l.id)}::uuid[])`.execute(t.deps.db);
    await compareReports('after updates and deletes');
    const copied = await sql<{ n: number; moved: number }>`SELECT count(*) FILTER (WHERE s.opened_at IS DISTINCT FROM l.opened_at)::int AS n,
        count(*) FILTER (WHERE get_byte(uuid_send(l.id), 15) % 5 = 0)::int AS moved
      FROM lead_stage_summary s LEFT JOIN lead l ON l.workspace_id = s.workspace_id AND l.id = s.lead_id WHERE s.workspace_id = ${ws}`.execute(t.deps.db);
    expect(copied.rows[0]!.n).toBe(0);
    expect(copied.rows[0]!.moved).toBeGreaterThan(30);

    // The summary is exactly what the migration's backfill computes from the history.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead_stage_summary s
      FULL JOIN (SELECT workspace_id, lead_id, count(*) FILTER (WHERE to_stage = 'mql')::int AS mql_events, max(at) AS last_at,
          min(at) FILTER (WHERE to_stage IN ('sql', 'opportunity', 'won')) AS after_sal_at FROM stage_transition GROUP BY 1, 2) h
        USING (workspace_id, lead_id)
      WHERE s.lead_id IS NULL OR h.lead_id IS NULL OR s.mql_events <> h.mql_events OR s.after_sal_at IS DISTINCT FROM h.after_sal_at`.execute(t.deps.db);
    expect(rows[0]!.n).toBe(0);
    // after_sal_at (migration 2026-12-06-30) is exercised: set for some leads, not for others, and some SAL dates are skipped.
    const afterSal = await sql<{ set: number; unset: number }>`SELECT count(after_sal_at)::int AS set, count(*) FILTER (WHERE after_sal_at IS NULL)::int AS unset
      FROM lead_stage_summary WHERE workspace_id = ${ws}`.execute(t.deps.db);
    expect(afterSal.rows[0]!.set).toBeGreaterThan(20);
    expect(afterSal.rows[0]!.unset).toBeGreaterThan(20);
    const counted = await sql<{ leads: number; stays: number }>`SELECT count(*)::int AS leads, sum(cardinality(stay_stages))::int AS stays FROM lead_stage_summary WHERE workspace_id = ${ws}`.execute(t.deps.db);
    expect(counted.rows[0]!.leads).toBeGreaterThan(300);
    expect(counted.rows[0]!.stays).toBeGreaterThan(500);
  }, 300_000);
});
