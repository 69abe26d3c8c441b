import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactByEmail, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const ago = (minutes: number) => new Date(t.clock.now().getTime() - minutes * 60_000).toISOString();

describe('anonymous → known stitching', () => {
  it('joins the anonymous history to the contact on identify, and logs the merge with its cause', async () => {
    await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'v1', timestamp: ago(30), properties: { url: 'https://acme.example/pricing' } },
      { type: 'track', anonymousId: 'v1', timestamp: ago(20), event: 'Whitepaper Downloaded' },
    ] });
    const anon = (await contactOfAnonymous(t, 'v1'))!;
    // The email is already known from elsewhere (API, CSV): the anonymous contact merges into it.
    const known = json(await t.api('POST', '/api/v1/contacts', { email: 'ann@initech.example', first_name: 'Ann' }));
    const r = await segment(t, '/v1/identify', { anonymousId: 'v1', traits: { email: '  ANN@Initech.example ', title: 'CTO' }, timestamp: ago(10) });
    expect(r.statusCode).toBe(200);
    expect(await contactOfAnonymous(t, 'v1')).toBe(known.id);
    const acts = await activitiesOf(t, known.id);
    expect(acts.map((a) => a.type).sort()).toEqual(['content_download', 'page_view']);
    const loser = json(await t.api('GET', `/api/v1/contacts/${anon}`, undefined, t.keys.read));
    expect(loser).toMatchObject({ status: 'merged', merged_into_id: known.id });
    const merge = await t.db.selectFrom('contact_merge').selectAll().where('loser_id', '=', anon).executeTakeFirstOrThrow();
    expect(merge).toMatchObject({ winner_id: known.id, cause: 'identify' });
    expect(json(await t.api('GET', `/api/v1/contacts/${known.id}`, undefined, t.keys.read))).toMatchObject({ title: 'CTO', first_name: 'Ann' });
    // Later anonymous events of the same visitor land on the known contact.
    await segment(t, '/v1/page', { anonymousId: 'v1', properties: { url: 'https://acme.example/demo' } });
    expect(await activitiesOf(t, known.id)).toHaveLength(3);
  });

  it('an anonymous visitor identified with a new email becomes that contact (one contact, no duplicate)', async () => {
    await segment(t, '/v1/page', { anonymousId: 'v2', properties: { url: 'https://acme.example/' } });
    const anon = (await contactOfAnonymous(t, 'v2'))!;
    await segment(t, '/v1/identify', { anonymousId: 'v2', userId: 'u-2', traits: { email: 'Bob@Globex.example', name: 'Bob Stone' } });
    const bob = (await contactByEmail(t, 'bob@globex.example'))!;
    expect(bob).toMatchObject({ id: anon, status: 'known', first_name: 'Bob' });
    // Same person identified again with different case/whitespace, by userId alone: still one contact.
    await segment(t, '/v1/identify', { userId: 'u-2', traits: { email: ' bob@GLOBEX.example' } });
    await segment(t, '/v1/track', { userId: 'u-2', event: 'Logged In' });
    const all = await t.db.selectFrom('contact').select('id').where('email', '=', 'bob@globex.example').execute();
    expect(all).toHaveLength(1);
    expect(await activitiesOf(t, anon)).toHaveLength(2);
  });

  it('never merges two contacts with different known emails: it records a conflict instead', async () => {
    await segment(t, '/v1/identify', { userId: 'u-3', traits: { email: 'carol@hooli.example' } });
    await segment(t, '/v1/identify', { anonymousId: 'v-dave', traits: { email: 'dave@hooli.example' } });
    // userId u-3 (carol) claims dave's email; dave's browser then identifies as u-3.
    const r = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', userId: 'u-3', traits: { email: 'dave@hooli.example' }, messageId: 'conflict-1' },
      { type: 'identify', userId: 'u-3', anonymousId: 'v-dave', messageId: 'conflict-2' },
    ] });
    expect(json(r).errors).toEqual([]);
    const carol = (await contactByEmail(t, 'carol@hooli.example'))!;
    const dave = (await contactByEmail(t, 'dave@hooli.example'))!;
    expect(carol.status).toBe('known');
    expect(dave.status).toBe('known');
    expect(carol.id).not.toBe(dave.id);
    const conflicts = await t.db.selectFrom('identity_conflict').selectAll().where('contact_id', '=', carol.id).orderBy('message_id').execute();
    expect(conflicts.map((c) => [c.message_id, c.kind])).toEqual([['conflict-1', 'email'], ['conflict-2', 'anonymous_id']]);
    expect(conflicts[1]!.other_contact_id).toBe(dave.id);
    expect(await t.db.selectFrom('contact_merge').selectAll().where('winner_id', 'in', [carol.id, dave.id]).execute()).toEqual([]);
  });

  it('alias joins a previous anonymous id to the user id', async () => {
    await segment(t, '/v1/page', { anonymousId: 'v-alias', properties: { url: 'https://acme.example/x' } });
    await segment(t, '/v1/identify', { userId: 'u-alias', traits: { email: 'erin@umbrella.example' } });
    const erin = (await contactByEmail(t, 'erin@umbrella.example'))!;
    const anon = (await contactOfAnonymous(t, 'v-alias'))!;
    await segment(t, '/v1/alias', { previousId: 'v-alias', userId: 'u-alias' });
    expect(await contactOfAnonymous(t, 'v-alias')).toBe(erin.id);
    expect(await activitiesOf(t, erin.id)).toHaveLength(1);
    const merge = await t.db.selectFrom('contact_merge').selectAll().where('loser_id', '=', anon).executeTakeFirstOrThrow();
    expect(merge.cause).toBe('alias');
  });

  it('two events for the same new anonymous id at the same time create one contact', async () => {
    const sends = Array.from({ length: 16 }, (_, i) => segment(t, '/v1/track', { anonymousId: 'v-race', event: 'Race', messageId: `race-${i}` }));
    const results = await Promise.all(sends);
    expect(results.map((r) => r.statusCode)).toEqual(Array(16).fill(200));
    const ids = await t.db.selectFrom('contact_identity').select('contact_id').where('value', '=', 'v-race').execute();
    expect(ids).toHaveLength(1);
    const contacts = await t.db.selectFrom('activity').select('contact_id').distinct().where('event_name', '=', 'Race').execute();
    expect(contacts).toHaveLength(1);
    const orphans = await t.db.selectFrom('contact').select('id').where('status', '=', 'anonymous')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('contact_identity').select('value').whereRef('contact_identity.contact_id', '=', 'contact.id')))).execute();
    expect(orphans).toEqual([]);
  });
});

