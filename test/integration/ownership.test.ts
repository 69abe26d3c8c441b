import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as foldRatings } from '../../src/storage/migrations/2026-12-03-30-one-rating-per-person.ts';
import { expectStatus, json } from '../helpers/handoff-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// Records obey their owners (issue 14, item 2): every refusal through the REST API, with who may.
let t: TestApp;
const people = {} as Record<'dana' | 'erin' | 'sam' | 'max' | 'wes', { id: string; key: string }>;
let marketingKey: string;
let seq = 0;

async function user(name: string, role: string, team: string | null) {
  const u = await expectStatus(t.api('POST', '/api/v1/users', { email: `${name.split(' ')[0]!.toLowerCase()}@acme.test`, name, role, team }), 201);
  return { id: u.id as string, key: await t.newKey(['write'], u.id) };
}

/** A lead at `stage` (via admin moves), owned by `ownerId`. */
async function leadAt(stage: 'inquiry' | 'mql' | 'sal', ownerId: string | null) {
  seq += 1;
  const c = await expectStatus(t.api('POST', '/api/v1/contacts', { email: `buyer${seq}@corp${seq}.example`, first_name: 'Bea', last_name: `Buyer${seq}` }), 201);
  const lead = await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: c.id, owner_id: ownerId }), 201);
  for (const to of stage === 'inquiry' ? [] : stage === 'mql' ? ['mql'] : ['mql', 'sal']) {
    await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to }), 201);
  }
  if (ownerId && stage !== 'inquiry') {
    // Routing on → mql may have moved it; put it back with the owner the test wants.
    const now = json(await t.api('GET', `/api/v1/leads/${lead.id}`));
    if (now.owner_id !== ownerId) await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: ownerId }), 201);
  }
  return lead.id as string;
}

const history = async (leadId: string) => json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as { to: string }[];

beforeAll(async () => {
  t = await createTestApp();
  people.dana = await user('Dana Rep', 'sales', 'East');
  people.erin = await user('Erin East', 'sales', 'East');
  people.sam = await user('Sam West', 'sales', 'West');
  people.max = await user('Max Manager', 'sales_manager', 'East');
  people.wes = await user('Wes Manager', 'sales_manager', 'West');
  marketingKey = await t.newKey(['write'], t.users.marketing.id);
  // The test app's own sales manager has no team (head of sales): give them one so East's managers are exactly Max.
  await expectStatus(t.api('PATCH', `/api/v1/users/${t.users.manager.id}`, { team: 'North' }), 200);
  await expectStatus(t.api('PUT', '/api/v1/teams/East', { manager_id: people.max.id }), 200);
});
afterAll(async () => { await t?.close(); });

