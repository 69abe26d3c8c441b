import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { startSalesforceConformance, type SalesforceConformance } from '../conformance/salesforce-server.ts';
import { createRep, expectStatus, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { contactByEmail, json } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Sync you can operate (issue 15 item 5), against the Salesforce simulation: `leadloop crm sync
 * --dry-run` shows what would change and writes nothing; SOQL pages through `nextRecordsUrl`; one
 * bad record fails alone (logged with its attempt, retried, the cursor never passes it) while the
 * rest syncs; a mapping is versioned and checked; an API budget ends a run early; refused
 * credentials pause the connector with a clear message and a metric, and reconnecting resumes it.
 */
let t: TestApp;
let sf: SalesforceConformance;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SECRET = randomBytes(32).toString('base64');
const people = ['ann', 'bob', 'cid'].map((n) => `${n}@prospect.example`);
const day = (d: string, hhmm = '10:00') => new Date(`${d}T${hhmm}:00.000Z`);
const sync = async (body: Record<string, unknown> = {}) => expectStatus(t.api('POST', '/api/v1/integrations/salesforce/sync', body), 200);
const sfLeadOf = (email: string) => [...sf.records.get('Lead')!.values()].find((l) => l.Email === email)!;
async function leadOf(email: string) {
  const contact = (await contactByEmail(t, email))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string };
}
const connect = () => expectStatus(t.api('POST', '/api/v1/integrations/salesforce/connect', {
  login_url: sf.url, client_id: 'leadloop-app', username: 'integration@acme.sf', private_key: privatePem, push_since: day('2026-05-01', '00:00').toISOString(),
}), 201);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The conformance server listens on loopback, which outgoing calls refuse unless the operator allows it.
    execFile('node', ['bin/leadloop.js', ...args], { env: { ...process.env, DATABASE_URL: t.url, LEADLOOP_SECRET_KEY: SECRET, LEADLOOP_DEMO: '0', LEADLOOP_OUTBOUND_ALLOW: '127.0.0.1/32' }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  t = await createTestApp({ server: { crmSecretKey: SECRET } });
  t.clock.set(day('2026-05-01'));
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  await createRep(t, 'rita');
  await useRoundRobin(t);
  sf = await startSalesforceConformance({
    clientId: 'leadloop-app', certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), pageSize: 2,
    users: [{ Username: 'integration@acme.sf', Email: 'integration@acme.test', Name: 'Integration' }],
  });
  await connect();
  t.clock.set(day('2026-05-04'));
  for (const email of people) {
    const r = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email, first_name: email.split('@')[0]!, title: 'VP Marketing', company: 'Prospect Co' }).toString(),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect((await leadOf(email)).stage).toBe('mql');
  }
}, 60_000);
afterAll(async () => { await sf?.close(); await t?.close(); });

