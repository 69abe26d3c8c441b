import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { jwtAssertion, type SalesforceJwtCredentials } from '../../src/app/crm/salesforce/salesforce-client.ts';
import { crmHandlers } from '../../src/jobs/crm.tasks.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startHubspotConformance, type HubspotConformance } from '../conformance/hubspot-server.ts';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { expectStatus } from '../helpers/handoff-fixtures.ts';
import { contactByEmail, json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The CRM journey written ONLY against the vendors' public APIs (the sales side acts through jsforce
 * and @hubspot/api-client, never through simulation helpers), so the same file runs:
 * - in `npm test`: against the local simulations (test/conformance/*);
 * - with `npm run test:crm-live` (CRM_LIVE=1): against real sandboxes from the environment
 *   (SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME, SALESFORCE_PRIVATE_KEY_FILE;
 *   HUBSPOT_ACCESS_TOKEN). A vendor without credentials is skipped, and the skip says why.
 * Records it makes are named "Leadloop live test <run>" and deleted at the end.
 */
const live = process.env.CRM_LIVE === '1';
const run = randomBytes(4).toString('hex');
const SECRET = randomBytes(32).toString('base64');
const env = process.env;
const sfLive = live && env.SALESFORCE_LOGIN_URL && env.SALESFORCE_CLIENT_ID && env.SALESFORCE_USERNAME && env.SALESFORCE_PRIVATE_KEY_FILE;
const hsLive = live && env.HUBSPOT_ACCESS_TOKEN;
if (live && !sfLive) console.warn('crm-live: Salesforce skipped: set SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE');
if (live && !hsLive) console.warn('crm-live: HubSpot skipped: set HUBSPOT_ACCESS_TOKEN');

const today = () => new Date().toISOString().slice(0, 10);

async function newApp(): Promise<TestApp> {
  const t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(new Date());
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  return t;
}

/** A visitor from a campaign asks for a demo (Segment API + forms endpoint): an MQL. */
async function makeMql(t: TestApp, email: string, source: string) {
  const now = Date.now();
  await expectStatus(t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: `Basic ${Buffer.from(`${t.keys.ingest}:`).toString('base64')}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ batch: [
      { type: 'page', anonymousId: `${run}-anon`, timestamp: new Date(now - 60_000).toISOString(), properties: { url: `https://live.test/?utm_source=${source}` }, context: { campaign: { source, medium: 'cpc', name: 'live' } } },
      { type: 'page', anonymousId: `${run}-anon`, timestamp: new Date(now - 50_000).toISOString(), properties: { url: 'https://live.test/pricing' } },
      { type: 'page', anonymousId: `${run}-anon`, timestamp: new Date(now - 40_000).toISOString(), properties: { url: 'https://live.test/pricing' } },
    ] }) }), 200);
  await expectStatus(t.app.inject({ method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, first_name: 'Live', last_name: `Test ${run}`, title: 'VP Marketing', company: `Leadloop live test ${run}`, _anonymous_id: `${run}-anon` }).toString() }), 200);
}
async function leadOf(t: TestApp, email: string) {
  const contact = (await contactByEmail(t, email))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string; rating: string | null };
}
const push = (t: TestApp) => runDueJobs({ ...t.deps, crmSecretKey: SECRET }, new Date(Date.now() + 60_000), { tasks: ['crm-push'], handlers: crmHandlers({ ...t.deps, crmSecretKey: SECRET }) });

