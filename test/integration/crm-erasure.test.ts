import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { publish } from '../../src/app/events/dispatcher.ts';
import { withTransaction } from '../../src/app/transaction.ts';
import { crmHandlers } from '../../src/jobs/crm.tasks.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { startHubspotConformance, type HubspotConformance } from '../conformance/hubspot-server.ts';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { expectStatus } from '../helpers/handoff-fixtures.ts';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Erasure reaches the CRMs. The privacy door (`POST /api/v1/privacy/erasures`) belongs to the privacy
 * feature, so this test enters at the subscriber level: it publishes `ContactErased` inside a
 * transaction with the app's dispatcher, exactly as that door does, and asserts what comes out —
 * the Salesforce Lead deleted, the HubSpot contact removed through the GDPR delete endpoint, a
 * sync-log entry per record, and the person never pushed again. Both CRMs are local SIMULATIONS
 * (test/conformance/), called through jsforce and @hubspot/api-client.
 */
let t: TestApp;
let sf: SalesforceConformance;
let hs: HubspotConformance;
const SECRET = randomBytes(32).toString('base64');
const TOKEN = 'pat-na1-22222222-2222-4222-8222-222222222222';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jobDeps = () => ({ ...t.deps, crmSecretKey: SECRET });
const until = () => new Date(t.clock.now().getTime() + 60_000);
const runPushJobs = () => runDueJobs(jobDeps(), until(), { tasks: ['crm-push'], handlers: crmHandlers(jobDeps()) });
const runErasures = () => runDueJobs(jobDeps(), t.clock.now(), { tasks: ['crm-erase'], handlers: crmHandlers(jobDeps()) });
const erase = (contactId: string, requestId: string) => withTransaction(t.deps, (trx) => publish(trx, 'ContactErased', {
  workspaceId: t.workspace.id, contactId, erasedBy: { type: 'user', id: t.users.admin.id }, at: t.clock.now(), requestId,
}));
type LogEntry = { direction: string; object_type: string; external_id: string | null; local_id: string | null; action: string; outcome: string };
const logOf = async (provider: string) => json(await t.api('GET', `/api/v1/integrations/${provider}/log?limit=100`)).data as LogEntry[];

