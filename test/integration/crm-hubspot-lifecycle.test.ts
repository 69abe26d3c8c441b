import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { crmHandlers } from '../../src/jobs/crm.tasks.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startHubspotConformance, type HubspotConformance } from '../conformance/hubspot-server.ts';
import { expectStatus } from '../helpers/handoff-fixtures.ts';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Sales work the lead in HubSpot: lifecycle stage and lead status changes made there come back as
 * Leadloop transitions, through the one lifecycle rule, with reasons. Everything enters through
 * the doors (REST API for Leadloop, the HubSpot simulation's "rep" for what a user does in HubSpot,
 * `POST /integrations/hubspot/sync` for the pull). HubSpot here is a local SIMULATION of its CRM API
 * (test/conformance/hubspot-server.ts), called through @hubspot/api-client.
 */
let t: TestApp;
let hs: HubspotConformance;
const TOKEN = 'pat-na1-11111111-1111-4111-8111-111111111111';
const SECRET = randomBytes(32).toString('base64');
const day = (hhmm: string) => new Date(`2026-05-04T${hhmm}:00.000Z`);
const jobDeps = () => ({ ...t.deps, crmSecretKey: SECRET });
const runPushJobs = () => runDueJobs(jobDeps(), new Date(t.clock.now().getTime() + 60_000), { tasks: ['crm-push'], handlers: crmHandlers(jobDeps()) });
const sync = async (body: Record<string, unknown> = {}) => expectStatus(t.api('POST', '/api/v1/integrations/hubspot/sync', body), 200);
type Transition = { from: string | null; to: string; reason_code: string | null; note: string | null; actor: { type: string }; is_recycle: boolean };
const history = async (leadId: string) => json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as Transition[];
const stageOf = async (leadId: string) => json(await t.api('GET', `/api/v1/leads/${leadId}`)).stage as string;
const contactOf = (email: string) => [...hs.objects.contacts.values()].find((c) => c.properties.email === email)!;
let leadId = '';

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(day('08:00'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  hs = await startHubspotConformance({ token: TOKEN });
  await expectStatus(t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: TOKEN, base_path: hs.url, push_since: day('00:00').toISOString() }), 201);
}, 60_000);
afterAll(async () => { await hs?.close(); await t?.close(); });

