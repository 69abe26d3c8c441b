import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { createUser } from '../../src/app/workspaces.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, must, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';

/**
 * Governance of the agreement, entered only through the REST API: who may sign, activate, retire
 * and stop; approver lists; backtest before proposing; a refusal returns the draft to its side;
 * the emergency stop mails both sides (real SMTP server process); the audit log tells the story.
 */
let t: TestApp;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let keys: { marketing: string; rep: string; manager: string; admin: string };
let marketing2: { id: string };
const json = (r: { body: string }) => JSON.parse(r.body);
const errorOf = (r: { body: string }) => json(r).error as { code: string; message: string; details: { path: string; message: string }[] };

beforeAll(async () => {
  t = await createTestApp();
  mail = await startMailCatcher();
  mailer = createMailer(mail.url, 'Leadloop <governance@leadloop.test>');
  keys = {
    marketing: await t.newKey(['write'], t.users.marketing.id), rep: await t.newKey(['write'], t.users.sales.id),
    manager: await t.newKey(['write'], t.users.manager.id), admin: await t.newKey(['admin'], t.users.admin.id),
  };
  marketing2 = must(await createUser(t.deps, t.workspace.id, { email: 'marketing2@acme.test', role: 'marketing', password: TEST_PASSWORD }));
});
afterAll(async () => {
  mailer?.close();
  await mail?.close();
  await t?.close();
});

const base = '/api/v1/definitions';
const post = (url: string, body: unknown, key: string) => t.api('POST', url, body, key);

/** Draft by marketing → backtest → propose → both sides approve → activate (by the sales manager). */
async function adopt(document: unknown): Promise<string> {
  const id = json(await post(base, { document }, keys.marketing)).id;
  expect((await post(`${base}/${id}/backtest`, {}, keys.marketing)).statusCode).toBe(200);
  expect((await post(`${base}/${id}/propose`, undefined, keys.marketing)).statusCode).toBe(200);
  expect((await post(`${base}/${id}/approvals`, { decision: 'approve' }, keys.marketing)).statusCode).toBe(200);
  expect((await post(`${base}/${id}/approvals`, { decision: 'approve' }, keys.manager)).statusCode).toBe(200);
  const act = await post(`${base}/${id}/activate`, undefined, keys.manager);
  expect(act.statusCode, act.body).toBe(200);
  return id;
}

let v1 = '';

describe('approver lists', () => {
  it('default to each side\'s managers (marketing users; sales managers) and the admins, never a rep', async () => {
    const r = json(await t.api('GET', '/api/v1/approvers', undefined, keys.rep));
    expect(r.marketing).toMatchObject({ explicit: false });
    expect(r.marketing.users.map((u: { email: string }) => u.email).sort()).toEqual(['admin@acme.test', 'marketing2@acme.test', 'marketing@acme.test']);
    expect(r.sales).toMatchObject({ explicit: false });
    expect(r.sales.users.map((u: { email: string; role: string }) => `${u.email} ${u.role}`).sort()).toEqual(['admin@acme.test admin', 'manager@acme.test sales_manager']);
    const everyone = [...r.marketing.users, ...r.sales.users].map((u: { role: string }) => u.role);
    expect(everyone).not.toContain('sales');
  });

  it('only admins set them; a rep on a list is refused by name, and nothing is saved', async () => {
    const byManager = await t.api('PUT', '/api/v1/approvers', { sales: [t.users.manager.id] }, keys.manager);
    expect(byManager.statusCode).toBe(403);
    const withRep = await t.api('PUT', '/api/v1/approvers', { marketing: [t.users.marketing.id], sales: [t.users.sales.id] }, keys.admin);
    expect(withRep.statusCode).toBe(400);
    expect(errorOf(withRep).details).toEqual([{ path: 'sales[0]', message: 'sales@acme.test has the role sales; sales approvers must be sales_manager or admin (a sales rep never signs for a side)' }]);
    expect(json(await t.api('GET', '/api/v1/approvers')).marketing.explicit).toBe(false);
  });

  it('an explicit list replaces the default (marketing2 no longer signs)', async () => {
    const set = await t.api('PUT', '/api/v1/approvers', { marketing: [t.users.marketing.id], sales: [] }, keys.admin);
    expect(set.statusCode, set.body).toBe(200);
    expect(json(set).marketing).toEqual({ explicit: true, users: [{ id: t.users.marketing.id, name: expect.any(String), email: 'marketing@acme.test', role: 'marketing' }] });
    expect(json(set).sales.explicit).toBe(false);
  });
});

