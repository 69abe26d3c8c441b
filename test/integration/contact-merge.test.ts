import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { scheduleTick } from '../../src/app/nurture/nurture-enrollment.ts';
import { recomputeDefinition } from '../../src/app/scoring/refresh-scores.ts';
import { drainJobs } from '../../src/jobs/worker.ts';
import { newId } from '../../src/storage/ids.ts';
import { activitiesOf, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Identity resolution folds an anonymous visitor into a known contact (a CSV/API contact who
 * browsed before identifying): everything that pointed at the visitor now points at the contact,
 * and the contact's score is rebuilt from the merged history, qualifying it in the same request.
 */

let t: TestApp;
let definitionId = '';
let accountId = '';
let caseStudyId = '';
const T0 = new Date('2026-03-02T12:00:00Z');
const hoursAgo = (h: number) => new Date(T0.getTime() - h * 3600_000).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(T0);
  definitionId = must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id })).id;
  await drainJobs(t.pool, t.deps);
  accountId = json(await t.api('POST', '/api/v1/accounts', { name: 'Cloudly', domain: 'cloudly.io', industry: 'SaaS', employee_count: 500 })).id;
  caseStudyId = json(await t.api('POST', '/api/v1/content', { title: 'How Acme doubled pipeline', format: 'case_study', buying_stage: 'consideration' })).id;
});
afterAll(async () => { await t?.close(); });

const knownContact = async (email: string, extra: Record<string, unknown> = {}) =>
  json(await t.api('POST', '/api/v1/contacts', { email, title: 'VP Marketing', account_id: accountId, ...extra })).id as string;

async function anonymousVisitor(anonymousId: string, batch: Record<string, unknown>[] = [{ type: 'page', properties: { url: 'https://cloudly.example/blog' } }]) {
  const r = await segment(t, '/v1/batch', { batch: batch.map((m) => ({ anonymousId, timestamp: hoursAgo(3), ...m })) });
  expect(r.statusCode, r.body).toBe(200);
  return (await contactOfAnonymous(t, anonymousId))!;
}

const scoreRow = (contactId: string) => t.db.selectFrom('contact_score').selectAll()
  .where('workspace_id', '=', t.workspace.id).where('contact_id', '=', contactId).where('definition_id', '=', definitionId).executeTakeFirst();
