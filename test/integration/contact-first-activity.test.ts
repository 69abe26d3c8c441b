import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { erasePerson } from '../../src/app/privacy/erase-person.ts';
import { runReport } from '../../src/app/reports/reports.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { bulkInsertContacts, bulkInsertLeads, bulkInsertTransitions, type BulkTransition } from '../../src/storage/bulk.repo.ts';
import type { Trx } from '../../src/storage/db.ts';
import { newId } from '../../src/storage/ids.ts';
import { insertActivitiesBulk as importActivities } from '../../src/storage/import-bulk.repo.ts';
import { insertActivitiesBulk as ingestActivities } from '../../src/storage/ingest.repo.ts';
import { prng } from '../helpers/prng.ts';
import { mergeRandomPairs } from '../helpers/random-merges.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Equivalence: contact_first_activity (migration 2026-12-07-10, kept by triggers on activity) equals
 * min(occurred_at) per contact of the activity history after every kind of write (the app's insert,
 * ingest's multi-row insert, the import's COPY of backdated rows, raw SQL, merges, erasure, edits of
 * time and contact, deletes, and an insert racing a delete of the same contact); and the time to
 * sales-ready report that reads it equals the report with one probe of the history per lead
 * (firstActivityJoinFromHistory swapped in), for several periods and groupings.
 */
const reference = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/storage/reports/first-activity.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/storage/reports/first-activity.ts')>();
  return { ...m, firstActivityJoin: (ws: string) => (reference.on ? m.firstActivityJoinFromHistory(ws) : m.firstActivityJoin(ws)) };
});

const day = 86_400_000;
const hour = 3_600_000;
const start = Date.parse('2026-01-01T00:00:00Z');

let t: TestApp;
let ws: string;
const rnd = prng(20261207);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const at = (spanDays = 150) => new Date(start - 40 * day + Math.floor(rnd() * spanDays * 24) * hour);

beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.id;
}, 120_000);
afterAll(async () => { await t?.close(); });

/** The maintained table and the history's aggregate, both sorted by contact. */
async function expectEqualToHistory(label: string): Promise<number> {
  const kept = await sql<{ contact_id: string; first_at: Date }>`SELECT contact_id, first_at FROM contact_first_activity
    WHERE workspace_id = ${ws} ORDER BY contact_id`.execute(t.deps.db);
  const history = await sql<{ contact_id: string; first_at: Date }>`SELECT contact_id, min(occurred_at) AS first_at FROM activity
    WHERE workspace_id = ${ws} GROUP BY contact_id ORDER BY contact_id`.execute(t.deps.db);
  expect(kept.rows, label).toEqual(history.rows);
  // The lead row's copy (migration 2026-12-09-10) of its contact's value: what time to sales-ready reads.
  const leads = await sql<{ id: string; contact_first_at: Date | null; first_at: Date | null }>`SELECT l.id, l.contact_first_at,
      (SELECT min(a.occurred_at) FROM activity a WHERE a.workspace_id = l.workspace_id AND a.contact_id = l.contact_id) AS first_at
    FROM lead l WHERE l.workspace_id = ${ws} ORDER BY l.id`.execute(t.deps.db);
  expect(leads.rows.map((r) => ({ id: r.id, first_at: r.contact_first_at })), `${label}: lead.contact_first_at`)
    .toEqual(leads.rows.map((r) => ({ id: r.id, first_at: r.first_at })));
  return kept.rows.length;
}

async function expectSameReports(label: string): Promise<void> {
  for (const period of [{ from: '2026-01-01', to: '2026-04-30' }, { from: '2026-02-01', to: '2026-02-28' }]) {
    for (const by of ['source', 'month'] as const) {
      reference.on = false;
      const kept = must(await runReport(t.deps, ws, 'time-to-sales-ready', { ...period, by }));
      reference.on = true;
      const history = must(await runReport(t.deps, ws, 'time-to-sales-ready', { ...period, by }));
      reference.on = false;
      expect({ ...kept, generated_at: null }, `${label}: ${by} ${period.from}..${period.to}`).toEqual({ ...history, generated_at: null });
    }
  }
}

function activity(contactId: string) {
  return { contactId, occurredAt: at(), type: pick(['page_view', 'email_open', 'form_submit']), source: pick(['google', 'email', null]), medium: null, campaignId: null, utmCampaign: null, contentId: null };
}