describe.skipIf(live && !sfLive)('Salesforce journey through the vendor API', () => {
  let t: TestApp;
  let sim: SalesforceConformance | null = null;
  let creds: SalesforceJwtCredentials;
  let conn: Connection;
  const email = `live-${run}@leadloop-test.example`;
  const made: { type: string; id: string }[] = [];
  beforeAll(async () => {
    t = await newApp();
    if (sfLive) {
      creds = { loginUrl: env.SALESFORCE_LOGIN_URL!, clientId: env.SALESFORCE_CLIENT_ID!, username: env.SALESFORCE_USERNAME!, privateKey: readFileSync(env.SALESFORCE_PRIVATE_KEY_FILE!, 'utf8') };
    } else {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      sim = await startSalesforceConformance({ clientId: 'live-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), users: [{ Username: 'integration@live.sf', Email: 'integration@live.test', Name: 'Integration' }] });
      creds = { loginUrl: sim.url, clientId: 'live-app', username: 'integration@live.sf', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    }
    conn = new Connection({ loginUrl: creds.loginUrl, version: '62.0', oauth2: { loginUrl: creds.loginUrl, clientId: creds.clientId } });
    await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwtAssertion(creds, Date.now()) });
  }, 60_000);
  afterAll(async () => {
    for (const r of made.reverse()) await conn?.sobject(r.type).destroy(r.id).catch(() => undefined);
    await sim?.close();
    await t?.close();
  });

  it('connect → MQL pushed as a Lead with score and why → worked → won through an opportunity with the contact → Leadloop lead won', async () => {
    await expectStatus(t.api('POST', '/api/v1/integrations/salesforce/connect', { login_url: creds.loginUrl, client_id: creds.clientId, username: creds.username, private_key: creds.privateKey, push_since: new Date(Date.now() - 60_000).toISOString() }), 201);
    await makeMql(t, email, 'bing');
    const lead = await leadOf(t, email);
    expect(lead.stage).toBe('mql');
    expect(await push(t)).toEqual([expect.objectContaining({ ok: true })]);
    const [sfLead] = (await conn.query<{ Id: string; Leadloop_Id__c: string; Leadloop_Score__c: number; Leadloop_Why__c: string; LeadSource: string }>(
      `SELECT Id, Leadloop_Id__c, Leadloop_Score__c, Leadloop_Why__c, LeadSource FROM Lead WHERE Email = '${email}'`)).records;
    expect(sfLead).toMatchObject({ Leadloop_Id__c: lead.id, LeadSource: 'bing' });
    made.push({ type: 'Lead', id: sfLead!.Id });
    expect(Number(sfLead!.Leadloop_Score__c)).toBeGreaterThan(0);
    expect(sfLead!.Leadloop_Why__c).toMatch(/\S/);

    await conn.sobject('Lead').update({ Id: sfLead!.Id, Status: 'Working - Contacted' });
    expect((await expectStatus(t.api('POST', '/api/v1/integrations/salesforce/sync', {}), 200)).counts.failed).toBe(0);
    expect((await leadOf(t, email)).stage).toBe('sal');

    const account = await conn.sobject('Account').create({ Name: `Leadloop live test ${run}` }) as { id: string };
    made.push({ type: 'Account', id: account.id });
    const contact = await conn.sobject('Contact').create({ LastName: `Leadloop live test ${run}`, Email: email, AccountId: account.id }) as { id: string };
    made.push({ type: 'Contact', id: contact.id });
    const opp = await conn.sobject('Opportunity').create({ Name: `Leadloop live test ${run}`, AccountId: account.id, StageName: 'Closed Won', Amount: 12_345, CloseDate: today() }) as { id: string };
    made.push({ type: 'Opportunity', id: opp.id });
    const role = await conn.sobject('OpportunityContactRole').create({ OpportunityId: opp.id, ContactId: contact.id, IsPrimary: true, Role: 'Decision Maker' }) as { id: string };
    made.push({ type: 'OpportunityContactRole', id: role.id });
    const report = await expectStatus(t.api('POST', '/api/v1/integrations/salesforce/sync', {}), 200);
    expect(report.counts.failed, JSON.stringify(report.entries)).toBe(0);
    expect((await leadOf(t, email)).stage).toBe('won');
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data as { amount: number; status: string; external_id: string }[];
    expect(deals).toEqual([expect.objectContaining({ amount: 12_345, status: 'won', external_id: `salesforce:${opp.id}` })]);
  });
});

describe.skipIf(live && !hsLive)('HubSpot journey through the vendor API', () => {
  let t: TestApp;
  let sim: HubspotConformance | null = null;
  let token: string;
  let basePath: string | undefined;
  let client: Client;
  const email = `live-${run}@leadloop-test.example`;
  const made: { type: 'contacts' | 'deals'; id: string }[] = [];
  beforeAll(async () => {
    t = await newApp();
    if (hsLive) token = env.HUBSPOT_ACCESS_TOKEN!;
    else {
      token = `pat-sim-${run}-0000`;
      sim = await startHubspotConformance({ token });
      basePath = sim.url;
    }
    client = new Client({ accessToken: token, ...(basePath ? { basePath } : {}), numberOfApiCallRetries: 3 });
  }, 60_000);
  afterAll(async () => {
    for (const r of made.reverse()) await (r.type === 'deals' ? client?.crm.deals.basicApi.archive(r.id) : client?.crm.contacts.basicApi.archive(r.id))?.catch(() => undefined);
    await sim?.close();
    await t?.close();
  });

  it('connect → MQL pushed as a contact with Leadloop properties → a won deal on the contact → Leadloop lead won', async () => {
    await expectStatus(t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: token, ...(basePath ? { base_path: basePath } : {}), push_since: new Date(Date.now() - 60_000).toISOString() }), 201);
    await makeMql(t, email, 'duckduckgo');
    const lead = await leadOf(t, email);
    expect(lead.stage).toBe('mql');
    expect(await push(t)).toEqual([expect.objectContaining({ ok: true })]);
    const found = await client.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: email }] }], properties: ['leadloop_id', 'leadloop_score', 'leadloop_stage', 'lifecyclestage'], limit: 1, after: undefined as never, sorts: [] });
    const contact = found.results[0]!;
    made.push({ type: 'contacts', id: contact.id });
    expect(contact.properties).toMatchObject({ leadloop_id: lead.id, leadloop_stage: 'mql', lifecyclestage: 'marketingqualifiedlead' });

    const deal = await client.crm.deals.basicApi.create({ properties: { dealname: `Leadloop live test ${run}`, amount: '23456', dealstage: 'closedwon', pipeline: 'default', closedate: new Date().toISOString() }, associations: [] });
    made.push({ type: 'deals', id: deal.id });
    await client.crm.associations.v4.basicApi.createDefault('deals', deal.id, 'contacts', contact.id);
    const report = await expectStatus(t.api('POST', '/api/v1/integrations/hubspot/sync', {}), 200);
    expect(report.counts.failed, JSON.stringify(report.entries)).toBe(0);
    expect((await leadOf(t, email)).stage).toBe('won');
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data as { amount: number; status: string; external_id: string }[];
    expect(deals).toEqual([expect.objectContaining({ amount: 23_456, status: 'won', external_id: `hubspot:${deal.id}` })]);
  });
});
