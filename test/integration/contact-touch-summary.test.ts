import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { erasePerson } from '../../src/app/privacy/erase-person.ts';
import { runAttributionPaths, runReport } from '../../src/app/reports/reports.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { bulkInsertContacts, bulkInsertLeads } from '../../src/storage/bulk.repo.ts';
import { insertCampaign } from '../../src/storage/campaigns.repo.ts';
import { newId } from '../../src/storage/ids.ts';
import { insertActivitiesBulk as importActivities } from '../../src/storage/import-bulk.repo.ts';
import { insertActivitiesBulk as ingestActivities } from '../../src/storage/ingest.repo.ts';
import {
  nonConvertingMarkovPaths, nonConvertingMarkovPathsFromHistory, type AttributionScope, type MarkovPathRow,
} from '../../src/storage/reports/attribution.repo.ts';
import { streamDealTouches, type TouchRow, type TouchSource } from '../../src/storage/reports/deal-touches.repo.ts';
import { refreshContactTouches } from '../../src/storage/reports/contact-touches.repo.ts';
import { prng } from '../helpers/prng.ts';
import { mergeRandomPairs } from '../helpers/random-merges.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Equivalence: the attribution report's non-converting Markov paths and its deal touches read the
 * lazily maintained contact_touch_summary (migrations 2026-12-05-50/51), lead_touch_span (2026-12-08-30) and
 * deal_touch_path (2026-12-08-40); the references read the
 * activity table on every call (nonConvertingMarkovPathsFromHistory, streamDealTouches 'history'). One
 * randomized history, written through every activity writer (app insert, ingest's multi-row insert,
 * the import's COPY with backdated touches, raw SQL) and then merged, erased, edited, deleted,
 * re-channelled and renamed; after each step both sides are compared for several periods and
 * lookbacks, and whole attribution reports (every model, Markov orders 1 and 2, the Markov path
 * export) with both references swapped in.
 */
const reference = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/storage/reports/attribution.repo.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/storage/reports/attribution.repo.ts')>();
  return {
    ...m,
    nonConvertingMarkovPaths: (...a: Parameters<typeof m.nonConvertingMarkovPaths>) =>
      (reference.on ? m.nonConvertingMarkovPathsFromHistory(a[0], a[1]) : m.nonConvertingMarkovPaths(...a)),
  };
});
vi.mock('../../src/storage/reports/deal-touches.repo.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/storage/reports/deal-touches.repo.ts')>();
  return {
    ...m,
    streamDealTouches: (...[db, s, from, visit, size]: Parameters<typeof m.streamDealTouches>) =>
      m.streamDealTouches(db, s, reference.on ? 'history' : from, visit, size),
  };
});

/** Every in-scope deal with its touches, as the attribution report streams them (small fetches: several cursor round trips). */
async function dealStream(s: AttributionScope, from: TouchSource) {
  const deals: { id: string; touches: TouchRow[] }[] = [];
  await streamDealTouches(t.deps.db, s, from, (opp, touches) => { deals.push({ ...opp, touches }); }, 7);
  return deals;
}

const day = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00Z');
const mediums = ['cpc', 'email', 'social', 'organic', 'referral', 'banner', 'CPC', null, null] as const;
// Values the report's compact deal encoding (one JSON string per deal) must carry unchanged: quotes,
// backslashes, commas, brackets, control characters, non-ASCII and astral characters.
const sources = ['google', 'linkedin', 'Newsletter', 'partner', '', null, null, 'Pa"rt\\ner, [x]', 'Ünï\u0001\t😀'] as const;
const utmCampaigns = ['spring', 'utm-only', 'Retarget', ''] as const;
const contents = [newId(start), newId(start + 1), newId(start + 2)];

let t: TestApp;
let ws: string;
const rnd = prng(20261205);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const at = (spanDays = 200) => new Date(start - 60 * day + Math.floor(rnd() * spanDays * 24) * 3_600_000);

beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

