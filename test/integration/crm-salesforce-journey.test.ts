import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { crmHandlers } from '../../src/jobs/crm.tasks.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { createRep, expectStatus, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The CRM loop with Salesforce, entering only through public doors: a visitor becomes an MQL in
 * Leadloop (Segment API + forms endpoint) → an admin connects Salesforce (REST, JWT bearer) → the sync
 * makes a Salesforce Lead with score, rating, why-qualified text, source and owner → the rep works it,
 * converts it and wins the opportunity in Salesforce → the next sync walks the Leadloop lead to `won`
 * with the amount, and attribution credits the first touch's source.
 * Salesforce here is a local SIMULATION of its REST API (test/conformance/salesforce-server.ts),
 * called through jsforce, the client library the connector uses.
 */
let t: TestApp;
let sf: SalesforceConformance;
let rep: { id: string; email: string };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const EMAIL = 'nora@orbitworks.example';
const SECRET = randomBytes(32).toString('base64');
const jobDeps = () => ({ ...t.deps, crmSecretKey: SECRET });
const runPushJobs = (until: Date) => runDueJobs(jobDeps(), until, { tasks: ['crm-push'], handlers: crmHandlers(jobDeps()) });
const day = (d: string, hhmm = '10:00') => new Date(`${d}T${hhmm}:00.000Z`);

const form = (id: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${id}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
async function leadOf(email: string) {
  const contact = (await contactByEmail(t, email))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string; owner_id: string | null; source: string | null; rating: string | null };
}
const stagesOf = async (leadId: string) => (json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as { to: string }[]).map((h) => h.to);
const sync = async (body: Record<string, unknown> = {}) => expectStatus(t.api('POST', '/api/v1/integrations/salesforce/sync', body), 200);
const sfLeads = () => [...sf.records.get('Lead')!.values()];
/** The sales rep's own API session (what the Salesforce UI does on their behalf). */
async function repSession() {
  const { jwtAssertion } = await import('../../src/app/crm/salesforce/salesforce-client.ts');
  const c = new Connection({ loginUrl: sf.url, version: '62.0', oauth2: { loginUrl: sf.url, clientId: 'leadloop-app' } });
  await c.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwtAssertion({ loginUrl: sf.url, clientId: 'leadloop-app', username: 'rita@acme.sf', privateKey: privatePem }, Date.now()) });
  return c;
}

