import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { crmHandlers } from '../../src/jobs/crm.tasks.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startHubspotConformance, type HubspotConformance } from '../conformance/hubspot-server.ts';
import { createRep, expectStatus, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The CRM loop with HubSpot, through the doors: a visitor becomes an MQL (Segment API + forms) →
 * an admin connects HubSpot with a private-app token (REST) → the push job writes the contact with
 * Leadloop's score, rating, stage, why and lifecycle stage, owner mapped by email → sales open a
 * deal on the contact and win it in HubSpot → the next sync walks the Leadloop lead to `won` with
 * the amount, and attribution credits the first touch's source.
 * HubSpot here is a local SIMULATION of its CRM API (test/conformance/hubspot-server.ts), called
 * through @hubspot/api-client, the client library the connector uses.
 */
let t: TestApp;
let hs: HubspotConformance;
let rep: { id: string };
const TOKEN = 'pat-na1-00000000-0000-4000-8000-000000000000';
const SECRET = randomBytes(32).toString('base64');
const EMAIL = 'omar@keelhaul.example';
const day = (d: string, hhmm = '10:00') => new Date(`${d}T${hhmm}:00.000Z`);
const jobDeps = () => ({ ...t.deps, crmSecretKey: SECRET });
const runPushJobs = (until: Date) => runDueJobs(jobDeps(), until, { tasks: ['crm-push'], handlers: crmHandlers(jobDeps()) });
const sync = async (body: Record<string, unknown> = {}) => expectStatus(t.api('POST', '/api/v1/integrations/hubspot/sync', body), 200);
const hsContacts = () => [...hs.objects.contacts.values()];
async function leadOf(email: string) {
  const contact = (await contactByEmail(t, email))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string; owner_id: string | null; source: string | null; rating: string | null };
}
const stagesOf = async (leadId: string) => (json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as { to: string }[]).map((h) => h.to);

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(day('2026-04-01'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  rep = await createRep(t, 'rita');
  await useRoundRobin(t);
  hs = await startHubspotConformance({ token: TOKEN, owners: [{ email: 'rita@acme.test', firstName: 'Rita', lastName: 'Rep' }], pageSize: 2 });
}, 60_000);
afterAll(async () => { await hs?.close(); await t?.close(); });

