import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { drainJobs } from '../../src/jobs/worker.ts';
import { enqueue } from '../../src/storage/jobs.repo.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The brief's scenario on a simulated clock: a VP at a 500-person SaaS company views pricing
 * twice and downloads a case study → A2 → MQL with the explanation; 60 idle days decay the
 * rating to warm (the lead stays MQL); one more visit does not qualify again; after sales sends
 * the lead back to nurture, new engagement that reaches a qualifying cell re-qualifies it.
 */

let t: TestApp;
const json = (r: { body: string }) => JSON.parse(r.body);
const DAY = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00Z');
const at = (days: number, minutes = 0) => new Date(T0.getTime() + days * DAY + minutes * 60_000);

let contactId = '';
let caseStudyId = '';
let activeId = '';

beforeAll(async () => {
  t = await createTestApp();
  const def = must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  activeId = def.id;
  // Activation enqueued a recompute of every contact; run it now, before the story starts.
  await drainJobs(t.pool, t.deps);
  const account = json(await t.api('POST', '/api/v1/accounts', { name: 'Cloudly', domain: 'cloudly.io', industry: 'SaaS', employee_count: 500 }));
  const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'vp@cloudly.io', title: 'VP Marketing', account_id: account.id }));
  contactId = contact.id;
  caseStudyId = json(await t.api('POST', '/api/v1/content', { title: 'How Acme doubled pipeline', format: 'case_study', buying_stage: 'consideration' })).id;
});
afterAll(async () => { await t?.close(); });

async function activity(when: Date, body: Record<string, unknown>) {
  t.clock.set(when);
  const r = await t.api('POST', '/api/v1/activities', { contact_id: contactId, occurred_at: when.toISOString(), ...body }, t.keys.write);
  expect(r.statusCode, r.body).toBe(201);
  return json(r);
}

async function openLead() {
  const leads = json(await t.api('GET', `/api/v1/leads?contact_id=${contactId}`));
  return leads.data[0];
}