describe('adopting a version', () => {
  it('proposing needs a backtest of exactly the draft revision', async () => {
    v1 = json(await post(base, { document: defaultDefinition }, keys.marketing)).id;
    const unbacktested = await post(`${base}/${v1}/propose`, undefined, keys.marketing);
    expect(unbacktested.statusCode).toBe(409);
    expect(errorOf(unbacktested).message).toContain('has not been backtested');
    expect(json(await post(`${base}/${v1}/backtest`, {}, keys.marketing)).revision).toBe(1);
    const edited = await t.api('PATCH', `${base}/${v1}`, { document: { ...defaultDefinition, name: 'Starter, edited' } }, keys.marketing);
    expect(json(edited)).toMatchObject({ revision: 2, backtest_revision: 1, owner_side: 'marketing' });
    const stale = await post(`${base}/${v1}/propose`, undefined, keys.marketing);
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale).message).toContain('edited after its backtest (backtest of revision 1, the draft is at revision 2)');
    await post(`${base}/${v1}/backtest`, {}, keys.marketing);
    expect(json(await post(`${base}/${v1}/propose`, undefined, keys.marketing)).status).toBe('proposed');
  });

  it('a rep, a non-listed marketer and a machine key cannot sign', async () => {
    const rep = await post(`${base}/${v1}/approvals`, { decision: 'approve' }, keys.rep);
    expect(rep.statusCode).toBe(403);
    expect(errorOf(rep).message).toContain('you are on no approver list');
    const m2 = await post(`${base}/${v1}/approvals`, { decision: 'approve' }, await t.newKey(['write'], marketing2.id));
    expect(m2.statusCode).toBe(403);
    const machine = await post(`${base}/${v1}/approvals`, { decision: 'approve' }, t.keys.write);
    expect(machine.statusCode).toBe(403);
    expect(errorOf(machine).message).toContain('needs a person');
  });

  it('a refusal sends the proposal back to its author\'s side: sales cannot edit marketing\'s draft', async () => {
    const refused = await post(`${base}/${v1}/approvals`, { decision: 'refuse', comment: 'warm leads are not ready' }, keys.manager);
    expect(json(refused)).toMatchObject({ status: 'draft', owner_side: 'marketing' });
    const salesEdit = await t.api('PATCH', `${base}/${v1}`, { document: defaultDefinition }, keys.manager);
    expect(salesEdit.statusCode).toBe(403);
    expect(errorOf(salesEdit).message).toContain('is a marketing draft: only marketing (or an admin) may change, propose or withdraw it');
    expect((await post(`${base}/${v1}/propose`, undefined, keys.rep)).statusCode).toBe(403);
    expect((await t.api('PATCH', `${base}/${v1}`, { document: { ...defaultDefinition, name: 'Starter v1' } }, keys.marketing)).statusCode).toBe(200);
    await post(`${base}/${v1}/backtest`, {}, keys.marketing);
    expect((await post(`${base}/${v1}/propose`, undefined, keys.marketing)).statusCode).toBe(200);
  });

  it('both sides approve; a machine key cannot activate, an approver can', async () => {
    await post(`${base}/${v1}/approvals`, { decision: 'approve' }, keys.marketing);
    expect(json(await post(`${base}/${v1}/approvals`, { decision: 'approve' }, keys.manager))).toMatchObject({ status: 'approved', sign_off: { complete: true } });
    expect((await post(`${base}/${v1}/activate`, undefined, t.keys.admin)).statusCode).toBe(403);
    expect((await post(`${base}/${v1}/activate`, undefined, keys.rep)).statusCode).toBe(403);
    expect(json(await post(`${base}/${v1}/activate`, undefined, keys.marketing)).activated.status).toBe('active');
  });
});

describe('retiring and the emergency stop', () => {
  const status = async (id: string) => json(await t.api('GET', `${base}/${id}`)).status;

  it("a sales rep's retire is a 403 and scoring goes on", async () => {
    const r = await post(`${base}/${v1}/retire`, { reason: 'too many MQLs' }, keys.rep);
    expect(r.statusCode).toBe(403);
    expect(errorOf(r).message).toContain('needs both sides');
    expect(await status(v1)).toBe('active');
  });

  it('a write machine key, or even an admin machine key, cannot retire', async () => {
    for (const key of [t.keys.write, t.keys.admin]) {
      const r = await post(`${base}/${v1}/retire`, { reason: 'x' }, key);
      expect(r.statusCode).toBe(403);
      expect(errorOf(r).message).toContain('needs a person');
    }
    expect(await status(v1)).toBe('active');
  });

  it('an approver requests retirement (reason required); the other side refuses; it stays active', async () => {
    expect((await post(`${base}/${v1}/retire`, {}, keys.manager)).statusCode).toBe(400);
    const requested = json(await post(`${base}/${v1}/retire`, { reason: 'reps drown in MQLs' }, keys.manager));
    expect(requested).toMatchObject({ status: 'active', retirement: { requested_by: t.users.manager.id, reason: 'reps drown in MQLs', missing: [['marketing']] } });
    const refused = json(await post(`${base}/${v1}/approvals`, { decision: 'refuse', comment: 'fix routing first' }, keys.marketing));
    expect(refused).toMatchObject({ status: 'active', retirement: null });
  });

  it('the emergency stop is for admins (people) with a reason, and emails both sides\' approvers', async () => {
    expect((await post(`${base}/${v1}/emergency-stop`, { reason: 'x' }, keys.manager)).statusCode).toBe(403);
    expect((await post(`${base}/${v1}/emergency-stop`, { reason: 'x' }, t.keys.admin)).statusCode).toBe(403);
    const noReason = await post(`${base}/${v1}/emergency-stop`, { reason: '' }, keys.admin);
    expect(noReason.statusCode).toBe(400);
    expect(await status(v1)).toBe('active');
    const stopped = await post(`${base}/${v1}/emergency-stop`, { reason: 'scoring floods the inbox after a bot attack' }, keys.admin);
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(json(stopped).status).toBe('retired');
    const ran = await runDueJobs({ ...t.deps, mailer, publicUrl: 'https://leadloop.example' }, t.clock.now(), { tasks: ['governance-notify'] });
    expect(ran.map((r) => r.ok)).toEqual([true, true]);
    expect(mail.mails).toHaveLength(2);
    // The earlier retirement request asked marketing's approvers (only) for their sign-off.
    const request = mail.mails.find((m) => m.subject.includes('Your sign-off is needed'))!;
    expect(request.to).toEqual(['marketing@acme.test']);
    expect(request.text).toContain('Reason: reps drown in MQLs');
    const stop = mail.mails.find((m) => m.subject.startsWith('[Leadloop] Emergency stop'))!;
    expect(stop.to.sort()).toEqual(['manager@acme.test', 'marketing@acme.test']);
    expect(stop.subject).toBe('[Leadloop] Emergency stop: lead definition v1 retired, scoring has stopped');
    expect(stop.text).toContain('Reason: scoring floods the inbox after a bot attack');
    expect(stop.text).toContain('https://leadloop.example/definitions');
  });

  it('a retirement both sides sign stops scoring', async () => {
    const v2 = await adopt({ ...defaultDefinition, name: 'Second' });
    json(await post(`${base}/${v2}/retire`, { reason: 'replaced by routing rules' }, keys.marketing));
    expect(await status(v2)).toBe('active');
    const done = json(await post(`${base}/${v2}/approvals`, { decision: 'approve' }, keys.manager));
    expect(done).toMatchObject({ status: 'retired' });
  });
});