describe('contact_first_activity', () => {
  it('equals the earliest activity per contact after every kind of write, and time to sales-ready reads the same as probing the history', async () => {
    const db = t.deps.db;
    const contacts = Array.from({ length: 90 }, (_, i) => ({ id: newId(start + i), i }));
    await bulkInsertContacts(db, ws, contacts.map(({ id, i }) => ({
      id, email: `c${i}@first.test`, firstName: null, lastName: null, title: null, seniority: null, department: null, phone: null,
      country: null, accountId: null, status: 'known', firstTouch: { at: null, source: null, medium: null, campaign: null },
      latestTouch: { at: null, source: null, medium: null, campaign: null }, createdAt: start, updatedAt: start,
    })));
    // One lead per contact, many of them through MQL and SAL (some SAL dated at the MQL, as imports do).
    const leads = contacts.map(({ id }, i) => ({ id: newId(start + 1000 + i), contactId: id, openedAt: start + Math.floor(rnd() * 100 * 24) * hour, source: pick(['webinar', 'paid', null]) }));
    await bulkInsertLeads(db, ws, leads.map((l) => ({
      id: l.id, contactId: l.contactId, accountId: null, stage: 'inquiry', ownerId: null, openedAt: l.openedAt, stageEnteredAt: l.openedAt,
      closedAt: null, mqlAt: null, recycleCount: 0, lastReasonCode: null, recheckAt: null, source: l.source, campaign: null, firstTouchAt: null,
      latestSource: null, latestCampaign: null, fitScore: null, engagementScore: null, rating: null, definitionId: null, updatedAt: l.openedAt,
    })));
    const transitions: BulkTransition[] = leads.flatMap((l) => {
      const mql = l.openedAt + Math.floor(rnd() * 20 * 24) * hour;
      const sal = rnd() < 0.2 ? mql : mql + Math.floor(rnd() * 10 * 24) * hour;
      const steps: [string, number][] = rnd() < 0.8 ? [['mql', mql], ...(rnd() < 0.6 ? [['sal', sal] as [string, number]] : [])] : [];
      return steps.map(([to, when], k) => ({ id: newId(when + k), leadId: l.id, from: k === 0 ? 'inquiry' : 'mql', to, at: when, actorType: 'system' as const, actorId: null, reasonCode: null, note: null, definitionId: null, isRecycle: false }));
    });
    await bulkInsertTransitions(db, ws, transitions);

    // Writer 1: the app's single-row insert (contacts from here on have activities; some never do).
    for (let i = 0; i < 150; i++) {
      await insertActivity(db, ws, { ...activity(pick(contacts.slice(0, 80)).id), url: null, referrer: null, eventName: null, properties: {}, actorUserId: null, idempotencyKey: null });
    }
    // Writer 2: ingest's multi-row insert, a contact several times in one statement.
    for (let b = 0; b < 3; b++) {
      const rows = Array.from({ length: 60 }, () => {
        const x = activity(pick(contacts.slice(0, 80)).id);
        return { ...x, id: newId(x.occurredAt.getTime()), url: null, referrer: null, eventName: null, properties: '{}', idempotencyKey: null };
      });
      await db.transaction().execute((trx) => ingestActivities(trx, ws, rows, new Date()));
    }
    expect(await expectEqualToHistory('after app and ingest inserts')).toBeGreaterThan(60);
    await expectSameReports('after app and ingest inserts');

    // Writer 3: the import's COPY, backdated before everything (first_at must go down); writer 4: raw SQL.
    await db.transaction().execute((trx) => importActivities(trx, ws, Array.from({ length: 80 }, (_, i) => {
      const x = activity(pick(contacts).id);
      const occurredAt = new Date(x.occurredAt.getTime() - 60 * day);
      return { ...x, id: newId(occurredAt.getTime()), occurredAt, url: null, eventName: null, properties: {}, idempotencyKey: `imp-${i}` };
    })));
    await sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at)
      SELECT ${ws}, gen_random_uuid(), c, 'page_view', ${new Date(start + 5 * day)}::timestamptz - (g * interval '9 days')
      FROM unnest(${contacts.filter(() => rnd() < 0.3).map((c) => c.id)}::uuid[]) c, generate_series(1, 3) g`.execute(db);
    await expectEqualToHistory('after a backdated import and raw inserts');
    await expectSameReports('after a backdated import and raw inserts');

    // Merges move the loser's activities to the winner; erasure rewrites activities in place.
    const merged = await mergeRandomPairs(db, ws, contacts.map((c) => c.id), pick, 10);
    for (const c of contacts.filter((x) => !merged.has(x.id)).slice(0, 4)) {
      must(await erasePerson(t.deps, ws, { contactId: c.id }, { kind: 'system', label: 'test' }));
    }
    await expectEqualToHistory('after merges and erasure');
    await expectSameReports('after merges and erasure');

    // Edits of time (both ways) and of contact, and deletes (some contacts lose every activity).
    await sql`UPDATE activity SET occurred_at = occurred_at - interval '11 days' WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 7 = 0`.execute(db);
    await sql`UPDATE activity SET occurred_at = occurred_at + interval '40 days' WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 7 = 1`.execute(db);
    await sql`UPDATE activity SET contact_id = ${contacts[85]!.id} WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 13 = 2`.execute(db);
    await sql`DELETE FROM activity WHERE workspace_id = ${ws} AND get_byte(uuid_send(id), 15) % 5 = 3`.execute(db);
    await sql`DELETE FROM activity WHERE workspace_id = ${ws} AND contact_id = ANY (${contacts.slice(0, 6).map((c) => c.id)}::uuid[])`.execute(db);
    await sql`UPDATE activity SET source = 'edited' WHERE workspace_id = ${ws}`.execute(db);
    const kept = await expectEqualToHistory('after edits and deletes');
    expect(kept).toBeLessThan(90 - 6 + 1);
    await expectSameReports('after edits and deletes');

    // A delete that removes a contact's first activity while another transaction inserts an earlier one:
    // the recompute waits for the insert's lock and then reads it (without the lock it would overwrite it).
    const racer = contacts[40]!.id;
    await sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at) VALUES (${ws}, gen_random_uuid(), ${racer}, 'page_view', ${new Date(start - 300 * day)})`.execute(db);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((r) => { inserted = r; });
    const writer = db.transaction().execute(async (trx) => {
      await sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at) VALUES (${ws}, gen_random_uuid(), ${racer}, 'page_view', ${new Date(start - 200 * day)})`.execute(trx);
      inserted();
      await held;
    });
    await insertedOnce;
    const deleter = sql`DELETE FROM activity WHERE workspace_id = ${ws} AND contact_id = ${racer} AND occurred_at = ${new Date(start - 300 * day)}`.execute(db);
    await new Promise((r) => setTimeout(r, 200)); // the delete's recompute is now waiting for the writer's row lock
    release();
    await Promise.all([writer, deleter]);
    await expectEqualToHistory('after an insert raced a delete');
    const raced = await sql<{ first_at: Date }>`SELECT first_at FROM contact_first_activity WHERE workspace_id = ${ws} AND contact_id = ${racer}`.execute(db);
    expect(raced.rows[0]?.first_at).toEqual(new Date(start - 200 * day));

    // The report really measures from the first activity for some leads (it is earlier than the opening).
    const earlier = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lead l JOIN contact_first_activity f ON f.workspace_id = l.workspace_id AND f.contact_id = l.contact_id
      WHERE l.workspace_id = ${ws} AND f.first_at < l.opened_at`.execute(db);
    expect(earlier.rows[0]!.n).toBeGreaterThan(10);
  }, 300_000);

  it("copies the contact's first activity onto a lead inserted while another transaction writes it, in either order", async () => {
    const db = t.deps.db;
    const [x, y] = [newId(start + 900), newId(start + 901)];
    await bulkInsertContacts(db, ws, [x, y].map((id, i) => ({
      id, email: `race${i}@first.test`, firstName: null, lastName: null, title: null, seniority: null, department: null, phone: null,
      country: null, accountId: null, status: 'known', firstTouch: { at: null, source: null, medium: null, campaign: null },
      latestTouch: { at: null, source: null, medium: null, campaign: null }, createdAt: start, updatedAt: start,
    })));
    const leadOf = (id: string, contactId: string) => ({
      id, contactId, accountId: null, stage: 'inquiry', ownerId: null, openedAt: start, stageEnteredAt: start,
      closedAt: null, mqlAt: null, recycleCount: 0, lastReasonCode: null, recheckAt: null, source: null, campaign: null, firstTouchAt: null,
      latestSource: null, latestCampaign: null, fitScore: null, engagementScore: null, rating: null, definitionId: null, updatedAt: start,
    });
    const firstActivity = (contactId: string, when: Date) =>
      sql`INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at) VALUES (${ws}, gen_random_uuid(), ${contactId}, 'page_view', ${when})`;
    /** Runs `first` in a transaction held open until `second` (another connection) has waited 200 ms; says whether it had to wait. */
    async function race(first: (trx: Trx) => Promise<unknown>, second: () => Promise<unknown>): Promise<boolean> {
      let release!: () => void;
      const held = new Promise<void>((r) => { release = r; });
      let wrote!: () => void;
      const written = new Promise<void>((r) => { wrote = r; });
      const holder = db.transaction().execute(async (trx) => { await first(trx); wrote(); await held; });
      await written;
      let done = false;
      const waiter = second().then(() => { done = true; });
      await new Promise((r) => setTimeout(r, 200));
      const waited = !done;
      release();
      await Promise.all([holder, waiter]);
      return waited;
    }
    const copied = async (leadId: string) => (await sql<{ contact_first_at: Date | null }>`SELECT contact_first_at FROM lead
      WHERE workspace_id = ${ws} AND id = ${leadId}`.execute(db)).rows[0]?.contact_first_at;

    // The lead first: the first activity's copy waits for the lead's transaction, then finds the lead.
    const leadX = newId(start + 902);
    const xAt = new Date(start - 3 * day);
    expect(await race((trx) => bulkInsertLeads(trx, ws, [leadOf(leadX, x)]), () => firstActivity(x, xAt).execute(db))).toBe(true);
    expect(await copied(leadX)).toEqual(xAt);
    // The first activity first: the lead waits for the activity's transaction, then reads its value.
    const leadY = newId(start + 903);
    const yAt = new Date(start - 4 * day);
    expect(await race((trx) => firstActivity(y, yAt).execute(trx), () => bulkInsertLeads(db, ws, [leadOf(leadY, y)]))).toBe(true);
    expect(await copied(leadY)).toEqual(yAt);
    await expectEqualToHistory('after the races');
  }, 60_000);
});
