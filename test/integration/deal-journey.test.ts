import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Leads and deals in step, through the REST API only. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const json = (r: { body: string }) => JSON.parse(r.body);
const hour = () => t.clock.advance(3_600_000);

async function openLead(email: string) {
  const c = json(await t.api('POST', '/api/v1/contacts', { email, first_name: 'Pat', last_name: 'Lee' }));
  const r = await t.api('POST', '/api/v1/leads', { contact_id: c.id, owner_id: t.users.sales.id });
  expect(r.statusCode, r.body).toBe(201);
  return { contact: c, lead: json(r) };
}
const leadOf = async (id: string) => json(await t.api('GET', `/api/v1/leads/${id}`));
const historyOf = async (id: string) => json(await t.api('GET', `/api/v1/leads/${id}/transitions`)).data as any[];
const dealCount = async () => (await t.db.selectFrom('opportunity').select('id').where('workspace_id', '=', t.workspace.id).execute()).length;
const newDeal = async (name: string, amount: number, body: object = {}) => {
  const r = await t.api('POST', '/api/v1/opportunities', { name, amount, stage: 'Discovery', ...body });
  expect(r.statusCode, r.body).toBe(201);
  return json(r);
};

describe('leads and deals in step', () => {
  it('linking a lead at sql to a $50k deal moves it to opportunity; winning the deal wins the lead; no second deal', async () => {
    const { lead } = await openLead('pat@globex.example');
    for (const to of ['mql', 'sal', 'sql']) expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to })).statusCode).toBe(201);
    hour();
    const deal = await newDeal('Globex platform', 50_000);
    const before = await dealCount();
    const linked = await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: lead.id });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(json(linked).lead_ids).toEqual([lead.id]);
    expect(await leadOf(lead.id)).toMatchObject({ stage: 'opportunity' });
    expect((await historyOf(lead.id)).at(-1)).toMatchObject({ from: 'sql', to: 'opportunity', note: `linked to deal "Globex platform" (${deal.id})` });
    // Moving the lead to opportunity again with the deal is a no-op: still one deal.
    const again = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity', opportunity_id: deal.id });
    expect(again.statusCode, again.body).toBe(201);
    expect(await dealCount()).toBe(before);

    hour();
    const won = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { stage: 'Closed Won', status: 'won' });
    expect(won.statusCode, won.body).toBe(200);
    expect(await leadOf(lead.id)).toMatchObject({ stage: 'won' });
    expect((await historyOf(lead.id)).at(-1)).toMatchObject({ from: 'opportunity', to: 'won', note: `deal "Globex platform" (${deal.id}) won` });
    expect(await dealCount()).toBe(before);
  });

  it('a lead still at inquiry walks every stage the lifecycle requires, each recorded', async () => {
    const { lead } = await openLead('ivy@initech.example');
    hour();
    const deal = await newDeal('Initech rollout', 20_000, { lead_ids: [lead.id] });
    expect(deal.lead_ids).toEqual([lead.id]);
    const steps = (await historyOf(lead.id)).map((h) => [h.from, h.to, h.note]);
    const note = `linked to deal "Initech rollout" (${deal.id})`;
    expect(steps).toEqual([[null, 'inquiry', 'new buying cycle'], ['inquiry', 'mql', note], ['mql', 'sal', note], ['sal', 'sql', note], ['sql', 'opportunity', note]]);
  });

  it('a lead at opportunity on its $0 placeholder is moved to the real deal; the empty placeholder gives way, logged', async () => {
    const { lead } = await openLead('max@hooli.example');
    for (const to of ['mql', 'sal', 'sql']) await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to });
    const placeholderId = json(await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity' })).opportunity_id;
    expect(json(await t.api('GET', `/api/v1/opportunities/${placeholderId}`)).amount).toBe(0);
    hour();
    const deal = await newDeal('Hooli expansion', 50_000);
    const before = await dealCount();
    const r = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity', opportunity_id: deal.id });
    expect(r.statusCode, r.body).toBe(201);
    expect(json(r).opportunity_id).toBe(deal.id);
    expect((await t.api('GET', `/api/v1/opportunities/${placeholderId}`)).statusCode).toBe(404);
    expect(await dealCount()).toBe(before - 1);
    expect(json(await t.api('GET', `/api/v1/opportunities/${deal.id}`)).lead_ids).toEqual([lead.id]);
    const log = await t.db.selectFrom('opportunity_lead_event').selectAll().where('lead_id', '=', lead.id).orderBy('at').orderBy('id').execute();
    expect(log.map((e) => [e.opportunity_id, e.action])).toEqual([[placeholderId, 'unlinked'], [deal.id, 'linked']]);
    hour();
    expect((await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'won' })).statusCode).toBe(200);
    expect(await leadOf(lead.id)).toMatchObject({ stage: 'won' });
  });

  it('a lead on a real deal is not taken by another one until unlinked', async () => {
    const { lead } = await openLead('sam@umbrella.example');
    const first = await newDeal('Umbrella A', 10_000, { lead_ids: [lead.id] });
    const second = await newDeal('Umbrella B', 30_000);
    const refused = await t.api('POST', `/api/v1/opportunities/${second.id}/leads`, { lead_id: lead.id });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error.message).toContain(`/api/v1/opportunities/${first.id}/leads/${lead.id}/unlink`);
    const unlinked = await t.api('POST', `/api/v1/opportunities/${first.id}/leads/${lead.id}/unlink`, { note: 'moved to the B deal' });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect(json(unlinked).lead_ids).toEqual([]);
    expect(await leadOf(lead.id)).toMatchObject({ stage: 'opportunity' });
    const links = json(await t.api('GET', `/api/v1/opportunities/${first.id}/lead-links`)).data;
    expect(links.map((e: any) => [e.action, e.lead_id, e.note])).toEqual([
      ['linked', lead.id, `linked to deal "Umbrella A" (${first.id})`], ['unlinked', lead.id, 'moved to the B deal'],
    ]);
    expect(links[1].actor.type).toBe('api_key');
    // Unlinking again: nothing to unlink (a body is optional).
    const twice = await t.api('POST', `/api/v1/opportunities/${first.id}/leads/${lead.id}/unlink`);
    expect(twice.statusCode, twice.body).toBe(404);
    expect(json(twice).error.details[0].path).toBe('lead_id');
    expect((await t.api('POST', `/api/v1/opportunities/${second.id}/leads`, { lead_id: lead.id })).statusCode).toBe(200);
    // The unlinked deal's outcome no longer reaches the lead.
    expect((await t.api('PATCH', `/api/v1/opportunities/${first.id}`, { status: 'lost', lost_reason_code: 'lost_price' })).statusCode).toBe(200);
    expect(await leadOf(lead.id)).toMatchObject({ stage: 'opportunity' });
  });

  it('a lost deal moves every linked open lead, whatever its stage, with the reason; without one nothing changes', async () => {
    const { lead: a } = await openLead('ann@wonka.example');
    const { lead: b } = await openLead('bob@wonka.example');
    const deal = await newDeal('Wonka', 15_000, { lead_ids: [a.id] });
    // b is linked while the lead is handed back to nurture; it still rides on the deal.
    await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: b.id });
    expect((await t.api('POST', `/api/v1/leads/${b.id}/transitions`, { to: 'nurture', reason_code: 'not_ready' })).statusCode).toBe(201);
    // Re-sending the deal's whole lead list changes nothing: b stays in nurture.
    expect((await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { lead_ids: [a.id, b.id] })).statusCode).toBe(200);
    expect(await leadOf(b.id)).toMatchObject({ stage: 'nurture' });
    hour();
    const refused = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'lost' });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).error.details[0].path).toBe('lost_reason_code');
    expect(json(await t.api('GET', `/api/v1/opportunities/${deal.id}`)).status).toBe('open');
    expect(await leadOf(b.id)).toMatchObject({ stage: 'nurture' });
    const lost = await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'lost', lost_reason_code: 'lost_to_competitor' });
    expect(lost.statusCode, lost.body).toBe(200);
    for (const id of [a.id, b.id]) expect(await leadOf(id)).toMatchObject({ stage: 'lost', last_reason_code: 'lost_to_competitor' });
    expect((await historyOf(b.id)).slice(-5).map((h) => h.to)).toEqual(['mql', 'sal', 'sql', 'opportunity', 'lost']);
  });

  it('moving a linked lead that was handed back to nurture to opportunity again walks it back on the same deal', async () => {
    const { lead } = await openLead('kim@soylent.example');
    const deal = await newDeal('Soylent', 9_000, { lead_ids: [lead.id] });
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'nurture', reason_code: 'not_ready' })).statusCode).toBe(201);
    hour();
    const before = await dealCount();
    const r = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity', opportunity_id: deal.id });
    expect(r.statusCode, r.body).toBe(201);
    expect(json(r)).toMatchObject({ lead: { stage: 'opportunity' }, transition: { from: 'sql', to: 'opportunity' }, opportunity_id: deal.id });
    expect(await dealCount()).toBe(before);
  });

  it('refuses to link a closed lead or an unknown one, writing nothing', async () => {
    const { lead } = await openLead('dee@acme.example');
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'disqualified', reason_code: 'spam' })).statusCode).toBe(201);
    const before = await dealCount();
    const r = await t.api('POST', '/api/v1/opportunities', { name: 'Nope', stage: 'x', lead_ids: [lead.id] });
    expect(r.statusCode).toBe(409);
    expect(json(r).error.details[0].path).toBe('lead_ids[0]');
    expect(await dealCount()).toBe(before);
    const deal = await newDeal('Acme', 1);
    const unknown = await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: '00000000-0000-7000-8000-000000000000' });
    expect(unknown.statusCode).toBe(400);
  });
});