describe('CRM sync you can operate', () => {
  it('`leadloop crm sync --dry-run` lists the Leads it would create and writes nothing', async () => {
    const r = await cli(['crm', 'sync', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Salesforce sync (dry run: nothing was written here or in the CRM): ok');
    expect(r.stdout.match(/→ push Lead .*: created Lead/g)).toHaveLength(3);
    expect(r.stdout).toContain('would change 3');
    expect(sf.records.get('Lead')!.size).toBe(0);
    expect(await t.db.selectFrom('crm_record_link').selectAll().execute()).toHaveLength(0);
  }, 120_000);

  it('the sync creates the three Leads; the pull reads them back page by page (nextRecordsUrl)', async () => {
    const report = await sync();
    expect(report.outcome, report.message).toBe('ok');
    expect(report.counts.changed).toBe(3);
    expect(sf.records.get('Lead')!.size).toBe(3);
    expect(sf.requests.some((q) => /\/services\/data\/v62\.0\/query\/01g\w+-2$/.test(q.path))).toBe(true);
    // A rep's own Lead with garbage typed into the Leadloop id field is not ours: ignored, nothing fails.
    sf.rep.insert('Lead', { LastName: 'Typed', Company: 'Elsewhere', Leadloop_Id__c: "x'); DROP TABLE lead; --" });
    const again = await sync();
    expect(again.outcome, again.message).toBe('ok');
    expect(again.counts).toMatchObject({ failed: 0, changed: 0, ignored: 1 });
  });

  it('a mapping that does not parse is refused with where and why; a good one is a new version', async () => {
    const bad = await t.api('PUT', '/api/v1/integrations/salesforce/mapping', { mapping: { pull_status: { Unqualified: { stage: 'nowhere' } } } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.details[0].path).toBe('mapping.pull_status.Unqualified.stage');
    const saved = await expectStatus(t.api('PUT', '/api/v1/integrations/salesforce/mapping', { mapping: {
      pull_status: { 'Working - Contacted': { stage: 'sal', reason_code: null }, Unqualified: { stage: 'disqualified', reason_code: 'no_such_reason' } },
    } }), 200);
    expect(saved.version).toBe(2);
  });

  it('one record that cannot be applied fails alone, is logged with its attempt and retried; the rest syncs', async () => {
    sf.rep.update('Lead', sfLeadOf(people[0]!).Id, { Status: 'Unqualified' });
    sf.rep.update('Lead', sfLeadOf(people[1]!).Id, { Status: 'Working - Contacted' });
    t.clock.set(day('2026-05-05'));
    const first = await sync();
    expect(first.outcome).toBe('partial');
    expect(first.message).toMatch(/1 record\(s\) failed; they are retried on the next sync/);
    expect((await leadOf(people[1]!)).stage).toBe('sal');
    expect((await leadOf(people[0]!)).stage).toBe('mql');
    const failed = json(await t.api('GET', `/api/v1/integrations/salesforce/log?outcome=failed`)).data as { attempt: number; error: string; external_id: string }[];
    expect(failed).toEqual([expect.objectContaining({ attempt: 1, external_id: sfLeadOf(people[0]!).Id, error: expect.stringMatching(/no_such_reason/) })]);
    const second = await sync();
    expect(second.counts.failed).toBe(1);
    expect(second.entries.find((e: { outcome: string }) => e.outcome === 'failed').attempt).toBe(2);
    // The mapping is fixed (version 3): the cursor waited at the failed record, so the next sync applies it.
    await expectStatus(t.api('PUT', '/api/v1/integrations/salesforce/mapping', { mapping: {} }), 200);
    const third = await sync();
    expect(third.outcome, third.message).toBe('ok');
    expect((await leadOf(people[0]!)).stage).toBe('disqualified');
    const versions = json(await t.api('GET', '/api/v1/integrations/salesforce/mapping/versions')).data as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('near the org\'s daily API limit the run stops early and says so', async () => {
    sf.apiUsed = Math.floor(sf.apiLimit * 0.95);
    const report = await sync();
    expect(report.outcome).toBe('partial');
    expect(report.message).toMatch(/Salesforce API budget reached: \d+ of 15000 daily requests used/);
    sf.apiUsed = 0;
  });

  it('refused credentials pause the connector (message, metric); reconnecting resumes it', async () => {
    sf.revokeSessions();
    sf.refuseGrants('user hasn\'t approved this consumer');
    const report = await sync();
    expect(report.outcome).toBe('paused');
    expect(report.message).toMatch(/Salesforce refused the stored credentials \(invalid_grant: user hasn't approved this consumer\)\. The connector is paused; reconnect in Settings › Integrations\./);
    const metrics = await t.api('GET', '/metrics', undefined, await t.newKey(['metrics']));
    expect(metrics.body).toMatch(/leadloop_crm_connectors_paused\{provider="salesforce"\} 1/);
    const status = await cli(['crm', 'status']);
    expect(status.stdout).toMatch(/salesforce: paused — Salesforce refused the stored credentials/);
    sf.refuseGrants(null);
    expect((await connect()).status).toBe('active');
    const resumed = await sync();
    expect(resumed.outcome, JSON.stringify(resumed)).toBe('ok');
  }, 120_000);
});
