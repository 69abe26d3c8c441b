import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesOf, contactByEmail, json } from '../helpers/ingest-helpers.ts';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.ts';

// The public key adds, never overwrites (issue 14, item 6): the real Segment node SDK with each key
// kind, and the forms endpoint, against a listening server.
let t: TestApp;
let baseUrl: string;
let serverKey: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listenOnLoopback(t);
  serverKey = await t.newKey(['ingest:server']);
});
afterAll(async () => { await t?.close(); });

/** A contact sales knows: name, title, company, owner and an email-marketing grant recorded by the API. */
async function knownContact(email: string) {
  const r = await t.api('POST', '/api/v1/contacts', {
    email, first_name: 'Kim', last_name: 'Known', title: 'CFO', owner_id: t.users.sales.id,
    attributes: { company: 'Known Co', plan: 'enterprise' }, consent: { email_marketing: 'granted' },
  });
  expect(r.statusCode, r.body).toBe(201);
  const group = await t.api('POST', '/api/v1/accounts', { name: 'Known Co', domain: `${email.split('@')[0]}-co.example` });
  expect(group.statusCode, group.body).toBe(201);
  await t.api('PATCH', `/api/v1/contacts/${json(r).id}`, { account_id: json(group).id });
  return { id: json(r).id as string, accountId: json(group).id as string };
}

// The helper types only the fields most tests read.
const contact = async (email: string) => (await contactByEmail(t, email)) as unknown as Record<string, any> | null;

async function sendWith(key: string, send: (a: SegmentAnalytics) => void) {
  const errors: unknown[] = [];
  const analytics = new SegmentAnalytics({ writeKey: key, host: baseUrl, path: '/v1/batch', flushInterval: 50, maxRetries: 0 });
  analytics.on('error', (e) => errors.push(e));
  send(analytics);
  await analytics.closeAndFlush({ timeout: 10_000 });
  expect(errors).toEqual([]);
}

describe('the public (browser) key through @segment/analytics-node', () => {
  it('cannot rename a known contact, change title, company, consent or owner; its activity is stored and empty traits fill', async () => {
    // The grant is an hour older than the SDK's (wall-clock) withdrawal: by time alone the withdrawal would win.
    t.clock.set(new Date(Date.now() - 3_600_000));
    const kim = await knownContact('kim@known-co.example');
    t.clock.set(new Date(Date.now()));
    await sendWith(t.keys.ingest, (a) => {
      a.identify({ userId: 'kim-1', traits: {
        email: 'kim@known-co.example', firstName: 'Mallory', lastName: 'Intruder', title: 'Intern', company: { name: 'Evil Corp' }, plan: 'free',
        owner_id: t.users.manager.id, phone: '+1 555 0100', favourite_color: 'teal', consent: { email_marketing: 'withdrawn' },
      } });
      a.track({ userId: 'kim-1', event: 'Pricing Viewed', properties: { url: 'https://acme.example/pricing' } });
      a.group({ userId: 'kim-1', groupId: 'evil', traits: { name: 'Evil Corp', domain: 'evil.example', industry: 'Crime' } });
    });
    const after = (await contact('kim@known-co.example'))!;
    expect(after.id).toBe(kim.id);
    expect(after).toMatchObject({ first_name: 'Kim', last_name: 'Known', title: 'CFO', owner_id: t.users.sales.id, account_id: kim.accountId });
    expect(after.attributes).toMatchObject({ company: 'Known Co', plan: 'enterprise' });
    // What was empty is filled: that is adding, not overwriting.
    expect(after).toMatchObject({ phone: '+1 555 0100', attributes: { favourite_color: 'teal' } });
    expect(after.consent.email_marketing).toMatchObject({ status: 'granted', source: 'api' });
    expect(after.unsubscribed_at).toBeNull();
    const acts = await activitiesOf(t, kim.id);
    expect(acts.map((x: { type: string; event_name: string | null }) => x.event_name)).toContain('Pricing Viewed');
  });

  it('cannot claim another channel as the source of its consent records', async () => {
    await sendWith(t.keys.ingest, (a) => a.identify({ userId: 'nia-1', traits: { email: 'nia@fresh.example', consent: { email_marketing: { status: 'granted', source: 'csv:hubspot' } } } }));
    const nia = (await contact('nia@fresh.example'))!;
    // Nobody had chosen: the page may record the grant, but as its own (segment) channel.
    expect(nia.consent.email_marketing).toMatchObject({ status: 'granted', source: 'segment:identify' });
  });
});