async function mqlPerson(email: string): Promise<{ contactId: string; leadId: string }> {
  const contact = await expectStatus(t.api('POST', '/api/v1/contacts', { email, first_name: 'Pat', last_name: 'Doe' }), 201);
  const lead = await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: contact.id }), 201);
  await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql', note: 'demo request' }), 201);
  return { contactId: contact.id, leadId: lead.id };
}

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(new Date('2026-06-01T09:00:00.000Z'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  sf = await startSalesforceConformance({ clientId: 'erasure-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), users: [{ Username: 'integration@erase.sf', Email: 'integration@erase.test', Name: 'Integration' }] });
  hs = await startHubspotConformance({ token: TOKEN });
  const since = new Date('2026-06-01T00:00:00.000Z').toISOString();
  await expectStatus(t.api('POST', '/api/v1/integrations/salesforce/connect', { login_url: sf.url, client_id: 'erasure-app', username: 'integration@erase.sf', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), push_since: since }), 201);
  await expectStatus(t.api('POST', '/api/v1/integrations/hubspot/connect', { access_token: TOKEN, base_path: hs.url, push_since: since }), 201);
}, 60_000);
afterAll(async () => { await hs?.close(); await sf?.close(); await t?.close(); });

describe('ContactErased: the CRM connectors delete the person there', () => {
  let person: { contactId: string; leadId: string };

  it('an erasure that rolls back queues nothing', async () => {
    person = await mqlPerson('pat@erasable.example');
    expect((await runPushJobs()).map((r) => r.ok)).toEqual([true, true]);
    expect([...sf.records.get('Lead')!.values()].map((l) => l.Email)).toEqual(['pat@erasable.example']);
    expect([...hs.objects.contacts.values()].map((c) => c.properties.email)).toEqual(['pat@erasable.example']);
    await expect(withTransaction(t.deps, async (trx) => {
      await publish(trx, 'ContactErased', { workspaceId: t.workspace.id, contactId: person.contactId, erasedBy: { type: 'system', id: null }, at: t.clock.now(), requestId: 'rolled-back' });
      throw new Error('the privacy request failed after publishing');
    })).rejects.toThrow('failed after publishing');
    expect(await runErasures()).toEqual([]);
    expect(sf.records.get('Lead')!.size).toBe(1);
  });

  it('deletes the Salesforce Lead and GDPR-deletes the HubSpot contact, one sync-log entry per record', async () => {
    const sfLeadId = [...sf.records.get('Lead')!.keys()][0]!;
    const hsContactId = [...hs.objects.contacts.keys()][0]!;
    await erase(person.contactId, 'req-42');
    const ran = await runErasures();
    expect(ran.map((r) => [r.task, r.ok])).toEqual([['crm-erase', true], ['crm-erase', true]]);
    expect(sf.records.get('Lead')!.has(sfLeadId)).toBe(false);
    expect(sf.requests).toContainEqual({ method: 'DELETE', path: `/services/data/v62.0/sobjects/Lead/${sfLeadId}` });
    expect(hs.objects.contacts.has(hsContactId)).toBe(false);
    expect(hs.gdprDeleted).toEqual([hsContactId]);
    expect(hs.requests).toContainEqual({ method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', status: 204 });

    expect((await logOf('salesforce'))[0]).toMatchObject({ direction: 'push', object_type: 'Lead', external_id: sfLeadId, local_id: person.contactId, outcome: 'changed', action: 'privacy erasure (request req-42): Lead deleted' });
    expect((await logOf('hubspot'))[0]).toMatchObject({ direction: 'push', object_type: 'contact', external_id: hsContactId, local_id: person.contactId, outcome: 'changed', action: 'privacy erasure (request req-42): contact permanently deleted (HubSpot GDPR delete)' });
    // Each erasure is a sync run of its own, visible with the others.
    const runs = json(await t.api('GET', '/api/v1/integrations/hubspot/runs')).data as { outcome: string; counts: Record<string, number> }[];
    expect(runs[0]).toMatchObject({ outcome: 'ok', counts: expect.objectContaining({ changed: 1 }) });
  });

  it('the erased person is never pushed again, whatever happens to the lead later', async () => {
    await expectStatus(t.api('POST', `/api/v1/leads/${person.leadId}/transitions`, { to: 'sal' }), 201);
    await runPushJobs();
    for (const provider of ['salesforce', 'hubspot']) expect((await expectStatus(t.api('POST', `/api/v1/integrations/${provider}/sync`, {}), 200)).outcome).toBe('ok');
    expect(sf.records.get('Lead')!.size).toBe(0);
    expect(hs.objects.contacts.size).toBe(0);
  });

  it('erasing again is harmless, and a person no CRM record stands for is logged as looked at', async () => {
    await erase(person.contactId, 'req-42-again');
    expect((await runErasures()).every((r) => r.ok)).toBe(true);
    const stranger = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'never-synced@erasable.example' }), 201);
    await erase(stranger.id, 'req-43');
    expect((await runErasures()).every((r) => r.ok)).toBe(true);
    expect((await logOf('salesforce'))[0]).toMatchObject({ local_id: stranger.id, outcome: 'unchanged', action: 'privacy erasure (request req-43): no Salesforce record stands for this person' });
  });

  it('a record the CRM refuses to delete is logged as failed and the job retries; a record already gone counts as erased', async () => {
    const other = await mqlPerson('sam@erasable.example');
    await runPushJobs();
    const leadId = [...sf.records.get('Lead')!.keys()][0]!;
    sf.failNext(`/sobjects/Lead/${leadId}`, 400, [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' }]);
    hs.rep.update('contacts', [...hs.objects.contacts.keys()][0]!, {});
    hs.objects.contacts.clear(); // a HubSpot user already deleted the contact
    await erase(other.contactId, 'req-44');
    const first = await runErasures();
    expect(first.map((r) => r.ok).sort()).toEqual([false, true]);
    expect((await logOf('salesforce'))[0]).toMatchObject({ external_id: leadId, outcome: 'failed' });
    expect((await logOf('hubspot'))[0]).toMatchObject({ outcome: 'changed', local_id: other.contactId });
    t.clock.advance(10 * 60_000); // past graphile-worker's backoff
    expect((await runErasures()).map((r) => r.ok)).toEqual([true]);
    expect(sf.records.get('Lead')!.has(leadId)).toBe(false);
    expect((await logOf('salesforce'))[0]).toMatchObject({ external_id: leadId, outcome: 'changed' });
  });
});