describe('the audit log', () => {
  it("holds a definition's whole life: who, what, when, before/after", async () => {
    const r = await t.api('GET', `/api/v1/audit-log?object_type=definition&object_id=${v1}&limit=100`);
    expect(r.statusCode, r.body).toBe(200);
    const rows = json(r).data.reverse();
    expect(rows.map((e: { action: string }) => e.action)).toEqual([
      'definition.created', 'definition.backtested', 'definition.edited', 'definition.backtested', 'definition.proposed',
      'definition.refused', 'definition.edited', 'definition.backtested', 'definition.proposed', 'definition.approved', 'definition.approved',
      'definition.activated', 'definition.retirement_requested', 'definition.retirement_refused', 'definition.emergency_stopped',
    ]);
    const refused = rows[5];
    expect(refused).toMatchObject({
      actor: { kind: 'user', id: t.users.manager.id, label: expect.stringContaining('<manager@acme.test>') },
      reason: 'warm leads are not ready', before: { status: 'proposed' }, after: { status: 'draft', ownerSide: 'marketing' },
    });
    expect(rows[2].before.document.name).toBe(defaultDefinition.name);
    expect(rows[2].after.document.name).toBe('Starter, edited');
    expect(rows.at(-1)).toMatchObject({ actor: { id: t.users.admin.id }, reason: 'scoring floods the inbox after a bot attack', before: { status: 'active' }, after: { status: 'retired' } });
    expect(rows.at(-1).request_id).toEqual(expect.any(String));
  });

  it('filters by actor, action prefix and time, pages with a cursor, and exports CSV', async () => {
    const byAdmin = json(await t.api('GET', `/api/v1/audit-log?actor=${t.users.admin.id}`)).data;
    expect(byAdmin.map((e: { action: string }) => e.action)).toEqual(['definition.emergency_stopped', 'approvers.changed']);
    expect(byAdmin[1]).toMatchObject({ before: { marketing: expect.arrayContaining(['marketing2@acme.test']) }, after: { marketing: ['marketing@acme.test'] } });
    const first = json(await t.api('GET', '/api/v1/audit-log?action=definition.&limit=3'));
    expect(first.data).toHaveLength(3);
    const second = json(await t.api('GET', `/api/v1/audit-log?action=definition.&limit=3&cursor=${first.next_cursor}`));
    expect(second.data[0].id < first.data[2].id).toBe(true);
    const future = json(await t.api('GET', '/api/v1/audit-log?from=2099-01-01T00:00:00Z'));
    expect(future.data).toEqual([]);
    const bad = await t.api('GET', '/api/v1/audit-log?action=Drop%20table');
    expect(bad.statusCode).toBe(400);
    const csv = await t.api('GET', `/api/v1/audit-log?format=csv&object_id=${v1}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('at,actor_kind,actor_id,actor_key_id,actor,action,object_type,object_id,reason,before,after,request_id,ip');
    expect(lines).toHaveLength(16);
    expect(lines[1]).toContain('definition.emergency_stopped');
  });

  it('is for admins only, and has no door to change it', async () => {
    expect((await t.api('GET', '/api/v1/audit-log', undefined, keys.manager)).statusCode).toBe(403);
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
      expect((await t.api(method, '/api/v1/audit-log')).statusCode).toBe(404);
    }
  });
});
