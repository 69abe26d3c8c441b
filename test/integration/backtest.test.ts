import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { drainJobs } from '../../src/jobs/worker.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Proposal vs active on a small history with known outcomes: the proposal raises engagement
 * level 2 to 40 points, so the two A-fit contacts with 35 points no longer qualify; one of them
 * really went on to win 10,000.
 */
let t: TestApp;
const json = (r: { body: string }) => JSON.parse(r.body);
let proposalId = '';
let winnerLead = '';

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-01-05T09:00:00Z'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  await drainJobs(t.pool, t.deps);
  const account = json(await t.api('POST', '/api/v1/accounts', { name: 'Cloudly', domain: 'cloudly.io', industry: 'SaaS', employee_count: 500 }));
  const caseStudy = json(await t.api('POST', '/api/v1/content', { title: 'Case', format: 'case_study' })).id;
  const people = [['vp@cloudly.io', 'VP Marketing'], ['dir@cloudly.io', 'Director of Marketing'], ['eng@cloudly.io', 'Engineer']];
  for (const [i, [email, title]] of people.entries()) {
    const c = json(await t.api('POST', '/api/v1/contacts', { email, title, account_id: account.id }));
    const day = `2026-01-0${5 + i}`;
    for (const [time, body] of [['10:00', { type: 'page_view', url: '/pricing' }], ['10:05', { type: 'page_view', url: '/pricing' }], ['10:10', { type: 'content_download', content_id: caseStudy }]] as const) {
      const when = new Date(`${day}T${time}:00Z`);
      t.clock.set(when);
      const r = await t.api('POST', '/api/v1/activities', { contact_id: c.id, occurred_at: when.toISOString(), ...body }, t.keys.write);
      expect(r.statusCode).toBe(201);
    }
    if (i === 0) winnerLead = json(await t.api('GET', `/api/v1/leads?contact_id=${c.id}`)).data[0].id;
  }
  t.clock.set(new Date('2026-01-12T09:00:00Z'));
  // Sales work is a person's: a rep's personal key (the lead waits in the shared queue).
  const rep = await t.newKey(['write'], t.users.sales.id);
  for (const to of ['sal', 'sql', 'opportunity']) expect((await t.api('POST', `/api/v1/leads/${winnerLead}/transitions`, { to }, rep)).statusCode).toBe(201);
  const opp = await t.api('POST', '/api/v1/opportunities', { name: 'Cloudly deal', account_id: account.id, amount: 10000, stage: 'closed_won', status: 'won', lead_ids: [winnerLead] }, t.keys.write);
  expect(opp.statusCode, opp.body).toBe(201);
  // The deal was created won: its lead followed it (leads and deals stay in step).
  expect(json(await t.api('GET', `/api/v1/leads/${winnerLead}`)).stage).toBe('won');
  const proposal = structuredClone(defaultDefinition) as any;
  proposal.name = 'Stricter';
  proposal.engagement.levels[1].min = 40;
  proposalId = json(await t.api('POST', '/api/v1/definitions', { document: proposal })).id;
});
afterAll(async () => { await t?.close(); });

describe('backtest', () => {
  it('compares the proposal with the active definition, with exact numbers, and keeps the result', async () => {
    const r = await t.api('POST', `/api/v1/definitions/${proposalId}/backtest`, { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(r.statusCode, r.body).toBe(200);
    const b = json(r);
    expect(b.active).toMatchObject({
      version: 1, contacts: 3, activities: 9, mqls: 2, viaHandRaise: 0, mqlsPerMonth: [{ month: '2026-01', count: 2 }],
      medianDaysFirstTouchToMql: 10 / 1440, reached: { sal: 1, sql: 1, opportunity: 1, won: 1 }, revenueCovered: 10000, revenueWon: 10000,
      missedWon: { count: 0, revenue: 0 },
    });
    expect(b.proposal).toMatchObject({ contacts: 3, activities: 9, mqls: 0, revenueCovered: 0, revenueWon: 10000, missedWon: { count: 1, revenue: 10000 } });
    expect(b.repCount).toBe(1);
    const again = json(await t.api('POST', `/api/v1/definitions/${proposalId}/backtest`, { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }));
    const strip = (x: any) => ({ ...x, ranAt: null, seconds: null });
    expect(strip(again)).toEqual(strip(b));
    const stored = json(await t.api('GET', `/api/v1/definitions/${proposalId}`)).backtest;
    expect(stored.proposal.mqls).toBe(0);
    const history = json(await t.api('GET', '/api/v1/definitions/history')).data;
    expect(history[1].backtest_summary).toMatchObject({ proposal: { mqls: 0, missed_won: 1 }, active: { mqls: 2, revenue_covered: 10000 } });
  });
});