const sorted = (rows: MarkovPathRow[]) => [...rows].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

async function compare(label: string): Promise<void> {
  const scopes: AttributionScope[] = [
    { workspaceId: ws, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-05-01T00:00:00Z'), lookbackDays: 365 },
    { workspaceId: ws, from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z'), lookbackDays: 30 },
    { workspaceId: ws, from: new Date('2026-01-15T00:00:00Z'), to: new Date('2026-02-10T00:00:00Z'), lookbackDays: 0 },
  ];
  for (const s of scopes) {
    const summary = sorted(await nonConvertingMarkovPaths(t.deps.db, s));
    const history = sorted(await nonConvertingMarkovPathsFromHistory(t.deps.db, s));
    if (s.lookbackDays === 365) expect(summary.length, `${label}: some paths`).toBeGreaterThan(5);
    expect(summary, `${label}: paths ${s.from.toISOString()}..${s.to.toISOString()} lookback ${s.lookbackDays}`).toEqual(history);
    // Deal touches: every in-scope deal and its touches, in the stream's order.
    const deals = await dealStream(s, 'summary');
    if (s.lookbackDays === 365) expect(deals.filter((d) => d.touches.length > 0).length, `${label}: deals with touches`).toBeGreaterThan(5);
    if (s.lookbackDays === 365) expect(deals.some((d) => d.touches.length === 0), `${label}: a deal without touches`).toBe(true);
    if (s.lookbackDays === 365) {
      const odd = deals.flatMap((d) => d.touches).filter((x) => /["\\\u0001😀]/u.test(`${x.source}${x.campaign}${x.channel}`));
      expect(odd.length, `${label}: touches with quotes, backslashes, control and astral characters`).toBeGreaterThan(3);
    }
    expect(deals, `${label}: deal touches ${s.from.toISOString()}..${s.to.toISOString()} lookback ${s.lookbackDays}`)
      .toEqual(await dealStream(s, 'history'));
  }
  const reports = [
    { from: '2026-01-01', to: '2026-04-30' }, { from: '2026-02-01', to: '2026-02-28' },
    { from: '2026-01-01', to: '2026-04-30', model: 'markov' as const, markov_order: 2 },
  ];
  for (const query of reports) {
    reference.on = false;
    const fromSummary = must(await runReport(t.deps, ws, 'attribution', query));
    const exportFromSummary = must(await runAttributionPaths(t.deps, ws, query));
    reference.on = true;
    const fromHistory = must(await runReport(t.deps, ws, 'attribution', query));
    const exportFromHistory = must(await runAttributionPaths(t.deps, ws, query));
    reference.on = false;
    const what = `${label}: attribution report ${JSON.stringify(query)}`;
    expect(fromSummary.rows.some((r) => r.dimension === 'campaign' && r.key !== '(unattributed)'), `${what}: campaign credit`).toBe(true);
    expect({ ...fromSummary, generated_at: null }, what).toEqual({ ...fromHistory, generated_at: null });
    expect(exportFromSummary, `${what}: Markov path export`).toEqual(exportFromHistory);
  }
}

/** A random touch: some qualify (source, medium, campaign, UTM campaign or content), some do not. */
function touch(contactId: string, campaigns: string[]) {
  const campaignId = rnd() < 0.15 ? pick(campaigns) : null;
  return {
    contactId, occurredAt: at(), source: pick(sources), medium: pick(mediums), campaignId,
    utmCampaign: rnd() < 0.15 ? pick(utmCampaigns) : null, type: pick(['page_view', 'email_click', 'form_submit']),
    contentId: rnd() < 0.08 ? pick(contents) : null,
  };
}

describe('contact_touch_summary', () => {
  it('gives the same non-converting Markov paths, deal touches and attribution reports as reading the activity history', async () => {
    const db = t.deps.db;
    const campaigns: string[] = [];
    for (const [name, channel] of [['Webinar', 'webinar'], ['Search', 'paid_search'], ['Fair', 'events'], ['Say "hi", \\ 😀', 'ev,"en\\ts']] as const) {
      campaigns.push((await insertCampaign(db, ws, { name, channel, utmSource: null, utmMedium: null, utmCampaign: null, startsOn: null, endsOn: null, budget: null })).id);
    }
    const contacts = Array.from({ length: 120 }, (_, i) => ({ id: newId(start + i), i }));
    await bulkInsertContacts(db, ws, contacts.map(({ id, i }) => ({
      id, email: `c${i}@touch.test`, firstName: null, lastName: null, title: null, seniority: null, department: null, phone: null,
      country: null, accountId: null, status: 'known', firstTouch: { at: null, source: null, medium: null, campaign: null },
      latestTouch: { at: null, source: null, medium: null, campaign: null }, createdAt: start, updatedAt: start,
    })));
    // Leads: one or two per contact, in every state the path query distinguishes.
    // (One open lead per contact: an earlier lead of the same contact is closed.)
    const leads = contacts.flatMap(({ id }) => Array.from({ length: rnd() < 0.2 ? 2 : 1 }, (_, j) => {
      const openedAt = at(150).getTime();
      const stage = j > 0 ? pick(['lost', 'disqualified', 'won']) : pick(['inquiry', 'mql', 'sal', 'lost', 'disqualified', 'won', 'opportunity', 'nurture']);
      const closedAt = ['lost', 'disqualified', 'won'].includes(stage) ? openedAt + Math.floor(rnd() * 40) * day : null;
      return { id: newId(openedAt), contactId: id, stage, openedAt, closedAt };
    }));
    await bulkInsertLeads(db, ws, leads.map((l) => ({
      id: l.id, contactId: l.contactId, accountId: null, stage: l.stage, ownerId: null, openedAt: l.openedAt, stageEnteredAt: l.openedAt,
      closedAt: l.closedAt, mqlAt: null, recycleCount: 0, lastReasonCode: null, recheckAt: null, source: null, campaign: null, firstTouchAt: null,
      latestSource: null, latestCampaign: null, fitScore: null, engagementScore: null, rating: null, definitionId: null, updatedAt: l.openedAt,
    })));
    // Deals for some leads: an open lead with a deal is not a non-converting path; a lost one still is.
    for (const l of leads.filter(() => rnd() < 0.3)) {
      const oppId = newId(l.openedAt);
      const status = l.stage === 'won' ? 'won' : l.stage === 'lost' ? 'lost' : 'open';
      await sql`INSERT INTO opportunity (workspace_id, id, name, amount, stage, status, created_at, closed_at)
        VALUES (${ws}, ${oppId}, 'Deal', ${1000 + Math.floor(rnd() * 9000)}, ${status}, ${status}, ${new Date(l.openedAt + day)},
          ${status === 'open' ? null : new Date(l.openedAt + 20 * day)})`.execute(db);
      await sql`INSERT INTO opportunity_lead (workspace_id, opportunity_id, lead_id) VALUES (${ws}, ${oppId}, ${l.id})`.execute(db);
      await sql`INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary) VALUES (${ws}, ${oppId}, ${l.contactId}, 'primary', true)`.execute(db);
      // A buying committee: some deals also have another person's touches (their order interleaves by time, then id).
      const other = pick(contacts).id;
      if (rnd() < 0.3 && other !== l.contactId) {
        await sql`INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary) VALUES (${ws}, ${oppId}, ${other}, 'influencer', false)`.execute(db);
      }
    }

    // Writer 1: the app's single-row insert.
    for (let i = 0; i < 300; i++) {
      const x = touch(pick(contacts).id, campaigns);
      await insertActivity(db, ws, {
        ...x, url: null, referrer: null, eventName: null, properties: { email: 'x@touch.test' }, actorUserId: null, idempotencyKey: null,
      });
    }
    // Writer 2: ingest's multi-row insert, several batches.
    for (let b = 0; b < 4; b++) {
      const rows = Array.from({ length: 80 }, () => {
        const x = touch(pick(contacts).id, campaigns);
        return { ...x, id: newId(x.occurredAt.getTime()), url: null, referrer: null, eventName: null, properties: '{}', idempotencyKey: null };
      });
      await db.transaction().execute((trx) => ingestActivities(trx, ws, rows, new Date()));
    }
    await compare('after app and ingest inserts');

    // Writer 3: a CSV import (COPY) of backdated touches, some of them ties at one instant.
    const tie = new Date(start - 5 * day);
    await db.transaction().execute((trx) => importActivities(trx, ws, Array.from({ length: 200 }, (_, i) => {
      const x = touch(i % 10 === 0 ? contacts[i % 3]!.id : pick(contacts).id, campaigns);
      const occurredAt = i % 10 === 0 ? tie : new Date(x.occurredAt.getTime() - 30 * day);
      return { ...x, id: newId(occurredAt.getTime()), occurredAt, url: null, eventName: null, properties: {}, idempotencyKey: `imp-${i}` };
    })));
    // Writer 4: raw SQL, content touches.
    await sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at, content_id)
      SELECT ${ws}, gen_random_uuid(), c, 'content_download', ${new Date(start + 10 * day)}::timestamptz + (g * interval '7 hours'), gen_random_uuid()
      FROM unnest(${contacts.filter(() => rnd() < 0.2).map((c) => c.id)}::uuid[]) c, generate_series(1, 2) g`.execute(db);
    await compare('after backdated import and raw inserts');

    // Merges move activities (and leads) to the winner.
    const merged = await mergeRandomPairs(db, ws, contacts.map((c) => c.id), pick, 12);
    // Erasure rewrites the person's activities to anonymous tombstones.
    for (const c of contacts.filter((x) => !merged.has(x.id)).slice(0, 5)) {
      must(await erasePerson(t.deps, ws, { contactId: c.id }, { kind: 'system', label: 'test' }));
    }
    await compare('after merges and erasure');

    // Edits, deletions, a campaign changing channel, a touch losing its source.
    await sql`UPDATE activity SET occurred_at = occurred_at - interval '11 days' WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 7 = 0`.execute(db);
    await sql`UPDATE activity SET source = '', medium = NULL WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 13 = 1`.execute(db);
    await sql`DELETE FROM activity WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 11 = 2`.execute(db);
    await sql`UPDATE activity SET utm_campaign = 'edited', content_id = NULL WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 17 = 3`.execute(db);
    await sql`UPDATE campaign SET channel = 'field_events' WHERE workspace_id = ${ws} AND id = ${campaigns[2]}`.execute(db);
    await sql`UPDATE campaign SET name = 'Webinar (renamed)' WHERE workspace_id = ${ws} AND id = ${campaigns[0]}`.execute(db);
    await compare('after edits, deletes, a campaign channel change and a rename');

    // The leads' side (lead_touch_span): leads lost, won, reopened, moved in time, linked to and unlinked from
    // deals, deleted (their deal links cascade); a score-only update queues nothing.
    const pick15 = (k: number, r: number) => sql`get_byte(uuid_send(id), 15) % ${k} = ${r}`;
    await sql`UPDATE lead SET stage = 'lost', closed_at = opened_at + interval '9 days'
      WHERE workspace_id = ${ws} AND stage NOT IN ('won','lost','disqualified') AND ${pick15(5, 0)}`.execute(db);
    await sql`UPDATE lead l SET stage = 'won', closed_at = opened_at + interval '15 days'
      WHERE workspace_id = ${ws} AND stage = 'lost' AND ${pick15(7, 1)}`.execute(db);
    await sql`UPDATE lead l SET stage = 'mql', closed_at = NULL WHERE workspace_id = ${ws} AND id IN (
      SELECT DISTINCT ON (contact_id) id FROM lead x WHERE x.workspace_id = ${ws} AND x.stage IN ('lost','disqualified') AND get_byte(uuid_send(x.id), 14) % 4 = 0
        AND NOT EXISTS (SELECT 1 FROM lead o WHERE o.workspace_id = x.workspace_id AND o.contact_id = x.contact_id AND o.stage NOT IN ('won','lost','disqualified'))
      ORDER BY contact_id, id)`.execute(db);
    await sql`UPDATE lead SET opened_at = opened_at - interval '20 days' WHERE workspace_id = ${ws} AND ${pick15(6, 2)}`.execute(db);
    await sql`INSERT INTO opportunity_lead (workspace_id, opportunity_id, lead_id)
      SELECT ${ws}, (SELECT o.id FROM opportunity o WHERE o.workspace_id = ${ws} ORDER BY o.id LIMIT 1), l.id FROM lead l
      WHERE l.workspace_id = ${ws} AND get_byte(uuid_send(l.id), 15) % 6 = 3
        AND NOT EXISTS (SELECT 1 FROM opportunity_lead ol WHERE ol.workspace_id = l.workspace_id AND ol.lead_id = l.id)`.execute(db);
    await sql`DELETE FROM opportunity_lead WHERE workspace_id = ${ws} AND get_byte(uuid_send(lead_id), 15) % 5 = 4`.execute(db);
    await sql`DELETE FROM lead WHERE workspace_id = ${ws} AND ${pick15(9, 5)}`.execute(db);
    // New lost leads of touched contacts whose touches did not change (only the insert trigger queues them).
    await sql`INSERT INTO lead (workspace_id, id, contact_id, stage, opened_at, stage_entered_at, closed_at)
      SELECT ${ws}, gen_random_uuid(), c, 'lost', ${new Date(start + 30 * day)}, ${new Date(start + 30 * day)}, ${new Date(start + 35 * day)}
      FROM unnest(${contacts.filter(() => rnd() < 0.25).map((c) => c.id)}::uuid[]) c`.execute(db);
    await compare('after leads were added, restaged, moved, linked, unlinked and deleted');

    // The deals' side (deal_touch_path): contact roles added and removed, linked leads given another contact,
    // deals won, reopened and closed later (their touches are cut at the close), deleted, and a new deal with a
    // contact role only,
    const otherContact = (row: string) => sql`(SELECT c.id FROM contact c WHERE c.workspace_id = ${ws} ORDER BY md5(c.id::text || ${sql.ref(row)}::text) LIMIT 1)`;
    await sql`INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary)
      SELECT ${ws}, o.id, ${otherContact('o.id')}, 'influencer', false FROM opportunity o WHERE o.workspace_id = ${ws} AND get_byte(uuid_send(o.id), 15) % 8 = 0
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`DELETE FROM opportunity_contact_role WHERE workspace_id = ${ws} AND get_byte(uuid_send(contact_id), 15) % 5 = 1`.execute(db);
    await sql`UPDATE lead l SET contact_id = ${otherContact('l.id')} WHERE workspace_id = ${ws} AND stage IN ('won','lost','disqualified')
      AND get_byte(uuid_send(id), 14) % 3 = 0 AND EXISTS (SELECT 1 FROM opportunity_lead ol WHERE ol.workspace_id = l.workspace_id AND ol.lead_id = l.id)`.execute(db);
    await sql`UPDATE opportunity SET status = 'won', stage = 'won', closed_at = created_at + interval '10 days'
      WHERE workspace_id = ${ws} AND status = 'open' AND ${pick15(3, 0)}`.execute(db);
    await sql`UPDATE opportunity SET status = 'open', stage = 'open', closed_at = NULL WHERE workspace_id = ${ws} AND status = 'won' AND ${pick15(4, 1)}`.execute(db);
    await sql`UPDATE opportunity SET closed_at = closed_at + interval '45 days' WHERE workspace_id = ${ws} AND status = 'won' AND ${pick15(3, 2)}`.execute(db);
    await sql`DELETE FROM opportunity WHERE workspace_id = ${ws} AND ${pick15(9, 4)}`.execute(db);
    const roleOnly = newId(start + 3 * day);
    await sql`INSERT INTO opportunity (workspace_id, id, name, amount, stage, status, created_at, closed_at)
      VALUES (${ws}, ${roleOnly}, 'Role only', 5000, 'won', 'won', ${new Date(start + 3 * day)}, ${new Date(start + 40 * day)})`.execute(db);
    await sql`INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary)
      SELECT ${ws}, ${roleOnly}, contact_id, 'primary', true FROM contact_touch_summary WHERE workspace_id = ${ws} ORDER BY contact_id LIMIT 2`.execute(db);
    // a deal with neither (no row: streamed without touches),
    await sql`INSERT INTO opportunity (workspace_id, id, name, amount, stage, status, created_at)
      VALUES (${ws}, ${newId(start + 4 * day)}, 'Nobody yet', 700, 'open', 'open', ${new Date(start + 4 * day)})`.execute(db);
    // and a deal whose linked lead's contact has no activity (a row with the lead's opening and no touches; the
    // random picks above make one only now and then).
    const [silent, silentLead, silentDeal] = [newId(start + 5 * day), newId(start + 5 * day + 1), newId(start + 5 * day + 2)];
    await sql`INSERT INTO contact (workspace_id, id, email) VALUES (${ws}, ${silent}, 'silent@touch.test')`.execute(db);
    await sql`INSERT INTO lead (workspace_id, id, contact_id, stage, opened_at, stage_entered_at)
      VALUES (${ws}, ${silentLead}, ${silent}, 'opportunity', ${new Date(start + 5 * day)}, ${new Date(start + 5 * day)})`.execute(db);
    await sql`INSERT INTO opportunity (workspace_id, id, name, amount, stage, status, created_at)
      VALUES (${ws}, ${silentDeal}, 'Lead, no touch', 900, 'open', 'open', ${new Date(start + 6 * day)})`.execute(db);
    await sql`INSERT INTO opportunity_lead (workspace_id, opportunity_id, lead_id) VALUES (${ws}, ${silentDeal}, ${silentLead})`.execute(db);
    await compare('after contact roles, lead contacts and deals changed');
    await sql`UPDATE lead SET engagement_score = 42, fit_score = 7 WHERE workspace_id = ${ws}`.execute(db);
    const afterScores = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead_touch_dirty WHERE workspace_id = ${ws}`.execute(db);
    expect(afterScores.rows[0]!.n, 'a score-only lead update queues no lead').toBe(0);

    // A writer still in flight when a report refreshes: its contact stays queued until it commits.
    const late = contacts[7]!.id;
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((r) => { inserted = r; });
    const writer = db.transaction().execute(async (trx) => {
      await sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at, source, medium)
        VALUES (${ws}, gen_random_uuid(), ${late}, 'page_view', ${new Date(start + 20 * day)}, 'google', 'cpc')`.execute(trx);
      inserted();
      await held;
    });
    await insertedOnce;
    await refreshContactTouches(db, ws);
    release();
    await writer;
    await compare('after a refresh that ran beside an uncommitted writer');

    // The summary is exactly a rebuild from scratch, and it is not empty.
    const before = await sql<Record<string, unknown>>`SELECT contact_id, touch_at, touch_channel, touch_campaign, path, touch_id, touch_source, touch_utm_campaign, touch_content FROM contact_touch_summary
      WHERE workspace_id = ${ws} ORDER BY contact_id`.execute(db);
    await sql`INSERT INTO contact_touch_dirty (workspace_id, contact_id) SELECT DISTINCT workspace_id, contact_id FROM activity WHERE workspace_id = ${ws}`.execute(db);
    await sql`DELETE FROM contact_touch_summary WHERE workspace_id = ${ws}`.execute(db);
    await refreshContactTouches(db, ws, 'bulk'); // hash joins (what a big queue gets), equal to the probes that built it
    const rebuilt = await sql<Record<string, unknown>>`SELECT contact_id, touch_at, touch_channel, touch_campaign, path, touch_id, touch_source, touch_utm_campaign, touch_content FROM contact_touch_summary
      WHERE workspace_id = ${ws} ORDER BY contact_id`.execute(db);
    expect(before.rows).toEqual(rebuilt.rows);
    expect(before.rows.length).toBeGreaterThan(80);
    expect(before.rows.some((r) => r.touch_campaign !== null)).toBe(true);
    expect(before.rows.every((r) => Array.isArray(r.touch_id) && (r.touch_id as unknown[]).length === (r.touch_at as unknown[]).length)).toBe(true);
    for (const column of ['touch_source', 'touch_utm_campaign', 'touch_content']) {
      expect(before.rows.some((r) => r[column] !== null), `${column} filled somewhere`).toBe(true);
      expect(before.rows.some((r) => r[column] === null), `${column} NULL where no touch has one`).toBe(true);
    }
    const queued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contact_touch_dirty WHERE workspace_id = ${ws}`.execute(db);
    expect(queued.rows[0]!.n).toBe(0);

    // lead_touch_span is exactly a rebuild from scratch too, with leads of both kinds (window holding all of
    // the contact's touches or cutting them) in the first scope.
    const spans = () => sql<Record<string, unknown>>`SELECT * FROM lead_touch_span WHERE workspace_id = ${ws} ORDER BY lead_id`.execute(db);
    const kept = await spans();
    await sql`INSERT INTO lead_touch_dirty (workspace_id, lead_id) SELECT workspace_id, id FROM lead WHERE workspace_id = ${ws}`.execute(db);
    await sql`DELETE FROM lead_touch_span WHERE workspace_id = ${ws}`.execute(db);
    await refreshContactTouches(db, ws, 'bulk');
    expect(kept.rows).toEqual((await spans()).rows);
    expect(kept.rows.length).toBeGreaterThan(40);
    const lookback = 365 * day;
    const whole = (r: Record<string, unknown>) => (r.first_at as Date).getTime() >= (r.opened_at as Date).getTime() - lookback
      && (r.last_at as Date).getTime() <= Math.min((r.closed_at as Date | null)?.getTime() ?? Infinity, Date.parse('2026-05-01T00:00:00Z'));
    expect(kept.rows.some(whole), 'a lead whose window holds all touches').toBe(true);
    expect(kept.rows.some((r) => !whole(r)), 'a lead whose window cuts its touches').toBe(true);
    const leadsQueued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead_touch_dirty WHERE workspace_id = ${ws}`.execute(db);
    expect(leadsQueued.rows[0]!.n).toBe(0);

    // deal_touch_path is exactly a rebuild from scratch, with deals with and without linked leads and touches.
    const paths = () => sql<Record<string, unknown>>`SELECT * FROM deal_touch_path WHERE workspace_id = ${ws} ORDER BY opportunity_id`.execute(db);
    const built = await paths();
    await sql`INSERT INTO deal_touch_dirty (workspace_id, opportunity_id) SELECT workspace_id, id FROM opportunity WHERE workspace_id = ${ws}`.execute(db);
    await sql`DELETE FROM deal_touch_path WHERE workspace_id = ${ws}`.execute(db);
    await refreshContactTouches(db, ws);
    expect(built.rows).toEqual((await paths()).rows);
    expect(built.rows.length).toBeGreaterThan(20);
    expect(built.rows.some((r) => r.touches === null && r.lead_opened_at !== null), 'a deal with a lead and no touch').toBe(true);
    expect(built.rows.some((r) => r.touches !== null && r.lead_opened_at === null), 'a deal with touches and no lead').toBe(true);
    const dealsQueued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM deal_touch_dirty WHERE workspace_id = ${ws}`.execute(db);
    expect(dealsQueued.rows[0]!.n).toBe(0);
  }, 300_000);
});
