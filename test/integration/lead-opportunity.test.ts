import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const json = (r: { body: string }) => JSON.parse(r.body);

async function leadAtSql(email: string, key: string) {
  const c = json(await t.api('POST', '/api/v1/contacts', { email, first_name: 'Pat', last_name: 'Lee' }));
  const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: c.id, owner_id: t.users.sales.id }));
  // Marking sales-ready is marketing's move (the admin key here); accepting and qualifying are the owner's.
  expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
  for (const to of ['sal', 'sql']) expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to }, key)).statusCode).toBe(201);
  return { contact: c, lead };
}

describe('leads and opportunities', () => {
  it('converting a lead to opportunity opens a deal for it: amount 0, Qualification, lead owner, contact as primary', async () => {
    const key = await t.newKey(['write'], t.users.sales.id);
    const { contact, lead } = await leadAtSql('pat@globex.com', key);
    const r = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity' }, key);
    expect(r.statusCode, r.body).toBe(201);
    const oppId = json(r).opportunity_id;
    const opp = json(await t.api('GET', `/api/v1/opportunities/${oppId}`));
    expect(opp).toMatchObject({ amount: 0, stage: 'Qualification', status: 'open', owner_id: t.users.sales.id, lead_ids: [lead.id], contact_roles: [{ contact_id: contact.id, role: 'primary', is_primary: true }] });
    expect(opp.name).toContain('Pat Lee');
    const changes = await t.db.selectFrom('opportunity_stage_change').selectAll().where('opportunity_id', '=', oppId).execute();
    expect(changes.map((c) => [c.from_stage, c.to_stage, c.actor_id])).toEqual([[null, 'Qualification', t.users.sales.id]]);
  });

  it('links an existing open deal when opportunity_id is given, and refuses it on other moves', async () => {
    const { lead: first } = await leadAtSql('a@initrode.com', await t.newKey(['write'], t.users.sales.id));
    const oppId = json(await t.api('POST', `/api/v1/leads/${first.id}/transitions`, { to: 'opportunity' })).opportunity_id;
    const { contact, lead } = await leadAtSql('b@initrode.com', await t.newKey(['write'], t.users.sales.id));
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data.length;
    const wrong = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'nurture', reason_code: 'not_ready', opportunity_id: oppId });
    expect(wrong.statusCode).toBe(400);
    const r = await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity', opportunity_id: oppId });
    expect(json(r).opportunity_id).toBe(oppId);
    const opp = json(await t.api('GET', `/api/v1/opportunities/${oppId}`));
    expect(opp.lead_ids.sort()).toEqual([first.id, lead.id].sort());
    expect(opp.contact_roles).toContainEqual({ contact_id: contact.id, role: 'influencer', is_primary: false });
    expect(json(await t.api('GET', '/api/v1/opportunities')).data).toHaveLength(deals);
  });

  it('winning the deal wins its leads waiting at opportunity, as the user who patched', async () => {
    const { lead } = await leadAtSql('win@hooli.com', await t.newKey(['write'], t.users.sales.id));
    const oppId = json(await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity' })).opportunity_id;
    const managerKey = await t.newKey(['write'], t.users.manager.id);
    t.clock.advance(3_600_000); // the history is ordered by time; the simulated clock otherwise stands still
    const won = await t.api('PATCH', `/api/v1/opportunities/${oppId}`, { amount: 12000, stage: 'Closed Won', status: 'won' }, managerKey);
    expect(won.statusCode, won.body).toBe(200);
    const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    expect(history.at(-1)).toMatchObject({ from: 'opportunity', to: 'won', actor: { type: 'user', id: t.users.manager.id } });
  });

  it('losing the deal needs a lost reason for its leads; without one nothing changes', async () => {
    const { lead } = await leadAtSql('lose@hooli.com', await t.newKey(['write'], t.users.sales.id));
    const oppId = json(await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'opportunity' })).opportunity_id;
    const refused = await t.api('PATCH', `/api/v1/opportunities/${oppId}`, { status: 'lost' });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).error.details[0].path).toBe('lost_reason_code');
    expect(json(await t.api('GET', `/api/v1/opportunities/${oppId}`)).status).toBe('open');
    const lost = await t.api('PATCH', `/api/v1/opportunities/${oppId}`, { status: 'lost', lost_reason_code: 'lost_price' });
    expect(lost.statusCode, lost.body).toBe(200);
    expect(json(await t.api('GET', `/api/v1/leads/${lead.id}`))).toMatchObject({ stage: 'lost', last_reason_code: 'lost_price' });
  });
});