describe('sales work belongs to the lead owner, their team managers and admins', () => {
  it("a rep accepting another rep's lead gets a 403 naming who may, and nothing is written", async () => {
    const lead = await leadAt('mql', people.dana.id);
    const before = await history(lead);
    const r = await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, people.sam.key);
    expect(r.statusCode).toBe(403);
    const error = json(r).error;
    expect(error.code).toBe('Forbidden');
    expect(error.message).toBe("Only the lead's owner (Dana Rep), a manager of team East (Max Manager) or an admin may accept this lead; you are Sam West (sales, team West).");
    expect(error.details).toEqual([{ path: 'who_may', message: "the lead's owner (Dana Rep), a manager of team East (Max Manager) or an admin" }]);
    expect(json(await t.api('GET', `/api/v1/leads/${lead}`)).stage).toBe('mql');
    expect(await history(lead)).toEqual(before);
    // Another rep of the same team is not the owner either.
    expect((await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, people.erin.key)).statusCode).toBe(403);
    // The owner may.
    expect((await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, people.dana.key)).statusCode).toBe(201);
  });

  it('reject, hand back and touches are the owner\'s too; the team manager may, another team\'s manager may not', async () => {
    const lead = await leadAt('mql', people.dana.id);
    const reject = await t.api('POST', `/api/v1/leads/${lead}/reject`, { reason_code: 'not_ready' }, people.sam.key);
    expect(reject.statusCode).toBe(403);
    expect(json(reject).error.message).toContain('may reject this lead');
    const touch = await t.api('POST', `/api/v1/leads/${lead}/touches`, { type: 'sales_call', note: 'left a voicemail' }, people.sam.key);
    expect(touch.statusCode).toBe(403);
    expect(json(touch).error.message).toContain('may log a sales touch on this lead');
    expect(json(await t.api('GET', `/api/v1/contacts/${json(await t.api('GET', `/api/v1/leads/${lead}`)).contact_id}/activities`)).data
      .filter((a: { type: string }) => a.type === 'sales_call')).toEqual([]);
    const west = await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, people.wes.key);
    expect(west.statusCode).toBe(403);
    expect(json(west).error.message).toContain('you are Wes Manager (sales_manager, team West)');
    expect((await t.api('POST', `/api/v1/leads/${lead}/touches`, { type: 'sales_call' }, people.max.key)).statusCode).toBe(201);
    expect((await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, people.max.key)).statusCode).toBe(201);
    const back = await t.api('POST', `/api/v1/leads/${lead}/reject`, { reason_code: 'not_ready' }, people.dana.key);
    expect(back.statusCode, back.body).toBe(201);
    expect(json(back).lead.stage).toBe('nurture');
  });

  it('marketing cannot act for sales: accepting an MQL (recording SAL) is refused', async () => {
    const lead = await leadAt('mql', people.dana.id);
    const r = await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, marketingKey);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toMatch(/^Only the lead's owner \(Dana Rep\), a manager of team East \(Max Manager\) or an admin may accept this lead; you are .+ \(marketing\), and marketing cannot act for sales\.$/);
    const reject = await t.api('POST', `/api/v1/leads/${lead}/reject`, { reason_code: 'bad_fit' }, marketingKey);
    expect(reject.statusCode).toBe(403);
    expect(json(await t.api('GET', `/api/v1/leads/${lead}`)).stage).toBe('mql');
  });

  it('a write machine key is not a person: it cannot accept for sales; an admin key (the admin\'s integration) can', async () => {
    const lead = await leadAt('mql', people.dana.id);
    const r = await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, t.keys.write);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toContain('this machine key (scopes: write, read) is not a person');
    expect(json(r).error.message).toContain("use the rep's personal API key");
    expect((await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'sal' }, t.keys.admin)).statusCode).toBe(201);
  });

  it('marketing moves (mark sales-ready, nurture an inquiry) are marketing\'s: a rep is refused, marketing and a write key may', async () => {
    const lead = await leadAt('inquiry', people.dana.id);
    const r = await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'mql' }, people.dana.key);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toBe("Only marketing or an admin may mark this lead sales-ready; you are Dana Rep (sales, team East), and this is marketing's call under the lead definition.");
    expect((await t.api('POST', `/api/v1/leads/${lead}/transitions`, { to: 'mql' }, marketingKey)).statusCode).toBe(201);
    const other = await leadAt('inquiry', null);
    expect((await t.api('POST', `/api/v1/leads/${other}/transitions`, { to: 'nurture' }, t.keys.write)).statusCode).toBe(201);
  });

  it('an unowned lead waiting in a team\'s queue belongs to that team; a queue no team claims, to all of sales', async () => {
    await expectStatus(t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'fallback_queue', queue: 'East' }] }), 200);
    const queued = await leadAt('mql', null);
    expect(json(await t.api('GET', `/api/v1/leads/${queued}`)).owner_id).toBeNull();
    const r = await t.api('POST', `/api/v1/leads/${queued}/transitions`, { to: 'sal' }, people.sam.key);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toBe("Only a member of team East, a manager of team East (Max Manager) or an admin may accept this lead (it waits unassigned in queue 'East'); you are Sam West (sales, team West).");
    expect(json(r).error.details).toEqual([{ path: 'who_may', message: 'a member of team East, a manager of team East (Max Manager) or an admin' }]);
    expect((await t.api('POST', `/api/v1/leads/${queued}/transitions`, { to: 'sal' }, people.erin.key)).statusCode).toBe(201);

    await expectStatus(t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'fallback_queue', queue: 'unassigned' }] }), 200);
    const shared = await leadAt('mql', null);
    expect((await t.api('POST', `/api/v1/leads/${shared}/transitions`, { to: 'sal' }, people.sam.key)).statusCode).toBe(201);
  });

  it("linking a lead to a deal walks it to opportunity: the owner's work, not another rep's", async () => {
    const lead = await leadAt('sal', people.dana.id);
    const deal = await expectStatus(t.api('POST', '/api/v1/opportunities', { name: 'East deal', amount: 1000, stage: 'Discovery' }), 201);
    const r = await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: lead }, people.sam.key);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toContain('may open an opportunity for this lead');
    expect(json(await t.api('GET', `/api/v1/leads/${lead}`)).stage).toBe('sal');
    expect((await t.api('POST', `/api/v1/opportunities/${deal.id}/leads`, { lead_id: lead }, people.dana.key)).statusCode).toBe(200);
  });

  it('reassigning is for the managers of the lead\'s team and admins', async () => {
    const lead = await leadAt('mql', people.dana.id);
    const rep = await t.api('POST', `/api/v1/leads/${lead}/assign`, { owner_id: people.erin.id }, people.dana.key);
    expect(rep.statusCode).toBe(403);
    expect(json(rep).error.message).toBe('Only a manager of team East (Max Manager) or an admin may reassign this lead; you are Dana Rep (sales, team East).');
    expect((await t.api('POST', `/api/v1/leads/${lead}/assign`, { owner_id: people.erin.id }, people.wes.key)).statusCode).toBe(403);
    expect((await t.api('POST', `/api/v1/leads/${lead}/assign`, { owner_id: people.erin.id }, t.keys.write)).statusCode).toBe(403);
    const ok = await t.api('POST', `/api/v1/leads/${lead}/assign`, { owner_id: people.erin.id }, people.max.key);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(json(ok).lead.owner_id).toBe(people.erin.id);
  });
});