describe('the server-side key (ingest:server) through @segment/analytics-node', () => {
  it('updates a known contact: name, title, company, consent', async () => {
    // The grant is an hour old when the SDK (wall-clock timestamps) withdraws it: newest wins.
    t.clock.set(new Date(Date.now() - 3_600_000));
    const kim = await knownContact('kai@known-co.example');
    t.clock.set(new Date(Date.now()));
    await sendWith(serverKey, (a) => {
      a.identify({ userId: 'kai-1', traits: { email: 'kai@known-co.example', firstName: 'Kai', title: 'CEO', company: { name: 'Known Group' }, consent: { email_marketing: 'withdrawn' } } });
      a.group({ userId: 'kai-1', groupId: 'grp', traits: { name: 'Known Group', domain: 'known-group.example' } });
    });
    const after = (await contact('kai@known-co.example'))!;
    expect(after).toMatchObject({ first_name: 'Kai', last_name: 'Known', title: 'CEO', attributes: { company: 'Known Group' }, owner_id: t.users.sales.id });
    expect(after.account_id).not.toBe(kim.accountId);
    expect(after.consent.email_marketing).toMatchObject({ status: 'withdrawn', source: 'segment:identify' });
    expect(after.unsubscribed_at).not.toBeNull();
  });

  it('a server key is not a browser key: the scope is listed separately and implies ingest only', async () => {
    expect((await t.api('GET', '/api/v1/contacts', undefined, serverKey)).statusCode).toBe(403);
    const created = await t.api('POST', '/api/v1/api-keys', { name: 'backend', scopes: ['ingest:server'] });
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created).scopes).toEqual(['ingest:server']);
  });
});

describe('the forms endpoint with each key kind', () => {
  const submit = (key: string, fields: Record<string, string>) => t.app.inject({ method: 'POST', url: `/api/v1/forms/contact-us/submissions?key=${key}`, payload: fields });

  it('a form posted with the public key cannot rename a known contact or undo their grant; the submission is stored', async () => {
    const kim = await knownContact('kit@known-co.example');
    const r = await submit(t.keys.ingest, { email: 'kit@known-co.example', first_name: 'Mallory', title: 'Intern', company: 'Evil Corp', consent_marketing: 'no', message: 'hello' });
    expect(r.statusCode, r.body).toBe(200);
    const after = (await contact('kit@known-co.example'))!;
    expect(after).toMatchObject({ first_name: 'Kim', title: 'CFO', attributes: { company: 'Known Co' } });
    expect(after.consent.email_marketing).toMatchObject({ status: 'granted', source: 'api' });
    const forms = (await activitiesOf(t, kim.id)).filter((x: { type: string }) => x.type === 'form_submit');
    expect(forms).toHaveLength(1);
    expect(forms[0].properties).toMatchObject({ form_id: 'contact-us', fields: { message: 'hello' } });
  });

  it('a new person fills everything through the public form; the same form may change what it recorded itself', async () => {
    expect((await submit(t.keys.ingest, { email: 'new@lead.example', first_name: 'Nora', title: 'CTO', consent_marketing: 'on' })).statusCode).toBe(200);
    expect((await contact('new@lead.example'))!).toMatchObject({ first_name: 'Nora', title: 'CTO', consent: { email_marketing: { status: 'granted', source: 'form:contact-us' } } });
    t.clock.advance(60_000);
    expect((await submit(t.keys.ingest, { email: 'new@lead.example', consent_marketing: 'no' })).statusCode).toBe(200);
    expect((await contact('new@lead.example'))!.consent.email_marketing).toMatchObject({ status: 'refused', source: 'form:contact-us' });
  });

  it('a form posted from the server with the server key updates the known contact', async () => {
    await knownContact('kip@known-co.example');
    expect((await submit(serverKey, { email: 'kip@known-co.example', first_name: 'Kip', title: 'COO' })).statusCode).toBe(200);
    expect((await contact('kip@known-co.example'))!).toMatchObject({ first_name: 'Kip', title: 'COO' });
  });
});
