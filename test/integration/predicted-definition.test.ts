import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { importPredictionHistory } from '../helpers/prediction-history.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A trained model used in the agreement, entered only through the REST API: a definition naming an unknown model is
 * refused (nothing saved); a draft using a real one needs its backtest before it can be proposed, a rep can neither
 * sign nor activate it; once both sides signed, a person's probability qualifies them (explained in words), the lead
 * score says where its points came from, and the inbox listing carries the probability in the definition's order.
 */
let t: TestApp;
let keys: { marketing: string; rep: string; manager: string };
const json = (r: { body: string }) => JSON.parse(r.body);
const errorOf = (r: { body: string }) => json(r).error as { code: string; message: string; details: { path: string; message: string }[] };
const base = '/api/v1/definitions';
let modelId = '';
let draftId = '';

const importHistory = () => importPredictionHistory(t, ['newcomer@bigco.example,Nia,VP Sales,2026-03-01,,,enterprise', 'small@tiny.example,Sam,Analyst,2026-03-01,,,smb']);

const contactId = async (email: string) => json(await t.api('GET', `/api/v1/contacts?email=${encodeURIComponent(email)}`)).data[0].id as string;
const draftCount = async () => Number((await t.pool.query(`SELECT count(*) AS n FROM lead_definition WHERE workspace_id = $1`, [t.workspace.id])).rows[0].n);

