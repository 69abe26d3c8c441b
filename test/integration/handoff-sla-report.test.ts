import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { at, createLead, createRep, expectStatus, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';

let t: TestApp;
let receiver: Server;
let ana: { id: string }, ben: { id: string };
const deps = () => ({ ...t.deps, mailer: null, publicUrl: 'http://leadloop.test' });

beforeAll(async () => {
  t = await createTestApp();
  receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'ok', kind: 'json', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` }), 201);
  ana = await createRep(t, 'Ana');
  ben = await createRep(t, 'Ben');
  await useRoundRobin(t);
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await t?.close();
});

/** Sets the clock, does the work, then runs due SLA timers; alerts are delivered only by the bare steps (09:01, 09:31). */
async function step(time: string, work?: () => Promise<unknown>) {
  t.clock.set(at(time));
  await work?.();
  await runDueJobs(deps(), t.clock.now(), work ? { tasks: ['sla-check'] } : {});
}

describe('SLA report on a hand-computed case', () => {
  it('counts, times, hit rate, breaches, escalations and the system/human delay split per rep and team', async () => {
    // Monday, workspace default policy: accept within 4 business hours, first touch within 24; breach → manager, +2h → reassign.
    const l1 = await createLead(t), l2 = await createLead(t), l3 = await createLead(t);
    await step('09:00', async () => {
      expect((await moveLead(t, l1.id, { to: 'mql' })).lead.owner_id).toBe(ana.id); // credits tie → lowest id
      expect((await moveLead(t, l2.id, { to: 'mql' })).lead.owner_id).toBe(ben.id);
    });
    await step('09:01'); // alerts for L1 and L2 delivered (system delay 60 s each)
    await step('09:30', async () => expect((await moveLead(t, l3.id, { to: 'mql' })).lead.owner_id).toBe(ana.id));
    await step('09:31'); // alert for L3 delivered
    await step('10:00', () => moveLead(t, l1.id, { to: 'sal' })); // Ana accepts L1 after 60 min
    await step('11:00', () => expectStatus(t.api('POST', `/api/v1/leads/${l1.id}/touches`, { type: 'sales_call' }), 201)); // first touch after 120 min
    await step('12:00', () => moveLead(t, l2.id, { to: 'nurture', reason_code: 'not_ready' })); // Ben rejects L2 in time
    await step('13:30'); // L3's accept clock breaches: the manager is notified (1 escalation)
    await step('14:00', () => moveLead(t, l3.id, { to: 'sal' })); // Ana accepts L3 late, after 270 min
    t.clock.set(at('15:00'));

    const r = await expectStatus(t.api('GET', '/api/v1/reports/sla?from=2031-03-03T00:00:00Z&to=2031-03-04T00:00:00Z'), 200);
    const anaRow = r.reps.find((x: any) => x.key === `rep:${ana.id}`);
    const benRow = r.reps.find((x: any) => x.key === `rep:${ben.id}`);
    expect(anaRow).toMatchObject({
      received: 2, accepted: 2, rejected: 0, untouched: 0,
      timeToAcceptMin: { median: 165, p90: 249 }, // 60 and 270: p90 = 60 + 0.9 × 210
      timeToFirstTouchMin: { median: 120, p90: 120 },
      sla: { hits: 2, misses: 1, open: 1, hitRate: 0.6667 }, // L1 accept + touch hit, L3 accept missed, L3 touch still running
      breaches: 1, escalations: 1,
      delay: { mqlToAssignmentS: 0, assignmentToAlertS: 60, systemS: 60, humanS: 9840, samples: 2 }, // human: 59 min and 269 min
    });
    expect(benRow).toMatchObject({
      received: 1, accepted: 0, rejected: 1, untouched: 0, timeToAcceptMin: { median: null, p90: null },
      sla: { hits: 1, misses: 0, hitRate: 1 }, breaches: 0, escalations: 0, delay: { systemS: 60, humanS: null, samples: 1 },
    });
    expect(r.teams).toMatchObject([{ key: 'team:EMEA', received: 3, accepted: 2, rejected: 1, sla: { hits: 3, misses: 1, hitRate: 0.75 }, escalations: 1, delay: { systemS: 60, humanS: 9840 } }]);
    expect(r.total).toMatchObject({ received: 3, breaches: 1 });

    // The same figures as one flat CSV table: reps, teams, total.
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/reports/sla?from=2031-03-03T00:00:00Z&to=2031-03-04T00:00:00Z&format=csv', headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="sla-2031-03-03-2031-03-03.csv"');
    const [header, ...lines] = csv.body.trimEnd().split('\r\n');
    const cols = header!.split(',');
    const cell = (line: string, col: string) => line.split(',')[cols.indexOf(col)];
    const anaLine = lines.find((l) => l.startsWith(`rep,${anaRow.name},`))!;
    expect([cell(anaLine, 'received'), cell(anaLine, 'accept_median_min'), cell(anaLine, 'sla_hit_rate'), cell(anaLine, 'human_delay_median_s')]).toEqual(['2', '165', '0.6667', '9840']);
    expect(lines.filter((l) => l.startsWith('team,'))).toHaveLength(1);
    expect(cell(lines.at(-1)!, 'level')).toBe('total');
    expect(cell(lines.at(-1)!, 'breaches')).toBe('1');
  });
});
