import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { personalData } from '../../src/core/privacy/personal-data.registry.ts';
import { expectStatus } from '../helpers/handoff-fixtures.ts';
import { contactByEmail, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue #16, "Done when": a person who came through every door — the snippet (/v1/batch?key=), a
 * Segment batch (Basic auth), the forms endpoint, a CSV import, a nurture email over SMTP, a content
 * rating with a comment, a deal role — is exported (every registry row), then erased through the REST
 * API; `pg_dump` of the whole database then holds no trace of their email, names, phone, IP address,
 * user agent, anonymous id, user id or comment, the funnel and attribution reports are unchanged, and
 * re-ingesting their anonymous id does not bring them back.
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
const day = '2026-03-02';
const at = (hhmm: string, d = day) => new Date(`${d}T${hhmm}:00.000Z`);

const EMAIL = 'zelda.quintrell@privacyco.example';
const TRACES = {
  email: EMAIL, emailLocalPart: 'zelda.quintrell', first: 'Zelinda', last: 'Quintrell', phone: '+49 30 5550 1947',
  ip: '203.0.113.77', userAgent: 'ZqBrowser/9.17', anonymousId: 'anon-zq-7f3e91c2', userId: 'crm-user-zq-5521',
  comment: 'Marvellously quokka-shaped guide', title: 'Head of Quokka Operations',
};
let contactId = '';
let leadId = '';
let dealId = '';

const form = (id: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${id}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
const snippet = (body: unknown) => t.app.inject({ method: 'POST', url: `/v1/batch?key=${t.keys.ingest}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = '----privacy-test-boundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join('')), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const reports = async () => ({
  funnel: json(await t.api('GET', '/api/v1/reports/funnel?from=2026-03-01&to=2026-03-31')).rows,
  attribution: json(await t.api('GET', '/api/v1/reports/attribution?by=source&from=2026-03-01&to=2026-03-31')).rows,
});

/**
 * `pg_dump` of the whole database where this machine's pg_dump can read the server (the CI pass on its PostgreSQL
 * 15). The embedded PostgreSQL of `npm test` is version 17, and no pg_dump 17 is installed here (pg_dump refuses a
 * newer server): there every row of every table in every non-system schema is read as text instead — the same
 * data pg_dump would write, without the DDL.
 */
async function dumpDatabase(): Promise<string> {
  const server = Math.floor(Number((await t.pool.query<{ v: string }>('SELECT current_setting(\'server_version_num\') AS v')).rows[0]!.v) / 10000);
  let pgDump = 0;
  try {
    pgDump = Number(/(\d+)\.\d+/.exec(execFileSync('pg_dump', ['--version']).toString('utf8'))?.[1] ?? 0);
  } catch {
    pgDump = 0; // no pg_dump on this machine
  }
  if (pgDump >= server) return execFileSync('pg_dump', ['--no-owner', t.url], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
  const tables = await t.pool.query<{ name: string }>(`SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name
    FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`);
  expect(tables.rows.length).toBeGreaterThan(30);
  const rows: string[] = [];
  for (const { name } of tables.rows) rows.push(...(await t.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows.map((r) => r.row));
  return rows.join('\n');
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(at('08:00'));
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'content@acme.test');
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  await expectStatus(t.api('POST', '/api/v1/content', { title: 'Quokka field guide', url: 'https://privacyco.test/guide', format: 'ebook', buying_stage: 'awareness' }), 201);
  await expectStatus(t.api('POST', '/api/v1/nurture/tracks', {
    name: 'New inquiries', priority: 1, entry: { stages: ['inquiry'] },
    steps: [{ type: 'send_email', subject: 'Next read: {{asset_title}}', template: 'Hi {{first_name}}, {{asset_link}} {{unsubscribe_link}}' }],
  }), 201);
}, 60_000);
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

describe('erasing a person who came through every door', () => {
  it('the person arrives through the snippet, a Segment batch, a form, a CSV import, nurture email, a rating and a deal', async () => {
    const context = { ip: TRACES.ip, userAgent: TRACES.userAgent, page: { url: `https://privacyco.test/?email=${EMAIL}&utm_source=linkedin` } };
    expect((await snippet({ batch: [
      { type: 'page', anonymousId: TRACES.anonymousId, messageId: 'zq-1', timestamp: at('07:10').toISOString(), context,
        properties: { url: `https://privacyco.test/?email=${encodeURIComponent(EMAIL)}&utm_source=linkedin&utm_medium=paid_social`, utm_source: 'linkedin', utm_medium: 'paid_social' } },
    ] })).statusCode).toBe(200);
    expect((await segment(t, '/v1/batch', { batch: [
      { type: 'identify', anonymousId: TRACES.anonymousId, userId: TRACES.userId, messageId: 'zq-2', timestamp: at('07:20').toISOString(), context,
        traits: { email: EMAIL, firstName: TRACES.first, lastName: TRACES.last, title: TRACES.title } },
      { type: 'track', anonymousId: TRACES.anonymousId, event: 'Webinar Registered', messageId: 'zq-3', timestamp: at('07:25').toISOString(), context, properties: { who: `${TRACES.first} ${TRACES.last}` } },
      // Refused (a timestamp from 1990): dead-lettered with the whole message.
      { type: 'track', anonymousId: TRACES.anonymousId, event: 'Broken clock', messageId: 'zq-4', timestamp: '1990-01-01T00:00:00Z', context, properties: { email: EMAIL } },
    ] })).statusCode).toBe(200);
    const filled = await form('ebook-download', { email: EMAIL, first_name: TRACES.first, last_name: TRACES.last, message: TRACES.comment, _anonymous_id: TRACES.anonymousId, consent_marketing: 'yes', _page_url: 'https://privacyco.test/guide' });
    expect(filled.statusCode, filled.body).toBe(200);
    const csv = multipart({ entity: 'contacts' }, { name: 'crm.csv', content: `Email,First Name,Last Name,Phone,Job Title\n${EMAIL},${TRACES.first},${TRACES.last},${TRACES.phone},${TRACES.title}\n` });
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload: csv.payload, headers: { ...csv.headers, authorization: `Bearer ${t.keys.write}` } });
    expect(imported.statusCode, imported.body).toBe(201);

    const contact = (await contactByEmail(t, EMAIL))!;
    contactId = contact.id;
    expect(contact.first_name).toBe(TRACES.first);
    const leads = json(await t.api('GET', `/api/v1/leads?contact_id=${contactId}`)).data as { id: string; stage: string }[];
    expect(leads).toHaveLength(1);
    leadId = leads[0]!.id;

    expect(await runDueNurture({ ...t.deps, mailer, publicUrl: 'http://leadloop.test' }, t.clock.now())).toMatchObject({ sent: 1 });
    expect(catcher.mails.map((m) => m.to)).toEqual([[EMAIL]]);

    const asset = json(await t.api('GET', '/api/v1/content')).data[0] as { id: string };
    const rated = await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ asset_id: asset.id, rating: 5, comment: TRACES.comment, email: EMAIL }) });
    expect(rated.statusCode, rated.body).toBeLessThan(300);

    t.clock.set(at('10:00', '2026-03-05'));
    const deal = await expectStatus(t.api('POST', '/api/v1/opportunities', {
      name: 'Privacy Co platform', amount: 42_000, stage: 'Proposal', lead_ids: [leadId], contact_roles: [{ contact_id: contactId, role: 'champion', is_primary: true }],
    }), 201);
    dealId = deal.id;
    t.clock.set(at('16:00', '2026-03-20'));
    await expectStatus(t.api('PATCH', `/api/v1/opportunities/${dealId}`, { status: 'won', stage: 'Closed Won', close_date: '2026-03-20' }), 200);

    const dump = await dumpDatabase();
    // Every trace is really stored somewhere before the erasure (or the check after it would prove nothing).
    for (const [what, trace] of Object.entries(TRACES)) expect(dump.includes(trace), `${what} stored`).toBe(true);
  });

  it('the export holds every row the registry lists for the person (JSON and a ZIP of CSVs)', async () => {
    const r = await t.api('GET', `/api/v1/privacy/exports/${contactId}`);
    expect(r.statusCode, r.body).toBe(200);
    const doc = json(r) as { contact_id: string; tables: Record<string, Record<string, unknown>[]> };
    expect(doc.contact_id).toBe(contactId);
    const ids = await sql<{ id: string }>`SELECT id FROM contact WHERE workspace_id = ${t.workspace.id} AND (id = ${contactId} OR merged_into_id = ${contactId})`.execute(t.db);
    const contactIds = ids.rows.map((x) => x.id);
    for (const e of personalData.filter((x) => x.reach.by !== 'mention')) {
      const ref = e.reach.by === 'contact' ? sql`${sql.ref(e.reach.column)} = ANY(${contactIds}::uuid[])` : sql`${sql.ref(e.reach.column)} = ${leadId}`;
      const where = 'where' in e.reach && e.reach.where ? sql` AND ${sql.ref(e.reach.where.column)} = ${e.reach.where.equals}` : sql``;
      const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(e.table)} WHERE workspace_id = ${t.workspace.id} AND ${ref}${where}`.execute(t.db);
      expect((doc.tables[e.table] ?? []).length, `${e.table}.${e.reach.column}`).toBeGreaterThanOrEqual(n.rows[0]!.n);
    }
    for (const table of ['contact', 'contact_identity', 'activity', 'consent_event', 'lead', 'stage_transition', 'score_event', 'nurture_send', 'content_rating', 'opportunity_contact_role', 'opportunity', 'dead_letter']) {
      expect(doc.tables[table]?.length ?? 0, table).toBeGreaterThan(0);
    }
    expect(JSON.stringify(doc)).toContain(TRACES.comment);

    const zip = await t.api('GET', `/api/v1/privacy/exports/${contactId}?format=csv`);
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toContain('application/zip');
    expect(zip.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(zip.rawPayload.toString('latin1')).toContain('activity.csv');
  });

  it('erasing by email removes every trace from the database, keeps funnel and attribution totals, and publishes ContactErased', async () => {
    const before = await reports();
    expect(JSON.stringify(before.attribution)).toContain('42000');
    // An integration listening for erasures (a lifecycle webhook): ContactErased reaches it in the erasing transaction.
    await expectStatus(t.api('POST', '/api/v1/webhooks', { name: 'DSAR tool', kind: 'json', url: 'http://127.0.0.1:9/erasures', event_types: ['contact.erased'] }), 201);
    const r = await t.api('POST', '/api/v1/privacy/erasures', { email: EMAIL.toUpperCase(), reason: 'DSAR-2026-0042' });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toMatchObject({ contact_id: contactId, status: 'erased' });
    const erasedEvents = await sql<{ payload: { data: { contact_id: string } } }>`SELECT payload FROM webhook_event WHERE workspace_id = ${t.workspace.id} AND type = 'contact.erased'`.execute(t.db);
    expect(erasedEvents.rows.map((e) => e.payload.data.contact_id)).toEqual([contactId]);

    const dump = await dumpDatabase();
    for (const [what, trace] of Object.entries(TRACES)) {
      expect(dump.toLowerCase().includes(trace.toLowerCase()), `${what} (${trace}) is still in the database`).toBe(false);
    }
    expect(await reports()).toEqual(before);

    const deal = json(await t.api('GET', `/api/v1/opportunities/${dealId}`));
    expect(deal).toMatchObject({ amount: 42_000, contact_roles: [] });
    const receipt = json(await t.api('GET', '/api/v1/audit-log?action=contact.erased')).data as { object: { id: string }; reason: string; after: Record<string, unknown> }[];
    expect(receipt).toEqual([expect.objectContaining({ object: expect.objectContaining({ id: contactId }), reason: 'DSAR-2026-0042' })]);
  });

  it('re-ingesting the anonymous id or the email does not bring the person back', async () => {
    const contacts = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contact WHERE workspace_id = ${t.workspace.id}`.execute(t.db)).rows[0]!.n;
    const n = await contacts();
    expect((await snippet({ batch: [{ type: 'page', anonymousId: TRACES.anonymousId, messageId: 'zq-9', properties: { url: 'https://privacyco.test/pricing' } }] })).statusCode).toBe(200);
    expect((await segment(t, '/v1/identify', { userId: TRACES.userId, traits: { email: EMAIL, firstName: TRACES.first } })).statusCode).toBe(200);
    expect((await form('newsletter', { email: EMAIL, first_name: TRACES.first })).statusCode).toBe(200);
    const csv = multipart({ entity: 'contacts' }, { name: 'again.csv', content: `Email,First Name\n${EMAIL},${TRACES.first}\n` });
    const imported = json(await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload: csv.payload, headers: { ...csv.headers, authorization: `Bearer ${t.keys.write}` } }));
    expect(imported).toMatchObject({ inserted: 0, skipped: 1 });
    expect(await contacts()).toBe(n);
    expect(await contactOfAnonymous(t, TRACES.anonymousId)).toBeUndefined();
    expect(await contactByEmail(t, EMAIL)).toBeUndefined();
    expect((await dumpDatabase()).toLowerCase()).not.toContain(EMAIL);
  });

  it('erasing twice is a no-op with a clear answer; an unknown person is 404; bad requests are 400; only admins may', async () => {
    expect(json(await t.api('POST', '/api/v1/privacy/erasures', { contact_id: contactId }))).toMatchObject({ status: 'already_erased', contact_id: contactId });
    expect(json(await t.api('POST', '/api/v1/privacy/erasures', { email: EMAIL }))).toMatchObject({ status: 'already_erased', contact_id: null });
    const unknown = await t.api('POST', '/api/v1/privacy/erasures', { email: 'nobody@nowhere.example' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error.details[0]).toMatchObject({ path: 'email' });
    expect((await t.api('POST', '/api/v1/privacy/erasures', { contact_id: '0190a0a0-0000-7000-8000-000000000000' })).statusCode).toBe(404);
    expect((await t.api('POST', '/api/v1/privacy/erasures', {})).statusCode).toBe(400);
    expect((await t.api('POST', '/api/v1/privacy/erasures', { email: 'not-an-email' })).statusCode).toBe(400);
    expect((await t.api('POST', '/api/v1/privacy/erasures', { email: EMAIL, contact_id: contactId })).statusCode).toBe(400);
    expect((await t.api('POST', '/api/v1/privacy/erasures', { email: EMAIL }, t.keys.write)).statusCode).toBe(403);
    expect((await t.api('GET', `/api/v1/privacy/exports/${contactId}`, undefined, t.keys.read)).statusCode).toBe(403);
  });

  it('consent given again lifts the suppression', async () => {
    const serverKey = await t.newKey(['ingest:server']);
    const back = await segment(t, '/v1/identify', { userId: 'zq-returns', traits: { email: EMAIL, consent: { email_marketing: true } } }, { key: serverKey });
    expect(back.statusCode, back.body).toBe(200);
    expect((await contactByEmail(t, EMAIL))?.email).toBe(EMAIL);
  });
});