beforeAll(async () => {
  t = await createTestApp();
  keys = { marketing: await t.newKey(['write'], t.users.marketing.id), rep: await t.newKey(['write'], t.users.sales.id), manager: await t.newKey(['write'], t.users.manager.id) };
  await importHistory();
  const trained = await t.api('POST', '/api/v1/models', { target_stage: 'opportunity', horizon_days: 90 });
  expect(trained.statusCode, trained.body).toBe(201);
  modelId = json(trained).id;
  const scored = await t.api('POST', `/api/v1/models/${modelId}/predictions`);
  expect(scored.statusCode, scored.body).toBe(200);
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('a predicted rule in the definition', () => {
  it('naming a model the workspace has not trained is a 400 with the path, and nothing is saved', async () => {
    const doc = structuredClone(defaultDefinition);
    const before = await draftCount();
    const ghost = '0193a000-0000-7000-8000-00000000dead';
    const r = await t.api('POST', base, { document: { ...doc, predicted: [{ id: 'likely', model: ghost, use: 'mql', minProbability: 0.5 }], inbox: { sort: 'predicted', model: 'not-a-model' } } }, keys.marketing);
    expect(r.statusCode).toBe(400);
    const e = errorOf(r);
    expect(e.message).toContain('has not trained');
    expect(e.details).toEqual([
      { path: 'predicted[0].model', message: `no trained model ${ghost} in this workspace` },
      { path: 'inbox.model', message: 'no trained model not-a-model in this workspace' },
    ]);
    const noThreshold = await t.api('POST', `${base}/validate`, { document: { ...doc, predicted: [{ id: 'likely', model: modelId, use: 'mql' }] } }, keys.marketing);
    expect(noThreshold.statusCode).toBe(400);
    expect(errorOf(noThreshold).details.map((d) => d.path)).toContain('predicted[0].minProbability');
    expect(await draftCount()).toBe(before);
  });

  it('governed: no proposal before the backtest of this revision, a rep neither signs nor activates; the backtest says where probabilities came from', async () => {
    const doc = structuredClone(defaultDefinition);
    const created = await t.api('POST', base, { document: { ...doc, name: 'With the model', predicted: [{ id: 'likely', model: modelId, use: 'mql', minProbability: 0.5 }], inbox: { sort: 'predicted', model: modelId } } }, keys.marketing);
    expect(created.statusCode, created.body).toBe(201);
    draftId = json(created).id;
    const early = await t.api('POST', `${base}/${draftId}/propose`, undefined, keys.marketing);
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).message).toMatch(/backtest/i);

    const bt = await t.api('POST', `${base}/${draftId}/backtest`, {}, keys.marketing);
    expect(bt.statusCode, bt.body).toBe(200);
    const backtest = json(bt);
    expect(backtest.notes.join(' ')).toMatch(/stored prediction of model v1 \(2\d\d people/);
    expect(backtest.notes.join(' ')).toContain('flatters the model');
    expect((await t.api('POST', `${base}/${draftId}/propose`, undefined, keys.marketing)).statusCode).toBe(200);

    const repSigns = await t.api('POST', `${base}/${draftId}/approvals`, { decision: 'approve' }, keys.rep);
    expect(repSigns.statusCode).toBe(403);
    expect((await t.api('POST', `${base}/${draftId}/approvals`, { decision: 'approve' }, keys.marketing)).statusCode).toBe(200);
    expect((await t.api('POST', `${base}/${draftId}/approvals`, { decision: 'approve' }, keys.manager)).statusCode).toBe(200);
    const repActivates = await t.api('POST', `${base}/${draftId}/activate`, undefined, keys.rep);
    expect(repActivates.statusCode).toBe(403);
    expect(json(await t.api('GET', `${base}/${draftId}`)).status).toBe('approved');
    const act = await t.api('POST', `${base}/${draftId}/activate`, undefined, keys.manager);
    expect(act.statusCode, act.body).toBe(200);
    await runDueJobs(t.deps, new Date(Date.now() + 60_000));
  }, 120_000);

  it('live: the probability qualifies a likely buyer with a sentence naming the model; an unlikely one stays', async () => {
    const likely = await contactId('newcomer@bigco.example');
    const unlikely = await contactId('small@tiny.example');
    const prediction = json(await t.api('GET', `/api/v1/contacts/${likely}/prediction`));
    expect(prediction).toMatchObject({ model_id: modelId, governed: true });
    expect(prediction.probability).toBeGreaterThan(0.5);
    const low = json(await t.api('GET', `/api/v1/contacts/${unlikely}/prediction`));
    expect(low.probability).toBeLessThan(0.5);

    const at = new Date().toISOString();
    for (const id of [likely, unlikely]) {
      const r = await t.api('POST', '/api/v1/activities', { contact_id: id, type: 'page_view', occurred_at: at, url: 'https://acme.test/pricing' }, t.keys.write);
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    const leadOf = async (id: string) => json(await t.api('GET', `/api/v1/leads?contact_id=${id}`)).data[0];
    const lead = await leadOf(likely);
    expect(lead.stage).toBe('mql');
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    const toMql = history.find((h: { to: string }) => h.to === 'mql');
    expect(toMql.note).toMatch(/predicted \d+% likely to reach opportunity \(model v1\) ≥ 50%/);
    expect((await leadOf(unlikely))?.stage ?? 'none').not.toBe('mql');
    // The lead's score lists where points came from; the rating alone (C3) would not have qualified.
    const score = json(await t.api('GET', `/api/v1/leads/${lead.id}/score`));
    expect(score.cell).not.toMatch(/^[AB][12]$/);
  });

  it('the inbox listing carries each person\'s probability and top reason in the order the definition chose', async () => {
    const r = await t.api('GET', '/api/v1/leads?include=contact,prediction&limit=500', undefined, keys.manager);
    expect(r.statusCode, r.body).toBe(200);
    const body = json(r);
    expect(body.inbox_sort).toEqual({ sort: 'predicted', model_id: modelId, model_version: 1, definition_version: expect.any(Number) });
    const mql = body.data.find((l: { contact: { email: string } }) => l.contact?.email === 'newcomer@bigco.example');
    expect(mql.prediction.probability).toBeGreaterThan(0.5);
    expect(mql.prediction.top_reason).toMatch(/^\+\d+ pts: /);
    // Without include=prediction nothing changes for older clients.
    expect(json(await t.api('GET', '/api/v1/leads?limit=1')).inbox_sort).toBeUndefined();
  });
});