describe('HubSpot: MQL out, revenue back', () => {
  it('refuses a token HubSpot does not accept, and saves nothing', async () => {
    const r = await t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: 'pat-wrong-token-0000', base_path: hs.url });
    expect(r.statusCode, r.body).toBe(400);
    expect(json(r).error.message).toMatch(/HubSpot refused the connection \(INVALID_AUTHENTICATION\)/);
  });

  it('connects with a private-app token (stored encrypted, never returned)', async () => {
    const r = await expectStatus(t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: TOKEN, base_path: hs.url, push_since: day('2026-04-01', '00:00').toISOString() }), 201);
    expect(r).toMatchObject({ provider: 'hubspot', status: 'active', account: '4242' });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    const row = await t.db.selectFrom('crm_connection').select('credentials').executeTakeFirstOrThrow();
    expect(row.credentials).not.toContain(TOKEN);
  });

  it('a visitor from Google Ads becomes an MQL; the queued push writes the HubSpot contact with score, rating, stage, why, lifecycle stage and owner', async () => {
    t.clock.set(day('2026-04-02', '08:00'));
    expect((await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'omar-device', timestamp: day('2026-04-02', '07:10').toISOString(), messageId: 'o-1',
        properties: { url: 'https://keel.test/?utm_source=google&utm_medium=cpc' }, context: { campaign: { source: 'google', medium: 'cpc', name: 'brand' } } },
      { type: 'page', anonymousId: 'omar-device', timestamp: day('2026-04-02', '07:20').toISOString(), messageId: 'o-2', properties: { url: 'https://keel.test/pricing' } },
      { type: 'page', anonymousId: 'omar-device', timestamp: day('2026-04-02', '07:21').toISOString(), messageId: 'o-3', properties: { url: 'https://keel.test/pricing' } },
    ] })).statusCode).toBe(200);
    const r = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: EMAIL, first_name: 'Omar', last_name: 'Haddad', title: 'VP Marketing', company: 'Keelhaul', _anonymous_id: 'omar-device' }).toString(),
    });
    expect(r.statusCode, r.body).toBe(200);
    const lead = await leadOf(EMAIL);
    expect(lead).toMatchObject({ stage: 'mql', owner_id: rep.id, source: 'google' });
    hs.rateLimitNext(1); // the first call meets HubSpot's secondly limit: the client waits and retries
    const ran = await runPushJobs(day('2026-04-02', '09:00'));
    expect(ran).toEqual([expect.objectContaining({ task: 'crm-push', ok: true })]);
    expect(hs.requests.some((q) => q.status === 429)).toBe(true);
    const [contact] = hsContacts();
    expect(contact!.properties).toMatchObject({
      email: EMAIL, firstname: 'Omar', lastname: 'Haddad', company: 'Keelhaul', lifecyclestage: 'marketingqualifiedlead',
      leadloop_id: lead.id, leadloop_stage: 'mql', leadloop_rating: lead.rating, hubspot_owner_id: '500',
    });
    expect(Number(contact!.properties.leadloop_score)).toBeGreaterThan(0);
    expect(contact!.properties.leadloop_why).toMatch(/\S/);
  });

  it('a deal on the contact, won in HubSpot: the next sync walks the Leadloop lead to won with the amount', async () => {
    const contact = hsContacts()[0]!;
    const account = await expectStatus(t.api('POST', '/api/v1/accounts', { name: 'Keelhaul', domain: 'keelhaul.example' }), 201);
    const company = hs.rep.create('companies', { name: 'Keelhaul Inc.', domain: 'www.keelhaul.example' });
    const deal = hs.rep.create('deals', { dealname: 'Keelhaul rollout', amount: '30000', dealstage: 'qualifiedtobuy', pipeline: 'default', closedate: '2026-04-20T00:00:00.000Z', hubspot_owner_id: '500' });
    hs.rep.associate('deals', deal.id, 'contacts', contact.id);
    hs.rep.associate('deals', deal.id, 'companies', company.id);
    t.clock.set(day('2026-04-10'));
    const first = await sync();
    expect(first.outcome, first.message).toBe('ok');
    expect((await leadOf(EMAIL)).stage).toBe('opportunity');
    hs.rep.update('deals', deal.id, { dealstage: 'closedwon' });
    t.clock.set(day('2026-04-20', '15:00'));
    const report = await sync();
    expect(report.outcome, report.message).toBe('ok');
    const lead = await leadOf(EMAIL);
    expect(lead.stage).toBe('won');
    expect(await stagesOf(lead.id)).toEqual(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won']);
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data as { amount: number; status: string; external_id: string; stage: string; owner_id: string | null; account_id: string | null }[];
    // deal ↔ contact ↔ company: the company's domain found the Leadloop account.
    expect(deals).toEqual([expect.objectContaining({ amount: 30_000, status: 'won', stage: 'Closed Won', external_id: `hubspot:${deal.id}`, owner_id: rep.id, account_id: account.id })]);
    // The won lead's stage went back to HubSpot: lifecycle customer.
    await runPushJobs(day('2026-04-20', '16:00'));
    expect(hsContacts()[0]!.properties).toMatchObject({ lifecyclestage: 'customer', leadloop_stage: 'won' });
  });

  it('attribution credits the first touch\'s source with the won amount', async () => {
    const report = json(await t.api('GET', '/api/v1/reports/attribution?by=source&from=2026-04-01&to=2026-04-30'));
    const google = (report.rows as Record<string, unknown>[]).find((r) => r.dimension === 'source' && r.key === 'google' && r.horizon === 'short_term');
    expect(google, JSON.stringify(report.rows)).toBeDefined();
    expect(Number(google!.first_touch)).toBe(30_000);
  });

  it('replaying (and backfilling) changes nothing', async () => {
    const count = async () => (await t.db.selectFrom('stage_transition').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    for (const body of [{}, { backfill: true }]) {
      const report = await sync(body);
      expect(report.counts.changed).toBe(0);
      expect(report.counts.failed).toBe(0);
    }
    expect(await count()).toBe(before);
    expect(hsContacts()).toHaveLength(1);
  });

  it('a revoked token pauses the connector with a clear message, and a paused connector makes no calls', async () => {
    hs.revokeToken();
    const report = await sync();
    expect(report.outcome).toBe('paused');
    expect(report.message).toMatch(/HubSpot refused the stored credentials \(INVALID_AUTHENTICATION.*paused; reconnect in Settings › Integrations/);
    const [conn] = json(await t.api('GET', '/api/v1/integrations')).data as { status: string; paused_reason: string }[];
    expect(conn).toMatchObject({ status: 'paused', paused_reason: report.message });
    const calls = hs.requests.length;
    expect((await sync()).outcome).toBe('paused');
    expect(hs.requests.length).toBe(calls);
  });
});