describe('accounts', () => {
  it('matches business emails to the account with that domain, never free-mail', async () => {
    const account = json(await t.api('POST', '/api/v1/accounts', { name: 'Wayne', domain: 'wayne.example' }));
    await segment(t, '/v1/identify', { anonymousId: 'v-bruce', traits: { email: 'bruce@wayne.example' } });
    await segment(t, '/v1/identify', { anonymousId: 'v-gmail', traits: { email: 'someone@gmail.com' } });
    expect((await contactByEmail(t, 'bruce@wayne.example'))!.account_id).toBe(account.id);
    expect((await contactByEmail(t, 'someone@gmail.com'))!.account_id).toBeNull();
  });

  it('group creates the account from its traits and an explicit group (server key) wins over domain matching', async () => {
    await segment(t, '/v1/identify', { userId: 'u-g', traits: { email: 'gina@wayne.example' } });
    // Moving a known contact to another company is a server key's call (the public key only fills: ingest-key-kinds.test.ts).
    const serverKey = await t.newKey(['ingest:server']);
    const r = await segment(t, '/v1/group', { userId: 'u-g', groupId: 'grp-42', traits: { name: 'Stark Industries', website: 'https://www.stark.example/about', industry: 'Defense', employees: 5000 } }, { key: serverKey });
    expect(r.statusCode).toBe(200);
    const gina = (await contactByEmail(t, 'gina@wayne.example'))!;
    const account = json(await t.api('GET', `/api/v1/accounts/${gina.account_id}`, undefined, t.keys.read));
    expect(account).toMatchObject({ name: 'Stark Industries', domain: 'stark.example', industry: 'Defense', employee_count: 5000 });
    // The same group again (by id) reuses the account; the contact's later identify does not undo the group.
    await segment(t, '/v1/group', { anonymousId: 'v-other', groupId: 'grp-42', traits: { plan: 'enterprise' } });
    await segment(t, '/v1/identify', { userId: 'u-g', traits: { title: 'VP' } });
    expect(await t.db.selectFrom('account').select('id').where('name', '=', 'Stark Industries').execute()).toHaveLength(1);
    const other = await t.db.selectFrom('contact').select('account_id').where('id', '=', (await contactOfAnonymous(t, 'v-other'))!).executeTakeFirstOrThrow();
    expect(other.account_id).toBe(account.id);
    expect((await contactByEmail(t, 'gina@wayne.example'))!.account_id).toBe(account.id);
  });
});

describe('first and latest touch', () => {
  it('keeps the earliest and the most recent sourced touch on the contact and its open lead', async () => {
    await segment(t, '/v1/identify', { anonymousId: 'v-touch', traits: { email: 'tom@touch.example' } });
    const tom = (await contactByEmail(t, 'tom@touch.example'))!;
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: tom.id }));
    await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'v-touch', timestamp: ago(50), context: { campaign: { source: 'google', medium: 'cpc', name: 'brand' } }, properties: { url: 'https://acme.example/' } },
      { type: 'page', anonymousId: 'v-touch', timestamp: ago(40), properties: { url: 'https://acme.example/next', referrer: 'https://acme.example/' } },
    ] });
    await segment(t, '/v1/page', { anonymousId: 'v-touch', timestamp: ago(5), properties: { url: 'https://acme.example/', referrer: 'https://www.linkedin.com/feed' } });
    const after = (await contactByEmail(t, 'tom@touch.example'))!;
    expect(after.first_touch).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'brand', at: ago(50) });
    expect(after.latest_touch).toMatchObject({ source: 'linkedin', medium: 'social', at: ago(5) });
    const l = await t.db.selectFrom('lead').selectAll().where('id', '=', lead.id).executeTakeFirstOrThrow();
    expect(l).toMatchObject({ source: 'google', campaign: 'brand', latest_source: 'linkedin', latest_campaign: null });
  });
});
