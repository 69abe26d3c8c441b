import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { predictionHandlers } from '../../src/jobs/prediction.tasks.ts';
import type { JobDeps } from '../../src/jobs/handoff.tasks.ts';
import { segment } from '../helpers/ingest-helpers.ts';
import { importPredictionHistory } from '../helpers/prediction-history.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A prediction decided in the request of the activity, entered through the Segment door: a workspace whose signed
 * definition qualifies on "probability ≥ 60%" receives one /v1/batch in which a known person the model cannot place
 * yet (no title, no tier: 50%) tells who they are (a VP at an enterprise-tier company) and views a page. The answer's
 * transaction already holds the new prediction and the MQL explained by it — no job drained, none queued.
 */
let t: TestApp;
let keys: { marketing: string; manager: string };
const json = (r: { body: string }) => JSON.parse(r.body);
const base = '/api/v1/definitions';
let modelId = '';

const importHistory = () => importPredictionHistory(t, ['climber@growing.example,Cleo,,2026-03-01,,,']);

const contactId = async (email: string) => json(await t.api('GET', `/api/v1/contacts?email=${encodeURIComponent(email)}`)).data[0].id as string;
const storedPrediction = async (id: string) => {
  const csv = (await t.api('GET', `/api/v1/models/${modelId}/predictions.csv`)).body.split('\r\n');
  const row = csv.find((line) => line.startsWith(`${id},`));
  return row ? { leadId: row.split(',')[1] || null, probability: Number(row.split(',')[3]), computedAt: row.split(',').at(-1)! } : null;
};

beforeAll(async () => {
  t = await createTestApp();
  keys = { marketing: await t.newKey(['write'], t.users.marketing.id), manager: await t.newKey(['write'], t.users.manager.id) };
  await importHistory();
  const trained = await t.api('POST', '/api/v1/models', { target_stage: 'opportunity', horizon_days: 90 });
  expect(trained.statusCode, trained.body).toBe(201);
  modelId = json(trained).id;
  expect((await t.api('POST', `/api/v1/models/${modelId}/predictions`)).statusCode).toBe(200);
  // The agreement reads the model: MQL when the probability is at least 60%, signed by both sides.
  const created = await t.api('POST', base, { document: { ...structuredClone(defaultDefinition), name: 'Likely buyers', predicted: [{ id: 'likely', model: modelId, use: 'mql', minProbability: 0.6 }] } }, keys.marketing);
  expect(created.statusCode, created.body).toBe(201);
  const draftId = json(created).id;
  expect((await t.api('POST', `${base}/${draftId}/backtest`, {}, keys.marketing)).statusCode).toBe(200);
  expect((await t.api('POST', `${base}/${draftId}/propose`, undefined, keys.marketing)).statusCode).toBe(200);
  expect((await t.api('POST', `${base}/${draftId}/approvals`, { decision: 'approve' }, keys.marketing)).statusCode).toBe(200);
  expect((await t.api('POST', `${base}/${draftId}/approvals`, { decision: 'approve' }, keys.manager)).statusCode).toBe(200);
  const act = await t.api('POST', `${base}/${draftId}/activate`, undefined, keys.manager);
  expect(act.statusCode, act.body).toBe(200);
  await runDueJobs(t.deps, new Date(Date.now() + 60_000));
}, 180_000);
afterAll(async () => { await t?.close(); });

describe('a predicted MQL decided inside the ingest transaction', () => {
  it('the batch that pushes the probability over the threshold answers with the new prediction stored and the lead an MQL', async () => {
    const climber = await contactId('climber@growing.example');
    const before = await storedPrediction(climber);
    expect(before!.probability).toBeLessThan(0.6);
    const leadOf = async () => json(await t.api('GET', `/api/v1/leads?contact_id=${climber}`)).data[0] as { id: string; stage: string } | undefined;
    expect((await leadOf())?.stage ?? 'none').not.toBe('mql');

    t.clock.advance(60_000);
    const timestamp = t.clock.now().toISOString();
    const acted = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', userId: 'climber', messageId: 'cl-1', timestamp, traits: { email: 'climber@growing.example', title: 'VP Sales', tier: 'enterprise' } },
      { type: 'page', userId: 'climber', messageId: 'cl-2', timestamp, properties: { url: 'https://acme.test/pricing' } },
    ] });
    expect(acted.statusCode, acted.body).toBe(200);

    // No job has run: what the request committed already holds the new probability and the MQL it made.
    const after = await storedPrediction(climber);
    expect(after!.probability).toBeGreaterThanOrEqual(0.6);
    expect(after!.computedAt).toBe(timestamp);
    const lead = await leadOf();
    expect(lead?.stage).toBe('mql');
    const toMql = json(await t.api('GET', `/api/v1/leads/${lead!.id}/transitions`)).data.find((h: { to: string }) => h.to === 'mql');
    expect(toMql.note).toMatch(/predicted \d+% likely to reach opportunity \(model v1\) ≥ 60%/);

    // And nothing was left for a job to redo.
    const deps = { ...t.deps, publicUrl: 'http://localhost:3000' } as unknown as JobDeps;
    const ran = await runDueJobs(deps, new Date(Date.now() + 60_000), { tasks: ['predict-contacts'], handlers: predictionHandlers(deps) });
    expect(ran).toEqual([]);
  });

  it("a new person's first batch opens their lead and is predicted with it: the stored prediction names the lead and equals a refresh's", async () => {
    t.clock.advance(60_000);
    const timestamp = t.clock.now().toISOString();
    const acted = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', userId: 'newcomer', messageId: 'nc-1', timestamp, traits: { email: 'newcomer@bigco.example', title: 'VP Sales', tier: 'enterprise' } },
      { type: 'track', userId: 'newcomer', messageId: 'nc-2', timestamp, event: 'Form Submitted', properties: { form_id: 'demo-request' } },
    ] });
    expect(acted.statusCode, acted.body).toBe(200);
    const newcomer = await contactId('newcomer@bigco.example');
    const lead = json(await t.api('GET', `/api/v1/leads?contact_id=${newcomer}`)).data[0] as { id: string; stage: string };
    expect(lead).toBeDefined();
    // Predicted inside the request with the lead the batch opened (its source and scores are model inputs), so the MQL
    // decision read the same number a refresh computes now: the first prediction was made before the lead existed.
    const stored = await storedPrediction(newcomer);
    expect(stored).toMatchObject({ leadId: lead.id });
    expect((await t.api('POST', `/api/v1/models/${modelId}/predictions`)).statusCode).toBe(200);
    const refreshed = await storedPrediction(newcomer);
    expect(refreshed!.probability).toBeCloseTo(stored!.probability, 9);
    expect(lead.stage).toBe(stored!.probability >= 0.6 ? 'mql' : 'inquiry');
  });

  it('a batch of a person who stays unlikely stores their fresh prediction and makes no MQL', async () => {
    const timestamp = t.clock.now().toISOString();
    const acted = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', userId: 'browser', messageId: 'br-1', timestamp, traits: { email: 'browser@tiny.example', title: 'Analyst', tier: 'smb' } },
      { type: 'page', userId: 'browser', messageId: 'br-2', timestamp, properties: { url: 'https://acme.test/blog' } },
    ] });
    expect(acted.statusCode, acted.body).toBe(200);
    const browser = await contactId('browser@tiny.example');
    const stored = await storedPrediction(browser);
    expect(stored!.probability).toBeLessThan(0.6);
    expect(json(await t.api('GET', `/api/v1/leads?contact_id=${browser}`)).data[0]?.stage ?? 'none').not.toBe('mql');
  });
});