describe('HubSpot lifecycle stage and lead status changes become Leadloop transitions', () => {
  it('an MQL is pushed; the first pull only remembers what HubSpot shows (nothing moves)', async () => {
    const contact = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'lena@brightwave.example', first_name: 'Lena' }), 201);
    leadId = (await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: contact.id }), 201)).id;
    await expectStatus(t.api('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'mql', note: 'asked for a demo' }), 201);
    expect((await runPushJobs()).map((r) => r.ok)).toEqual([true]);
    expect(contactOf('lena@brightwave.example').properties).toMatchObject({ lifecyclestage: 'marketingqualifiedlead', leadloop_stage: 'mql' });
    // A person Leadloop never sent: ignored, whatever a rep does to it.
    hs.rep.create('contacts', { email: 'walkin@elsewhere.example', lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'UNQUALIFIED' });
    t.clock.set(day('09:00'));
    const report = await sync();
    expect(report.outcome, report.message).toBe('ok');
    expect(report.counts).toMatchObject({ changed: 0, failed: 0 });
    expect(report.counts.ignored).toBeGreaterThanOrEqual(1);
    expect(await stageOf(leadId)).toBe('mql');
  });

  it('a rep moves the lifecycle stage to Sales Qualified Lead: the lead is accepted (sal), said by HubSpot', async () => {
    hs.rep.update('contacts', contactOf('lena@brightwave.example').id, { lifecyclestage: 'salesqualifiedlead' });
    t.clock.set(day('10:00'));
    const report = await sync();
    expect(report.counts).toMatchObject({ changed: 1, failed: 0 });
    expect(report.entries.find((e: { direction: string; object_type: string }) => e.direction === 'pull' && e.object_type === 'contact')).toMatchObject({ outcome: 'changed', local_id: leadId, action: 'HubSpot lifecycle stage "salesqualifiedlead" → sal' });
    expect(await stageOf(leadId)).toBe('sal');
    expect((await history(leadId)).at(-1)).toMatchObject({ from: 'mql', to: 'sal', actor: { type: 'system' }, note: 'HubSpot: lifecycle stage "salesqualifiedlead"' });
  });

  it('replaying and backfilling change nothing', async () => {
    const before = (await history(leadId)).length;
    for (const body of [{}, { backfill: true }]) {
      const report = await sync(body);
      expect(report.counts).toMatchObject({ changed: 0, failed: 0 });
    }
    expect(await history(leadId)).toHaveLength(before);
  });

  it('a rep sets the lead status to Bad timing: the lead goes back to nurture with the mapped reason (a recycle)', async () => {
    hs.rep.update('contacts', contactOf('lena@brightwave.example').id, { hs_lead_status: 'BAD_TIMING' });
    t.clock.set(day('11:00'));
    const dry = await sync({ dry_run: true });
    expect(dry.counts).toMatchObject({ would_change: 1, changed: 0 });
    expect(await stageOf(leadId)).toBe('sal'); // a dry run writes nothing
    const report = await sync();
    expect(report.counts).toMatchObject({ changed: 1, failed: 0 });
    expect((await history(leadId)).at(-1)).toMatchObject({ from: 'sal', to: 'nurture', reason_code: 'not_ready', is_recycle: true, note: 'HubSpot: lead status "BAD_TIMING"' });
  });

  it('the lead re-qualifies in Leadloop: a status that merely stayed Bad timing moves nothing', async () => {
    t.clock.set(day('12:00'));
    await expectStatus(t.api('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'mql', note: 'back on the pricing page' }), 201);
    await runPushJobs();
    expect(contactOf('lena@brightwave.example').properties.leadloop_stage).toBe('mql');
    const report = await sync();
    expect(report.counts).toMatchObject({ changed: 0, failed: 0 });
    expect(await stageOf(leadId)).toBe('mql');
  });

  it('a rep marks the contact Unqualified: the lead is disqualified as a bad fit; a closed lead then never moves', async () => {
    hs.rep.update('contacts', contactOf('lena@brightwave.example').id, { hs_lead_status: 'UNQUALIFIED' });
    t.clock.set(day('13:00'));
    expect((await sync()).counts).toMatchObject({ changed: 1, failed: 0 });
    expect((await history(leadId)).at(-1)).toMatchObject({ to: 'disqualified', reason_code: 'bad_fit', note: 'HubSpot: lead status "UNQUALIFIED"' });
    hs.rep.update('contacts', contactOf('lena@brightwave.example').id, { hs_lead_status: 'IN_PROGRESS' });
    expect((await sync()).counts).toMatchObject({ changed: 0, failed: 0 });
    expect(await stageOf(leadId)).toBe('disqualified');
  });

  it('a mapping that gives Leadloop the lead stage pulls nothing', async () => {
    const connection = json(await t.api('GET', '/api/v1/integrations')).data[0];
    await expectStatus(t.api('PUT', '/api/v1/integrations/hubspot/mapping', { mapping: { ...connection.mapping, ownership: { lead_stage: 'leadloop' } } }), 200);
    const contact = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'max@brightwave.example' }), 201);
    const other = (await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: contact.id }), 201)).id as string;
    await expectStatus(t.api('POST', `/api/v1/leads/${other}/transitions`, { to: 'mql' }), 201);
    await runPushJobs();
    await sync();
    hs.rep.update('contacts', contactOf('max@brightwave.example').id, { hs_lead_status: 'UNQUALIFIED' });
    expect((await sync()).counts).toMatchObject({ changed: 0, failed: 0 });
    expect(await stageOf(other)).toBe('mql');
  });
});
