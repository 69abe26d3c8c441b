import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { listPendingJobs } from '../../src/storage/job-queue.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { MONDAY_9, at, createLead, createRep, expectStatus, json, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';

let t: TestApp;
let ana: { id: string }, ben: { id: string }, cara: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
  ana = await createRep(t, 'Ana');
  ben = await createRep(t, 'Ben');
  cara = await createRep(t, 'Cara');
  await expectStatus(t.api('PUT', '/api/v1/teams/EMEA', { manager_id: t.users.manager.id, calendar: null }), 200);
});
afterAll(async () => { await t?.close(); });

const handoff = async (leadId: string) => expectStatus(t.api('GET', `/api/v1/leads/${leadId}/handoff`), 200);

describe('routing', () => {
  it('rejects an invalid rule set with the path of the problem, and versions valid ones', async () => {
    const bad = await t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }] });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.message).toContain('fallback_queue');
    const v1 = await useRoundRobin(t);
    expect(v1.version).toBe(1);
    const current = await expectStatus(t.api('GET', '/api/v1/routing'), 200);
    expect(current).toMatchObject({ version: 1, rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue' }] });
  });

  it('weighted round-robin skips the out-of-office rep and respects capacity, and says why', async () => {
    await expectStatus(t.api('PUT', `/api/v1/users/${ana.id}/rep-settings`, { weight: 1, capacity: 1 }), 200);
    await expectStatus(t.api('PUT', `/api/v1/users/${ben.id}/rep-settings`, { weight: 2, capacity: null }), 200);
    await expectStatus(t.api('PATCH', `/api/v1/users/${cara.id}`, { out_of_office_until: '2031-03-10T00:00:00Z' }), 200);
    // Credits (ana w1, ben w2): ben 2>1 → ben; ana 2>1 → ana (now at capacity 1/1); then only ben is available.
    const owners: (string | null)[] = [];
    const leads: string[] = [];
    for (let i = 0; i < 4; i++) {
      const lead = await createLead(t);
      leads.push(lead.id);
      owners.push((await moveLead(t, lead.id, { to: 'mql', note: 'score 72 ≥ 60 (definition v1)' })).lead.owner_id);
    }
    expect(owners).toEqual([ben.id, ana.id, ben.id, ben.id]);
    const third = (await handoff(leads[2]!)).assignments[0];
    expect(third).toMatchObject({ rule_kind: 'round_robin', rule_index: 0, routing_version: 1, owner_id: ben.id });
    expect(third.explanation).toContain('Ana at capacity 1/1');
    expect(third.explanation).toContain('Cara (out of office until 2031-03-10)');
    // Close these leads so that later tests start from empty queues.
    for (const id of leads) await moveLead(t, id, { to: 'disqualified', reason_code: 'duplicate' });
    await expectStatus(t.api('PATCH', `/api/v1/users/${cara.id}`, { out_of_office_until: null }), 200);
    await expectStatus(t.api('PUT', `/api/v1/users/${ana.id}/rep-settings`, { weight: 1, capacity: null }), 200);
    await expectStatus(t.api('PUT', `/api/v1/users/${ben.id}/rep-settings`, { weight: 1, capacity: null }), 200);
  });

  it('a manager reassigns with a note, recorded; a rep may not', async () => {
    const lead = await createLead(t);
    const owner = (await moveLead(t, lead.id, { to: 'mql' })).lead.owner_id;
    const target = owner === ana.id ? ben.id : ana.id;
    const repKey = await t.newKey(['write'], t.users.sales.id);
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: target }, repKey)).statusCode).toBe(403);
    const managerKey = await t.newKey(['write'], t.users.manager.id);
    const r = await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: target, note: 'speaks German' }, managerKey), 201);
    expect(r.lead.owner_id).toBe(target);
    expect(r.assignment).toMatchObject({ rule_kind: 'manual', previous_owner_id: owner, note: 'speaks German', actor: { type: 'user', id: t.users.manager.id } });
    const trail = await handoff(lead.id);
    // Running clocks restart for the new owner.
    expect(trail.clocks.filter((c: any) => c.stopped_at === null).map((c: any) => c.owner_id)).toEqual([target, target]);
    await moveLead(t, lead.id, { to: 'disqualified', reason_code: 'duplicate' });
  });
});

