import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let keys: { marketing: string; sales: string; manager: string; admin: string };
const json = (r: { body: string }) => JSON.parse(r.body);

beforeAll(async () => {
  t = await createTestApp();
  keys = {
    marketing: await t.newKey(['write'], t.users.marketing.id), sales: await t.newKey(['write'], t.users.sales.id),
    manager: await t.newKey(['write'], t.users.manager.id), admin: await t.newKey(['admin'], t.users.admin.id),
  };
});
afterAll(async () => { await t?.close(); });

const v2Document = () => {
  const doc = structuredClone(defaultDefinition) as any;
  doc.fit.rules[0].points = 40;
  doc.mql.ratings = ['qualified', 'warm'];
  doc.highIntent.urls = [...doc.highIntent.urls, '/security*'];
  return doc;
};

describe('definition lifecycle', () => {
  let v1 = '';
  let v2 = '';

  it('validate names the path inside the document', async () => {
    const doc = structuredClone(defaultDefinition) as any;
    doc.fit.grades[1].min = 70;
    doc.engagement.rules[0].colour = 'red';
    const r = await t.api('POST', '/api/v1/definitions/validate', { document: doc });
    expect(r.statusCode).toBe(400);
    expect(json(r).error.details).toEqual([{ path: 'engagement.rules[0].colour', message: "unknown field 'colour'" }]);
    const bands = await t.api('POST', '/api/v1/definitions/validate', { document: { ...defaultDefinition, fit: { ...defaultDefinition.fit, grades: [{ grade: 'A', min: 60 }, { grade: 'B', min: 70 }, { grade: 'C', min: 20 }, { grade: 'D' }] } } });
    expect(json(bands).error.details[0].path).toBe('fit.grades[1].min');
    const missing = await t.api('POST', '/api/v1/definitions/validate', { document: { ...defaultDefinition, highIntent: { contentIds: ['00000000-0000-7000-8000-000000000000'], urls: [] } } });
    expect(json(missing).error.details).toEqual([{ path: 'highIntent.contentIds[0]', message: 'content asset 00000000-0000-7000-8000-000000000000 does not exist' }]);
    expect(json(await t.api('POST', '/api/v1/definitions/validate', { text: stringify(defaultDefinition), format: 'yaml' }))).toEqual({ valid: true, name: defaultDefinition.name });
  });

  it('creates a draft from YAML text, which stays editable', async () => {
    const r = await t.api('POST', '/api/v1/definitions', { text: stringify(defaultDefinition), format: 'yaml' }, keys.marketing);
    expect(r.statusCode, r.body).toBe(201);
    v1 = json(r).id;
    expect(json(r)).toMatchObject({ version: 1, status: 'draft', created_by: t.users.marketing.id });
    const edited = await t.api('PATCH', `/api/v1/definitions/${v1}`, { document: { ...defaultDefinition, name: 'Starter, edited' } }, keys.marketing);
    expect(json(edited)).toMatchObject({ name: 'Starter, edited', status: 'draft' });
  });

  it('refuses activation with a clear error while one side has not approved', async () => {
    expect((await t.api('POST', `/api/v1/definitions/${v1}/backtest`, {}, keys.marketing)).statusCode).toBe(200);
    expect(json(await t.api('POST', `/api/v1/definitions/${v1}/propose`, undefined, keys.marketing)).status).toBe('proposed');
    const signed = await t.api('POST', `/api/v1/definitions/${v1}/approvals`, { decision: 'approve', comment: 'ok for marketing' }, keys.marketing);
    expect(json(signed)).toMatchObject({ status: 'proposed', sign_off: { complete: false, missing: [['sales']] } });
    const refused = await t.api('POST', `/api/v1/definitions/${v1}/activate`, undefined, keys.admin);
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error.message).toBe('Version 1 cannot be activated yet: it still needs approval from sales.');
  });

  it('a machine key cannot sign, and a sales rep is on no approver list by default', async () => {
    const machine = await t.api('POST', `/api/v1/definitions/${v1}/approvals`, { decision: 'approve' }, t.keys.write);
    expect(machine.statusCode).toBe(403);
    expect(json(machine).error.message).toContain('needs a person');
    const rep = await t.api('POST', `/api/v1/definitions/${v1}/approvals`, { decision: 'approve' }, keys.sales);
    expect(rep.statusCode).toBe(403);
    expect(json(rep).error.message).toContain('you are on no approver list');
  });

  it('approved by sales, the version is immutable; activation makes it active', async () => {
    const signed = await t.api('POST', `/api/v1/definitions/${v1}/approvals`, { decision: 'approve' }, keys.manager);
    expect(json(signed)).toMatchObject({ status: 'approved', sign_off: { complete: true } });
    const patch = await t.api('PATCH', `/api/v1/definitions/${v1}`, { document: defaultDefinition }, keys.marketing);
    expect(patch.statusCode).toBe(409);
    expect(json(patch).error.message).toBe('Version 1 is approved and cannot change; copy it into a new draft to make changes.');
    const act = await t.api('POST', `/api/v1/definitions/${v1}/activate`, undefined, keys.marketing);
    expect(act.statusCode, act.body).toBe(200);
    expect(json(act)).toMatchObject({ activated: { status: 'active' }, retired: null });
  });

  it('a refusal needs a comment and sends the proposal back to draft', async () => {
    v2 = json(await t.api('POST', '/api/v1/definitions', { document: v2Document() }, keys.marketing)).id;
    await t.api('POST', `/api/v1/definitions/${v2}/backtest`, {}, keys.marketing);
    await t.api('POST', `/api/v1/definitions/${v2}/propose`, undefined, keys.marketing);
    const noComment = await t.api('POST', `/api/v1/definitions/${v2}/approvals`, { decision: 'refuse' }, keys.manager);
    expect(noComment.statusCode).toBe(400);
    const refused = await t.api('POST', `/api/v1/definitions/${v2}/approvals`, { decision: 'refuse', comment: 'warm leads are not ready' }, keys.manager);
    expect(json(refused).status).toBe('draft');
  });

  it('activating v2 retires v1 atomically; the diff is in words; history tells who agreed', async () => {
    await t.api('POST', `/api/v1/definitions/${v2}/propose`, undefined, keys.marketing);
    await t.api('POST', `/api/v1/definitions/${v2}/approvals`, { decision: 'approve' }, keys.manager);
    await t.api('POST', `/api/v1/definitions/${v2}/approvals`, { decision: 'approve' }, keys.marketing);
    const diff = json(await t.api('GET', `/api/v1/definitions/${v2}/diff?against=active`));
    expect(diff.from.version).toBe(1);
    expect(diff.changes.map((c: { text: string }) => c.text)).toEqual(expect.arrayContaining([
      expect.stringContaining('+40 points (was +30)'), expect.stringContaining('warm'), expect.stringContaining('/security*'),
    ]));
    const act = json(await t.api('POST', `/api/v1/definitions/${v2}/activate`, undefined, keys.manager));
    expect(act).toMatchObject({ activated: { id: v2, status: 'active' }, retired: { id: v1, status: 'retired' } });
    const history = json(await t.api('GET', '/api/v1/definitions/history')).data;
    expect(history.map((h: { version: number; status: string }) => [h.version, h.status])).toEqual([[1, 'retired'], [2, 'active']]);
    expect(history[1].events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'backtested', 'proposed', 'refused', 'proposed', 'approved', 'approved', 'activated']);
    expect(history[1].events[3]).toMatchObject({ user_id: t.users.manager.id, role: 'sales', comment: 'warm leads are not ready' });
    expect(history[1].changes.length).toBeGreaterThan(0);
  });
});