describe('real-time scoring and qualification', () => {
  it('installs the default definition as active v1 at workspace setup, audited as the system', async () => {
    const d = json(await t.api('GET', `/api/v1/definitions/${activeId}`));
    // Marketing's owner is a marketing approver; the rep passed as the sales owner is no approver, so sales did not sign.
    expect(d).toMatchObject({ version: 1, status: 'active', approvals: [{ side: 'marketing', user_id: t.users.marketing.id }] });
    const audit = json(await t.api('GET', `/api/v1/audit-log?object_id=${activeId}`)).data;
    expect(audit).toEqual([expect.objectContaining({ action: 'definition.installed', actor: expect.objectContaining({ kind: 'system', label: 'system: workspace setup' }) })]);
  });

  it('two pricing views are not enough; the case study download makes it A2 and an MQL with the explanation', async () => {
    const first = await activity(at(0), { type: 'page_view', url: 'https://cloudly.example/pricing' });
    expect(first.scoring.contacts[0]).toMatchObject({ fit: 72, engagement: 10, cell: 'A3', rating: 'warm' });
    expect(first.scoring.mqls).toEqual([]);
    expect(first.scoring.high_intent).toHaveLength(1);
    // A known person's first engagement signal meets the default inquiry rule: the lead opens at inquiry, dated at the visit.
    expect(first.scoring.inquiries).toEqual([expect.objectContaining({ at: at(0).toISOString(), rule_id: 'engaged' })]);
    await activity(at(0, 30), { type: 'page_view', url: 'https://cloudly.example/pricing?plan=pro' });
    const third = await activity(at(0, 45), { type: 'content_download', content_id: caseStudyId });
    const explanation = 'definition v1: rating A2 (fit 72 = title VP or C-level +30, industry SaaS +25, 200–1000 employees +17; engagement 35 = pricing page ×2 +20, case study download +15)';
    expect(third.scoring.inquiries).toEqual([]);
    expect(third.scoring.mqls).toEqual([expect.objectContaining({ from: 'inquiry', opened: false, explanation })]);
    const lead = await openLead();
    expect(lead).toMatchObject({ stage: 'mql', fit_score: 72, engagement_score: 35, rating: 'A2', definition_id: activeId, mql_at: at(0, 45).toISOString() });
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history.map((h: { to: string }) => h.to)).toEqual(['inquiry', 'mql']);
    expect(history[0]).toMatchObject({ at: at(0).toISOString(), actor: { type: 'rule', id: null }, definition_id: activeId });
    expect(history[0].note).toMatch(/^inquiry: page view \/pricing \(rule 'a known person with 1 engagement signal/);
    expect(history[1]).toMatchObject({ actor: { type: 'rule', id: null }, definition_id: activeId, note: explanation });
  });

  it('GET /leads/{id}/score explains rule by rule', async () => {
    const lead = await openLead();
    const s = json(await t.api('GET', `/api/v1/leads/${lead.id}/score`));
    expect(s).toMatchObject({ definition: { id: activeId, version: 1 }, cell: 'A2', rating: 'qualified', fit: { points: 72, grade: 'A' }, engagement: { points: 35, level: 2 } });
    expect(s.fit.contributions.map((c: { rule_id: string }) => c.rule_id)).toEqual(['title-vp-clevel', 'industry-saas', 'size-midmarket']);
    expect(s.engagement.contributions).toEqual([
      expect.objectContaining({ rule_id: 'pricing-page', hits: 2 }), expect.objectContaining({ rule_id: 'case-study-download', hits: 1 }),
    ]);
  });

  it('60 idle days: the refresh-decay job drops the rating to warm; the lead stays MQL with an updated snapshot', async () => {
    t.clock.set(at(60, 45));
    await enqueue(t.db, 'refresh-decay', {});
    await drainJobs(t.pool, t.deps);
    const lead = await openLead();
    // 35 points halve twice in 60 days: 8.75 → 9 points, level 3.
    expect(lead).toMatchObject({ stage: 'mql', engagement_score: 9, rating: 'A3' });
    const history = json(await t.api('GET', `/api/v1/contacts/${contactId}/score-history`)).data;
    expect(history[0]).toMatchObject({ cause: 'decay', cell: 'A3', rating: 'warm', engagement: 9 });
  });

  it('one more visit does not qualify again (still warm), and records no new transition', async () => {
    const r = await activity(at(61), { type: 'page_view', url: '/pricing' });
    expect(r.scoring.contacts[0]).toMatchObject({ cell: 'A3', rating: 'warm', qualifies: false });
    expect(r.scoring.mqls).toEqual([]);
    const lead = await openLead();
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history.filter((h: { to: string }) => h.to === 'mql')).toHaveLength(1);
  });

  it('after sales recycles to nurture, only a newly qualifying score re-qualifies (nurture → mql)', async () => {
    const lead = await openLead();
    t.clock.set(at(61, 60));
    // Handing back is sales work, recorded by a person (the lead waits in the shared queue: any rep may).
    const back = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'nurture', reason_code: 'not_ready' }, await t.newKey(['write'], t.users.sales.id));
    expect(back.statusCode, back.body).toBe(201);
    const webinar = await activity(at(62), { type: 'webinar_attended', event_name: 'Pipeline webinar' });
    expect(webinar.scoring.contacts[0].cell).toBe('A2');
    expect(webinar.scoring.mqls).toEqual([expect.objectContaining({ from: 'nurture', opened: false, lead_id: lead.id })]);
    expect(webinar.scoring.mqls[0].explanation).toBe('definition v1: rating A2 (fit 72 = title VP or C-level +30, industry SaaS +25, 200–1000 employees +17; engagement 33 = pricing page ×3 +15, webinar +15, case study download +4)');
    expect((await openLead()).stage).toBe('mql');
  });

  it('an attribute change re-scores fit (PATCH /contacts)', async () => {
    t.clock.set(at(63));
    const r = await t.api('PATCH', `/api/v1/contacts/${contactId}`, { title: 'Marketing Manager' });
    expect(r.statusCode).toBe(200);
    const history = json(await t.api('GET', `/api/v1/contacts/${contactId}/score-history`)).data;
    expect(history[0]).toMatchObject({ cause: 'attributes', fit: 52 });
    expect((await openLead()).fit_score).toBe(52);
  });

  it('high-intent signals are listed', async () => {
    const r = json(await t.api('GET', `/api/v1/high-intent-signals?contact_id=${contactId}`));
    expect(r.data.length).toBe(3);
    expect(r.data[0]).toMatchObject({ via: 'url', definition_id: activeId });
  });
});