describe('costs, targets and attribution settings belong to marketing and admins', () => {
  const costs = { costs: [{ period_start: '2031-01', category: 'marketing', amount: 1000 }] };
  it('sales cannot change costs, campaigns or the attribution agreement; marketing can', async () => {
    const c = await t.api('PUT', '/api/v1/costs', costs, people.max.key);
    expect(c.statusCode).toBe(403);
    expect(json(c).error.message).toBe('Only marketing or an admin may change costs; you are Max Manager (sales_manager, team East), and costs belong to marketing.');
    expect(json(await t.api('GET', '/api/v1/costs')).data).toEqual([]);
    expect((await t.api('POST', '/api/v1/campaigns', { name: 'Rep promo', channel: 'event', budget: 5000 }, people.dana.key)).statusCode).toBe(403);
    const a = await t.api('PUT', '/api/v1/settings/attribution', { target: 0.9 }, people.dana.key);
    expect(a.statusCode).toBe(403);
    expect(json(a).error.message).toContain('targets and attribution belong to marketing');
    expect((await t.api('PUT', '/api/v1/settings/attribution', { target: 0.9 }, t.keys.write)).statusCode).toBe(403);
    expect(json(await t.api('GET', '/api/v1/settings/attribution')).target).not.toBe(0.9);

    expect((await t.api('PUT', '/api/v1/costs', costs, marketingKey)).statusCode).toBe(200);
    expect((await t.api('POST', '/api/v1/campaigns', { name: 'Webinar', channel: 'webinar', budget: 5000 }, marketingKey)).statusCode).toBe(201);
    expect(json(await t.api('PUT', '/api/v1/settings/attribution', { target: 0.4 }, marketingKey)).target).toBe(0.4);
    // A data-feed key may load costs (ad spend sync); it may not change the agreement.
    expect((await t.api('PUT', '/api/v1/costs', costs, t.keys.write)).statusCode).toBe(200);
  });
});

describe('one rating per person per asset', () => {
  it('the same rep rating an asset twice updates their one rating', async () => {
    const asset = await expectStatus(t.api('POST', '/api/v1/content', { title: 'ROI calculator', url: 'https://acme.example/roi' }), 201);
    const first = await t.api('POST', `/api/v1/content/${asset.id}/ratings`, { rating: 2, comment: 'meh' }, people.dana.key);
    expect(first.statusCode, first.body).toBe(201);
    const second = await t.api('POST', `/api/v1/content/${asset.id}/ratings`, { rating: 5, comment: 'Closed a deal with it' }, people.dana.key);
    expect(second.statusCode, second.body).toBe(200);
    expect(json(second).id).toBe(json(first).id);
    await expectStatus(t.api('POST', `/api/v1/content/${asset.id}/ratings`, { rating: 4 }, people.sam.key), 201);
    const all = json(await t.api('GET', `/api/v1/content/${asset.id}/ratings`));
    expect(all.data).toHaveLength(2);
    expect(all.data.find((r: { user_id: string }) => r.user_id === people.dana.id)).toMatchObject({ rating: 5, comment: 'Closed a deal with it' });
    expect(all.summary.count).toBe(2);
    const machine = await t.api('POST', `/api/v1/content/${asset.id}/ratings`, { rating: 1 }, t.keys.write);
    expect(machine.statusCode).toBe(403);
    expect(json(machine).error.message).toContain('Only a person (a logged-in user or a personal API key) may rate content');
  });

  it('the migration folds earlier repeats into each person\'s newest rating', async () => {
    const asset = await expectStatus(t.api('POST', '/api/v1/content', { title: 'Old deck' }), 201);
    await sql`DROP INDEX content_rating_one_per_user`.execute(t.db);
    const row = (id: string, rating: number, at: string) => sql`INSERT INTO content_rating (workspace_id, id, asset_id, rating, scale, source, user_id, at)
      VALUES (${t.workspace.id}, ${id}, ${asset.id}, ${rating}, 'stars', 'sales', ${people.erin.id}, ${at})`.execute(t.db);
    await row('00000000-0000-7000-8000-000000000001', 1, '2031-01-01T00:00:00Z');
    await row('00000000-0000-7000-8000-000000000003', 4, '2031-01-03T00:00:00Z');
    await row('00000000-0000-7000-8000-000000000002', 2, '2031-01-02T00:00:00Z');
    await foldRatings(t.db);
    const left = json(await t.api('GET', `/api/v1/content/${asset.id}/ratings`)).data;
    expect(left.map((r: { rating: number }) => r.rating)).toEqual([4]);
    // The key is back: a second row for the same person and asset is refused by the database itself.
    await expect(row('00000000-0000-7000-8000-000000000004', 3, '2031-01-04T00:00:00Z')).rejects.toThrow(/content_rating_one_per_user/);
  });
});