const leadsOf = async (contactId: string) => json(await t.api('GET', `/api/v1/leads?contact_id=${contactId}`)).data as any[];
const expectStatus201 = async (r: Promise<{ statusCode: number; body: string }>) => { const res = await r; expect(res.statusCode, res.body).toBe(201); };
const count = async (table: 'content_rating' | 'high_intent_signal' | 'score_event' | 'contact_score' | 'opportunity_contact_role' | 'nurture_enrollment', contactId: string) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE workspace_id = ${t.workspace.id} AND contact_id = ${contactId}`.execute(t.db)).rows[0]!.n;

describe('merging an anonymous visitor into a known contact', () => {
  it('moves history, roles and ratings, rebuilds the score with a merge event, and qualifies the lead in the same request, counting nothing twice', async () => {
    const known = await knownContact('vp@cloudly.io');
    const opp = json(await t.api('POST', '/api/v1/opportunities', { name: 'Cloudly expansion', stage: 'discovery', account_id: accountId, contact_roles: [{ contact_id: known, role: 'decision_maker', is_primary: true }] }));
    await t.db.insertInto('content_rating').values({ workspace_id: t.workspace.id, id: newId(T0.getTime()), asset_id: caseStudyId, rating: 5, scale: 'stars', source: 'prospect', contact_id: known, at: T0 }).execute();

    // Anonymously: two pricing views and a case study: engagement 35 (level 2), but no fit → not sales-ready.
    const anon = await anonymousVisitor('merge-a', [
      { type: 'page', timestamp: hoursAgo(3), properties: { url: 'https://cloudly.example/pricing' } },
      { type: 'page', timestamp: hoursAgo(2), properties: { url: 'https://cloudly.example/pricing?plan=pro' } },
      { type: 'track', timestamp: hoursAgo(1), event: 'Content Downloaded', properties: { content_id: caseStudyId } },
    ]);
    const rated = await segment(t, `/v1/content-ratings?key=${t.keys.ingest}`, { asset_id: caseStudyId, rating: 5, anonymous_id: 'merge-a' });
    expect(rated.statusCode, rated.body).toBeLessThan(300);
    expect(await scoreRow(anon)).toMatchObject({ engagement_points: 35, fit_grade: 'D', qualifies: false });
    expect(await leadsOf(anon)).toEqual([]);
    expect(await count('high_intent_signal', anon)).toBe(2);

    // The visitor identifies with the known email, and attends a webinar in the same batch.
    const r = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', anonymousId: 'merge-a', timestamp: T0.toISOString(), traits: { email: 'VP@cloudly.io' } },
      { type: 'track', anonymousId: 'merge-a', timestamp: T0.toISOString(), event: 'Webinar Attended' },
    ] });
    expect(r.statusCode, r.body).toBe(200);
    expect(await contactOfAnonymous(t, 'merge-a')).toBe(known);
    expect((await activitiesOf(t, known)).map((a) => a.type).sort()).toEqual(['content_download', 'content_rating', 'page_view', 'page_view', 'webinar_attended']);
    expect(await activitiesOf(t, anon)).toEqual([]);
    expect(json(await t.api('GET', `/api/v1/opportunities/${opp.id}`)).contact_roles).toEqual([{ contact_id: known, role: 'decision_maker', is_primary: true }]);
    expect(await count('content_rating', known)).toBe(2);
    expect(await count('content_rating', anon)).toBe(0);
    expect(await count('high_intent_signal', known)).toBe(2);
    expect(await count('score_event', anon)).toBe(0);
    expect(await count('contact_score', anon)).toBe(0);

    // The score includes the anonymous engagement: 35 merged + 15 webinar, and a merge event says why.
    const score = (await scoreRow(known))!;
    expect(score).toMatchObject({ fit_points: 72, engagement_points: 50, cell: 'A2', rating: 'qualified', qualifies: true });
    const history = json(await t.api('GET', `/api/v1/contacts/${known}/score-history?limit=50`)).data as any[];
    const merge = history.find((e) => e.cause === 'merge');
    expect(merge).toMatchObject({ engagement: 35, cell: 'A2' });
    expect(merge.delta).toBeCloseTo(35, 0);
    expect(merge.explanation).toContain(`merged contact ${anon}; score rebuilt from 4 activities; definition v1: rating A2`);
    // The visitor's own score history moved with it (3 activity events before the merge).
    expect(history.filter((e) => e.cause === 'activity').length).toBeGreaterThanOrEqual(4);

    // The lead became MQL in the identify request, explained by the merge.
    const [lead] = await leadsOf(known);
    expect(lead).toMatchObject({ stage: 'mql', rating: 'A2', engagement_score: 50, mql_at: T0.toISOString() });
    const transitions = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data as any[];
    expect(transitions.map((x) => x.to)).toEqual(['inquiry', 'mql']);
    expect(transitions[1].note).toContain(`merged contact ${anon}`);
    expect(transitions[1].note).toContain('rating A2');

    // Nothing counted twice: a full replay of the winner's activities gives the same engagement.
    await recomputeDefinition(t.deps, t.workspace.id, definitionId, T0);
    const replayed = (await scoreRow(known))!;
    expect(replayed.engagement_points).toBe(score.engagement_points);
    expect(replayed.cell).toBe(score.cell);
  });

  it('keeps one contact role per deal: the winner row stays, primary if either was', async () => {
    const known = await knownContact('buyer@cloudly.io');
    const anon = await anonymousVisitor('merge-b');
    const shared = json(await t.api('POST', '/api/v1/opportunities', { name: 'Shared deal', stage: 'discovery', contact_roles: [
      { contact_id: known, role: 'economic_buyer', is_primary: false }, { contact_id: anon, role: 'champion', is_primary: true },
    ] }));
    const own = json(await t.api('POST', '/api/v1/opportunities', { name: 'Visitor-only deal', stage: 'discovery', contact_roles: [{ contact_id: anon, role: 'champion', is_primary: false }] }));
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-b', traits: { email: 'buyer@cloudly.io' } })).statusCode).toBe(200);
    expect(json(await t.api('GET', `/api/v1/opportunities/${shared.id}`)).contact_roles).toEqual([{ contact_id: known, role: 'economic_buyer', is_primary: true }]);
    expect(json(await t.api('GET', `/api/v1/opportunities/${own.id}`)).contact_roles).toEqual([{ contact_id: known, role: 'champion', is_primary: false }]);
    expect(await count('opportunity_contact_role', anon)).toBe(0);
  });

  it('keeps one live nurture enrollment: the winner keeps its own, the visitor one exits as merged and loses its tick', async () => {
    const track = json(await t.api('POST', '/api/v1/nurture/tracks', { name: 'Merge track', entry: {}, steps: [{ type: 'wait', business_days: 5 }] })).id as string;
    const known = await knownContact('ops@cloudly.io', { title: 'Ops Manager' });
    const knownLead = json(await t.api('POST', '/api/v1/leads', { contact_id: known })).id as string;
    const enrolled = await t.api('POST', `/api/v1/nurture/tracks/${track}/enrollments`, { lead_id: knownLead });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    const anon = await anonymousVisitor('merge-c');
    const anonLead = json(await t.api('POST', '/api/v1/leads', { contact_id: anon })).id as string;
    // A visitor cannot be enrolled through the API (no address); rows as an older version could have left them.
    const loserEnrollment = newId(T0.getTime());
    await t.db.insertInto('nurture_enrollment').values({ workspace_id: t.workspace.id, id: loserEnrollment, track_id: track, lead_id: anonLead, contact_id: anon, status: 'active', next_run_at: T0, entered_at: T0 }).execute();
    await scheduleTick(t.db, t.workspace.id, loserEnrollment, T0);

    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-c', traits: { email: 'ops@cloudly.io' } })).statusCode).toBe(200);
    const enrollments = await t.db.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', t.workspace.id).where('contact_id', '=', known).orderBy('id').execute();
    expect(enrollments.filter((e) => e.status === 'active' || e.status === 'paused').map((e) => e.lead_id)).toEqual([knownLead]);
    expect(enrollments.find((e) => e.id === loserEnrollment)).toMatchObject({ status: 'exited', exit_reason: 'merged', next_run_at: null });
    expect(await count('nurture_enrollment', anon)).toBe(0);
    const ticks = await sql<{ key: string }>`SELECT key FROM graphile_worker.jobs WHERE key = ${`nurture:${loserEnrollment}`}`.execute(t.db);
    expect(ticks.rows).toEqual([]);
  });

  it('both people had an open lead: the one further along (the visitor MQL) continues on the winner, the other is disqualified as a duplicate', async () => {
    const known = await knownContact('cfo@cloudly.io', { title: 'CFO' });
    const knownLead = json(await t.api('POST', '/api/v1/leads', { contact_id: known })).id as string;
    const anon = await anonymousVisitor('merge-dup');
    const anonLead = json(await t.api('POST', '/api/v1/leads', { contact_id: anon })).id as string;
    const toMql = await t.api('POST', `/api/v1/leads/${anonLead}/transitions`, { to: 'mql', note: 'hand-raise' });
    expect(toMql.statusCode, toMql.body).toBe(201);

    // Later than the leads' own moves, so the stage history orders by time, not by same-millisecond ids.
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-dup', traits: { email: 'cfo@cloudly.io' } })).statusCode).toBe(200);
    const open = (await leadsOf(known)).filter((l) => !['won', 'lost', 'disqualified'].includes(l.stage));
    expect(open.map((l) => l.id)).toEqual([anonLead]);
    // The MQL a rep is about to work keeps its owner and its running accept clock.
    expect(json(await t.api('GET', `/api/v1/leads/${anonLead}`))).toMatchObject({ contact_id: known, stage: 'mql', sla: { kind: 'accept', state: 'running' } });
    const closed = json(await t.api('GET', `/api/v1/leads/${knownLead}`));
    expect(closed).toMatchObject({ contact_id: known, stage: 'disqualified', last_reason_code: 'duplicate' });
    const last = (json(await t.api('GET', `/api/v1/leads/${knownLead}/transitions`)).data as any[]).at(-1);
    expect(last).toMatchObject({ from: 'inquiry', to: 'disqualified', reason_code: 'duplicate', actor: { type: 'system', id: null } });
    expect(last.note).toContain(`lead ${anonLead} (mql) continues`);
    expect(await leadsOf(anon)).toEqual([]);
  });

  it('on a tie the known contact lead continues and the visitor one is disqualified, its SLA clock stopped', async () => {
    const known = await knownContact('coo@cloudly.io', { title: 'COO' });
    const knownLead = json(await t.api('POST', '/api/v1/leads', { contact_id: known })).id as string;
    await expectStatus201(t.api('POST', `/api/v1/leads/${knownLead}/transitions`, { to: 'mql' }));
    const anon = await anonymousVisitor('merge-tie');
    const anonLead = json(await t.api('POST', '/api/v1/leads', { contact_id: anon })).id as string;
    await expectStatus201(t.api('POST', `/api/v1/leads/${anonLead}/transitions`, { to: 'mql' }));

    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-tie', traits: { email: 'coo@cloudly.io' } })).statusCode).toBe(200);
    const open = (await leadsOf(known)).filter((l) => !['won', 'lost', 'disqualified'].includes(l.stage));
    expect(open.map((l) => l.id)).toEqual([knownLead]);
    expect(json(await t.api('GET', `/api/v1/leads/${anonLead}`))).toMatchObject({ contact_id: known, stage: 'disqualified', last_reason_code: 'duplicate', sla: null });
  });

  it('a live enrollment moves with the visitor lead when the known contact has neither', async () => {
    const track = json(await t.api('POST', '/api/v1/nurture/tracks', { name: 'Merge track 2', entry: {}, steps: [{ type: 'wait', business_days: 5 }] })).id as string;
    const known = await knownContact('cto@cloudly.io', { title: 'Engineer' });
    const anon = await anonymousVisitor('merge-d');
    const anonLead = json(await t.api('POST', '/api/v1/leads', { contact_id: anon })).id as string;
    const enrollment = newId(T0.getTime());
    await t.db.insertInto('nurture_enrollment').values({ workspace_id: t.workspace.id, id: enrollment, track_id: track, lead_id: anonLead, contact_id: anon, status: 'active', next_run_at: T0, entered_at: T0 }).execute();
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-d', traits: { email: 'cto@cloudly.io' } })).statusCode).toBe(200);
    expect((await leadsOf(known)).map((l) => l.id)).toEqual([anonLead]);
    expect(await t.db.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', t.workspace.id).where('id', '=', enrollment).executeTakeFirst())
      .toMatchObject({ contact_id: known, status: 'active' });
  });

  it('never loosens consent: the known contact inherits the visitor opt-out and unsubscribe, and keeps its own grants', async () => {
    const known = await knownContact('cmo@cloudly.io', { consent: { email_marketing: 'granted', sales: true } });
    const anon = await anonymousVisitor('merge-e');
    // Identified without an email (traits only), the visitor refused marketing email, allowed analytics, and unsubscribed.
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-e', traits: { consent: { email: false, analytics: { granted: true } } } })).statusCode).toBe(200);
    await t.db.updateTable('contact').set({ unsubscribed_at: new Date(T0.getTime() - 3600_000) }).where('workspace_id', '=', t.workspace.id).where('id', '=', anon).execute();
    expect((await segment(t, '/v1/identify', { anonymousId: 'merge-e', traits: { email: 'cmo@cloudly.io' } })).statusCode).toBe(200);
    const c = json(await t.api('GET', `/api/v1/contacts/${known}`));
    // Consent records are the core shape (src/core/consent.rules.ts): the refusal wins over the known contact's grant.
    expect(c.consent).toMatchObject({
      email_marketing: { status: 'refused', source: 'segment:identify' }, sales_email: { status: 'granted', source: 'api' },
      sales_call: { status: 'granted' }, tracking: { status: 'granted', source: 'segment:identify' },
    });
    expect(c.unsubscribed_at).toBe(new Date(T0.getTime() - 3600_000).toISOString());
    expect(json(await t.api('GET', `/api/v1/contacts/${anon}`))).toMatchObject({ status: 'merged', merged_into_id: known });
  });
});