describe('SLA clocks and escalation (simulated clock)', () => {
  it('MQL at 09:00, no answer by 13:00 → manager alerted; by 15:00 → reassigned to the next rep', async () => {
    t.clock.set(at('09:00', '2031-03-04'));
    const lead = await createLead(t);
    const first = (await moveLead(t, lead.id, { to: 'mql', note: 'score 80' })).lead.owner_id!;
    const jobs = await listPendingJobs(t.db);
    const timer = jobs.find((j) => j.key === `sla:${lead.id}`)!;
    expect(timer.runAt.toISOString()).toBe('2031-03-04T13:00:00.000Z');

    t.clock.set(at('12:59', '2031-03-04'));
    await runDueJobs(t.deps, t.clock.now(), { tasks: ['sla-check'] });
    expect((await handoff(lead.id)).escalations).toHaveLength(0);

    t.clock.set(at('13:00', '2031-03-04'));
    const ran = await runDueJobs(t.deps, t.clock.now(), { tasks: ['sla-check'] });
    expect(ran.map((r) => r.key)).toEqual([`sla:${lead.id}`]);
    let trail = await handoff(lead.id);
    expect(trail.escalations).toMatchObject([{ kind: 'accept', action: 'notify_manager', recipient_id: t.users.manager.id, from_owner_id: first }]);
    expect(trail.escalations[0].reason).toContain('Accept SLA (4h business) breached: due 2031-03-04 13:00 UTC');
    const managerKey = await t.newKey(['read'], t.users.manager.id);
    const feed = await expectStatus(t.api('GET', '/api/v1/alerts?unread=true', undefined, managerKey), 200);
    expect(feed.data.find((a: any) => a.lead_id === lead.id)).toMatchObject({ kind: 'sla_breach', url: `http://localhost:3000/leads/${lead.id}` });
    expect((await listPendingJobs(t.db)).find((j) => j.key === `sla:${lead.id}`)!.runAt.toISOString()).toBe('2031-03-04T15:00:00.000Z');

    t.clock.set(at('15:00', '2031-03-04'));
    await runDueJobs(t.deps, t.clock.now(), { tasks: ['sla-check'] });
    trail = await handoff(lead.id);
    const reassign = trail.escalations.find((e: any) => e.action === 'reassign');
    expect(reassign.from_owner_id).toBe(first);
    expect(reassign.to_owner_id).not.toBe(first);
    expect(reassign.to_owner_id).not.toBeNull();
    const last = trail.assignments.at(-1);
    expect(last).toMatchObject({ rule_kind: 'escalation', previous_owner_id: first, owner_id: reassign.to_owner_id, actor: { type: 'system' } });
    const lead2 = await expectStatus(t.api('GET', `/api/v1/leads/${lead.id}`), 200);
    expect(lead2.owner_id).toBe(reassign.to_owner_id);
    // The new owner gets fresh clocks: accept due 4 business hours later (Wed 11:00).
    const acceptClock = trail.clocks.find((c: any) => c.kind === 'accept' && c.stopped_at === null);
    expect(acceptClock).toMatchObject({ owner_id: reassign.to_owner_id, due_at: '2031-03-05T11:00:00.000Z' });

    // Accept at 10:00 next day stops it in time.
    t.clock.set(at('10:00', '2031-03-05'));
    await moveLead(t, lead.id, { to: 'sal' });
    trail = await handoff(lead.id);
    expect(trail.clocks.find((c: any) => c.id === acceptClock.id)).toMatchObject({ stop_reason: 'accepted', stopped_at: '2031-03-05T10:00:00.000Z' });
    expect(trail.clocks.some((c: any) => c.kind === 'opportunity_decision' && c.stopped_at === null)).toBe(true);
    // A logged call stops first touch.
    await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/touches`, { type: 'sales_call', note: 'intro call' }), 201);
    trail = await handoff(lead.id);
    expect(trail.clocks.find((c: any) => c.kind === 'first_touch' && c.owner_id === reassign.to_owner_id)).toMatchObject({ stop_reason: 'touched' });
  });

  it('reject → recycle to nurture (by the reason mapping) → re-qualify: recycle count 1 with reason history', async () => {
    t.clock.set(at('09:00', '2031-03-06'));
    const lead = await createLead(t);
    const owner = (await moveLead(t, lead.id, { to: 'mql', note: 'score 75' })).lead.owner_id;
    expect(owner).not.toBeNull();
    // not_ready maps to nurture: the reject endpoint follows the configured outcome.
    const rejected = await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/reject`, { reason_code: 'not_ready', note: 'budget in Q3', recheck_at: '2031-07-01T00:00:00Z' }), 201);
    expect(rejected.lead).toMatchObject({ stage: 'nurture', recycle_count: 1, owner_id: null, recheck_at: '2031-07-01T00:00:00.000Z' });
    expect((await listPendingJobs(t.db)).some((j) => j.key === `sla:${lead.id}`)).toBe(false);
    t.clock.set(at('11:00', '2031-03-06'));
    const requalified = await moveLead(t, lead.id, { to: 'mql', note: 'score 90 after webinar' });
    expect(requalified.lead).toMatchObject({ stage: 'mql', recycle_count: 1 });
    expect(requalified.lead.owner_id).not.toBeNull();
    const recycles = await expectStatus(t.api('GET', `/api/v1/leads/${lead.id}/recycles`), 200);
    expect(recycles.recycle_count).toBe(1);
    expect(recycles.events.map((e: any) => [e.from, e.to, e.reason_code, e.outcome])).toEqual([['mql', 'nurture', 'not_ready', 'nurture'], ['nurture', 'mql', null, null]]);
    // Admins can remap a reason: spam → disqualified stays, wrong_contact → disqualified now.
    await expectStatus(t.api('PUT', '/api/v1/reason-codes', { codes: [{ code: 'wrong_contact', label: 'Wrong contact', outcome: 'disqualified' }] }), 200);
    const closed = await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/reject`, { reason_code: 'wrong_contact' }), 201);
    expect(closed.lead.stage).toBe('disqualified');
    const report = await expectStatus(t.api('GET', '/api/v1/reports/rejections?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z'), 200);
    expect(report.by_source.map((r: any) => r.reason_code)).toEqual(expect.arrayContaining(['not_ready', 'wrong_contact']));
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/reports/rejections?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z&format=csv', headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(csv.statusCode, csv.body).toBe(200);
    const [header, ...lines] = csv.body.trimEnd().split('\r\n');
    expect(header).toBe('dimension,value,reason_code,outcome,count');
    expect(lines.filter((l) => l.startsWith('source,')).length).toBe(report.by_source.length);
    expect(lines.some((l) => /,wrong_contact,disqualified,\d+$/.test(l))).toBe(true);
  });
});