async function mql(email: string, anon: string, first: string, utm: string, at: string) {
  t.clock.set(day(at, '08:00'));
  expect((await segment(t, '/v1/batch', { batch: [
    { type: 'page', anonymousId: anon, timestamp: day(at, '07:10').toISOString(), messageId: `${anon}-1`,
      properties: { url: `https://orbit.test/?utm_source=${utm}&utm_medium=paid_social` }, context: { campaign: { source: utm, medium: 'paid_social', name: 'q1' } } },
    { type: 'page', anonymousId: anon, timestamp: day(at, '07:20').toISOString(), messageId: `${anon}-2`, properties: { url: 'https://orbit.test/pricing' } },
    { type: 'page', anonymousId: anon, timestamp: day(at, '07:21').toISOString(), messageId: `${anon}-3`, properties: { url: 'https://orbit.test/pricing' } },
  ] })).statusCode).toBe(200);
  const r = await form('demo-request', { email, first_name: first, last_name: 'Quinn', title: 'VP Marketing', company: 'Orbit Works', _anonymous_id: anon });
  expect(r.statusCode, r.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(day('2026-03-01'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  rep = await createRep(t, 'rita');
  await useRoundRobin(t);
  sf = await startSalesforceConformance({
    clientId: 'leadloop-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), pageSize: 2,
    users: [
      { Username: 'integration@acme.sf', Email: 'integration@acme.test', Name: 'Integration' },
      { Username: 'rita@acme.sf', Email: 'RITA@acme.test', Name: 'Rita Rep' },
    ],
  });
}, 60_000);
afterAll(async () => { await sf?.close(); await t?.close(); });

describe('Salesforce: MQL out, revenue back', () => {
  it('refuses a connection it cannot sign in with, and saves nothing', async () => {
    const r = await t.api('POST', '/api/v1/integrations/salesforce/connect', { login_url: sf.url, client_id: 'wrong-app', username: 'integration@acme.sf', private_key: privatePem });
    expect(r.statusCode, r.body).toBe(400);
    expect(json(r).error.message).toMatch(/Salesforce refused the connection \(invalid_client_id\).*nothing was saved/);
    expect(json(await t.api('GET', '/api/v1/integrations')).data).toEqual([]);
  });

  it('connects with the JWT bearer flow; the private key is stored encrypted and never returned', async () => {
    const r = await expectStatus(t.api('POST', '/api/v1/integrations/salesforce/connect', {
      login_url: sf.url, client_id: 'leadloop-app', username: 'integration@acme.sf', private_key: privatePem, push_since: day('2026-03-01', '00:00').toISOString(),
    }), 201);
    expect(r).toMatchObject({ provider: 'salesforce', status: 'active', account: 'integration@acme.sf', mapping_version: 1 });
    expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
    const row = await t.db.selectFrom('crm_connection').select('credentials').executeTakeFirstOrThrow();
    expect(row.credentials).toMatch(/^v1\./);
    expect(row.credentials).not.toContain('PRIVATE');
    expect(Buffer.from(row.credentials.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('BEGIN');
  });

  it('a visitor from LinkedIn becomes an MQL in Leadloop through the doors', async () => {
    await mql(EMAIL, 'nora-device', 'Nora', 'linkedin', '2026-03-02');
    const lead = await leadOf(EMAIL);
    expect(lead.stage).toBe('mql');
    expect(lead.owner_id).toBe(rep.id);
    expect(lead.source).toBe('linkedin');
  });

  it('a dry run shows the Lead it would create and writes nothing, here or in Salesforce', async () => {
    const report = await sync({ dry_run: true });
    expect(report.outcome).toBe('ok');
    expect(report.entries).toEqual([expect.objectContaining({ direction: 'push', object_type: 'Lead', outcome: 'would_change', action: 'created Lead' })]);
    expect(sfLeads()).toHaveLength(0);
    expect(await t.db.selectFrom('crm_record_link').selectAll().execute()).toHaveLength(0);
  });

  it('the MQL transition queued a push job (no CRM call in the transaction); the job makes a Salesforce Lead with score, rating, why-qualified text, source and owner (mapped by email)', async () => {
    t.clock.set(day('2026-03-02', '09:00'));
    const ran = await runPushJobs(t.clock.now());
    expect(ran).toEqual([expect.objectContaining({ task: 'crm-push', ok: true })]);
    const runs = json(await t.api('GET', '/api/v1/integrations/salesforce/runs')).data as { counts: { changed: number }; dry_run: boolean }[];
    expect(runs[0]).toMatchObject({ dry_run: false, counts: expect.objectContaining({ changed: 1 }) });
    const lead = await leadOf(EMAIL);
    const [sfLead] = sfLeads();
    const ritaSf = [...sf.records.get('User')!.values()].find((u) => u.Username === 'rita@acme.sf')!;
    expect(sfLead).toMatchObject({
      Email: EMAIL, FirstName: 'Nora', LastName: 'Quinn', Company: 'Orbit Works', LeadSource: 'linkedin', Status: 'Open - Not Contacted',
      OwnerId: ritaSf.Id, Leadloop_Id__c: lead.id, Leadloop_Rating__c: lead.rating, Leadloop_Stage__c: 'mql',
    });
    expect(Number(sfLead!.Leadloop_Score__c)).toBeGreaterThan(0);
    expect(String(sfLead!.Leadloop_Why__c)).toMatch(/\S/);
    expect(sfLead!.Rating).toMatch(/^(Hot|Warm|Cold)$/);
  });

  it('replaying the sync changes nothing', async () => {
    const before = await stagesOf((await leadOf(EMAIL)).id);
    const report = await sync();
    expect(report.counts.changed).toBe(0);
    expect(report.counts.failed).toBe(0);
    expect(sfLeads()).toHaveLength(1);
    expect(await stagesOf((await leadOf(EMAIL)).id)).toEqual(before);
  });

  it('the rep works the Lead in Salesforce: Lead Status "Working - Contacted" accepts it in Leadloop', async () => {
    const session = await repSession();
    await session.sobject('Lead').update({ Id: sfLeads()[0]!.Id, Status: 'Working - Contacted' });
    t.clock.set(day('2026-03-03'));
    const report = await sync();
    expect(report.entries).toEqual(expect.arrayContaining([expect.objectContaining({ direction: 'pull', object_type: 'Lead', outcome: 'changed', action: 'Lead Status "Working - Contacted" → sal' })]));
    expect(report.entries.filter((e: { direction: string }) => e.direction === 'push')).toEqual([]); // not pushed back
    expect((await leadOf(EMAIL)).stage).toBe('sal');
    // The transition the pull made queues a push, which finds nothing to send back.
    await runPushJobs(day('2026-03-03', '11:00'));
    expect(sfLeads()[0]).toMatchObject({ Status: 'Working - Contacted' });
    const log = json(await t.api('GET', '/api/v1/integrations/salesforce/log?outcome=changed')).data as { direction: string; action: string }[];
    expect(log.filter((e) => e.direction === 'push').map((e) => e.action)).toEqual(['created Lead']);
  });

  it('converted and won in Salesforce: the next sync walks the Leadloop lead to won with the amount', async () => {
    const converted = sf.rep.convertLead(sfLeads()[0]!.Id, { Name: 'Orbit Works platform', Amount: 50_000, StageName: 'Prospecting', CloseDate: '2026-03-20' });
    const session = await repSession();
    await session.sobject('Opportunity').update({ Id: converted.opportunityId, StageName: 'Closed Won' });
    t.clock.set(day('2026-03-20', '16:00'));
    const report = await sync();
    expect(report.outcome, report.message).toBe('ok');
    const lead = await leadOf(EMAIL);
    expect(lead.stage).toBe('won');
    expect(await stagesOf(lead.id)).toEqual(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won']);
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data as { id: string; amount: number; status: string; external_id: string; stage: string }[];
    expect(deals).toEqual([expect.objectContaining({ amount: 50_000, status: 'won', stage: 'Closed Won', external_id: `salesforce:${converted.opportunityId}` })]);
    const detail = json(await t.api('GET', `/api/v1/opportunities/${deals[0]!.id}`));
    expect(detail.lead_ids).toEqual([lead.id]);
  });

  it('attribution credits the first touch\'s source with the won amount', async () => {
    const report = json(await t.api('GET', '/api/v1/reports/attribution?by=source&from=2026-03-01&to=2026-03-31'));
    const linkedin = (report.rows as Record<string, unknown>[]).find((r) => r.dimension === 'source' && r.key === 'linkedin' && r.horizon === 'short_term');
    expect(linkedin, JSON.stringify(report.rows)).toBeDefined();
    expect(Number(linkedin!.first_touch)).toBe(50_000);
  });

  it('a backfill replays every record and changes nothing', async () => {
    const transitions = await t.db.selectFrom('stage_transition').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const report = await sync({ backfill: true });
    expect(report.counts.changed).toBe(0);
    expect(report.counts.failed).toBe(0);
    expect(await t.db.selectFrom('stage_transition').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).toEqual(transitions);
    expect(json(await t.api('GET', '/api/v1/opportunities')).data).toHaveLength(1);
  });
});
