import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

/** A multipart/form-data body built by hand (what a browser or curl -F sends). */
function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer | string }) {
  const boundary = '----leadloop-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`));
    parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(fields: Record<string, string>, file?: { name: string; content: Buffer | string }, key = t.keys.write) {
  const body = multipart(fields, file);
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload: body.payload, headers: { ...body.headers, authorization: `Bearer ${key}` } });
  return { status: r.statusCode, json: JSON.parse(r.body) };
}

async function counts() {
  const r = await sql<{ contacts: number; accounts: number; leads: number; identities: number; runs: number; transitions: number }>`SELECT
    (SELECT count(*)::int FROM contact) AS contacts, (SELECT count(*)::int FROM account) AS accounts, (SELECT count(*)::int FROM lead) AS leads,
    (SELECT count(*)::int FROM contact_identity) AS identities, (SELECT count(*)::int FROM import_run) AS runs,
    (SELECT count(*)::int FROM stage_transition) AS transitions`.execute(t.db);
  return r.rows[0]!;
}

// Salesforce "Leads" report export, with deliberate errors in rows 4, 5 and 7.
const salesforceLeads = [
  'Lead ID,First Name,Last Name,Title,Company,Email,Phone,Lead Source,Lead Status,Industry,No. of Employees,Country,Created Date,Favourite Colour',
  '00Q000000000001,Ada,Lovelace,CTO,Analytical Engines,ada@engines.example,555-0100,Web,Open - Not Contacted,Computing,120,UK,1/15/2026,blue',
  '00Q000000000002,Grace,Hopper,VP Eng,Navy Labs,Grace@NavyLabs.example,,Trade Show,Working - Contacted,Defense,5000,US,2026-01-20,',
  '00Q000000000003,Bad,Email,,Nowhere Inc,not-an-email,,Web,Open - Not Contacted,,,,1/21/2026,',
  '00Q000000000004,Bad,Date,,Analytical Engines,bad.date@engines.example,,Web,Qualified,,12x,,31/31/2026,',
  '00Q000000000005,Free,Mailer,Founder,Tiny Shop,free.mailer@gmail.com,,Referral,Closed - Converted,,3,,2026-02-01,green',
  '00Q000000000006,Stat,Us,,Navy Labs,status@navylabs.example,,Web,Maybe Later,,,,2026-02-02,',
].join('\r\n') + '\r\n';

// HubSpot contacts export: an invalid email (row 3), a row with an extra cell (row 5).
const hubspotContacts = [
  'Record ID,First Name,Last Name,Email,Job Title,Company Name,Original Source,Lifecycle Stage,Create Date,Lead Score',
  '101,Linus,T,linus@kernel.example,Maintainer,Kernel Org,ORGANIC_SEARCH,marketingqualifiedlead,2026-01-05 10:30,55',
  '102,Bad,Mail,linus@,Intern,Kernel Org,DIRECT_TRAFFIC,lead,2026-01-06 11:00,10',
  '103,Anne,Other,anne@kernel.example,CFO,,PAID_SEARCH,customer,2026-01-07 12:00,90',
  '104,Too,Many,too@many.example,,,,lead,2026-01-08 12:00,1,extra',
].join('\n') + '\n';

describe('POST /api/v1/imports (Salesforce leads export)', () => {
  let runId = '';

  it('imports the good rows and reports each bad one with row, column, value and reason', async () => {
    const r = await upload({ entity: 'leads' }, { name: 'leads.csv', content: salesforceLeads });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ entity: 'leads', preset: 'salesforce', dry_run: false, rows: 6, inserted: 3, skipped: 3, error_count: 4, attribute_columns: ['Favourite Colour'] });
    expect(r.json.related).toMatchObject({ contacts_created: 3, accounts_created: 3 });
    expect(r.json.errors).toEqual([
      { row: 4, column: 'Email', value: 'not-an-email', reason: 'not a valid email address' },
      { row: 5, column: 'No. of Employees', value: '12x', reason: 'not a whole number ≥ 0' },
      { row: 5, column: 'Created Date', value: '31/31/2026', reason: expect.stringContaining('not a date') },
      { row: 7, column: 'Lead Status', value: 'Maybe Later', reason: expect.stringContaining('unknown lead status') },
    ]);
    runId = r.json.id;
    const report = await t.app.inject({ method: 'GET', url: r.json.errors_url, headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toContain('text/csv');
    const lines = report.body.trim().split('\r\n');
    expect(lines[0]).toBe('row,column,value,reason');
    expect(lines[1]).toBe('4,Email,not-an-email,not a valid email address');
    expect(lines).toHaveLength(5);
  });

  it('stored what the file says: identities, account by email domain, lead stage walked through the lifecycle', async () => {
    const grace = await sql<{ email: string; account: string; domain: string; stage: string; ext: string; moves: string }>`
      SELECT c.email, a.name AS account, a.domain, l.stage, i.value AS ext,
        (SELECT string_agg(coalesce(from_stage, '-') || '>' || to_stage, ' ' ORDER BY id) FROM stage_transition WHERE lead_id = l.id) AS moves
      FROM contact c JOIN account a ON a.id = c.account_id JOIN lead l ON l.contact_id = c.id
      JOIN contact_identity i ON i.contact_id = c.id AND i.kind = 'external_id'
      WHERE c.email = 'grace@navylabs.example'`.execute(t.db);
    expect(grace.rows[0]).toMatchObject({ account: 'Navy Labs', domain: 'navylabs.example', stage: 'sal', ext: 'salesforce:00Q000000000002', moves: '->inquiry inquiry>mql mql>sal' });
    const free = await sql<{ domain: string | null; name: string }>`SELECT a.domain, a.name FROM contact c JOIN account a ON a.id = c.account_id WHERE c.email = 'free.mailer@gmail.com'`.execute(t.db);
    expect(free.rows[0]).toEqual({ domain: null, name: 'Tiny Shop' });
    const ada = await sql<{ attributes: Record<string, unknown> }>`SELECT attributes FROM contact WHERE email = 'ada@engines.example'`.execute(t.db);
    expect(ada.rows[0]!.attributes).toMatchObject({ favourite_colour: 'blue' });
    const run = await t.api('GET', `/api/v1/imports/${runId}`);
    expect(JSON.parse(run.body)).toMatchObject({ status: 'completed', rows: 6, inserted: 3, error_count: 4, file_name: 'leads.csv' });
  });

  it('is idempotent: the same file again inserts nothing', async () => {
    const before = await counts();
    const r = await upload({ entity: 'leads', preset: 'salesforce' }, { name: 'leads.csv', content: salesforceLeads });
    expect(r.json).toMatchObject({ inserted: 0, updated: 0, unchanged: 3, skipped: 3 });
    expect(r.json.related).toEqual({});
    const after = await counts();
    expect({ ...after, runs: 0 }).toEqual({ ...before, runs: 0 });
  });

  it('a later export moves the lead forward through the lifecycle', async () => {
    const moved = salesforceLeads.replace('Working - Contacted', 'Qualified');
    const r = await upload({ entity: 'leads' }, { name: 'leads.csv', content: moved });
    expect(r.json).toMatchObject({ updated: 1, unchanged: 2 });
    const lead = await sql<{ stage: string }>`SELECT l.stage FROM lead l JOIN contact c ON c.id = l.contact_id WHERE c.email = 'grace@navylabs.example'`.execute(t.db);
    expect(lead.rows[0]!.stage).toBe('sql');
  });
});

describe('POST /api/v1/imports (HubSpot contacts export)', () => {
  it('detects the preset, reports bad rows, keeps unknown columns as attributes, dry run writes nothing', async () => {
    const before = await counts();
    const dry = await upload({ entity: 'contacts', dry_run: 'true' }, { name: 'hubspot.csv', content: hubspotContacts });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ preset: 'hubspot', dry_run: true, rows: 4, inserted: 2, skipped: 2, error_count: 2, related: { accounts_created: 1 } });
    expect(dry.json.errors).toEqual([
      { row: 3, column: 'Email', value: 'linus@', reason: 'not a valid email address' },
      { row: 5, column: null, value: null, reason: 'the row has 11 cells; the header has 10 columns' },
    ]);
    const afterDry = await counts();
    expect(afterDry).toEqual({ ...before, runs: before.runs + 1 });
    const run = JSON.parse((await t.api('GET', `/api/v1/imports/${dry.json.id}`)).body);
    expect(run).toMatchObject({ dry_run: true, inserted: 2 });

    const real = await upload({ entity: 'contacts' }, { name: 'hubspot.csv', content: hubspotContacts });
    expect(real.json).toMatchObject({ inserted: 2, skipped: 2 });
    const linus = await sql<{ first_source: string; attributes: Record<string, unknown>; account: string; ext: string }>`
      SELECT c.first_source, c.attributes, a.name AS account, i.value AS ext FROM contact c JOIN account a ON a.id = c.account_id
      JOIN contact_identity i ON i.contact_id = c.id AND i.kind = 'external_id' WHERE c.email = 'linus@kernel.example'`.execute(t.db);
    expect(linus.rows[0]).toMatchObject({ first_source: 'ORGANIC_SEARCH', account: 'Kernel Org', ext: 'hubspot:101', attributes: { lead_score: '55', lifecycle_stage: 'marketingqualifiedlead' } });
    // Anne has no company column value, but her domain matches the account created for Linus.
    const anne = await sql<{ account: string }>`SELECT a.name AS account FROM contact c JOIN account a ON a.id = c.account_id WHERE c.email = 'anne@kernel.example'`.execute(t.db);
    expect(anne.rows[0]!.account).toBe('Kernel Org');
  });
});

describe('files refused before anything is written', () => {
  it('a file that is not UTF-8 names the byte offset and line', async () => {
    const before = await counts();
    const latin1 = Buffer.concat([Buffer.from('Email,First Name\nok@x.example,Ok\nj@x.example,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const r = await upload({ entity: 'contacts' }, { name: 'latin1.csv', content: latin1 });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('ValidationFailed');
    expect(r.json.error.message).toContain('not valid UTF-8: byte 0xE9 at byte offset 48 (line 3)');
    expect(await counts()).toEqual(before);
  });

  it('missing required columns are named, with the headers the preset expects', async () => {
    const before = await counts();
    const r = await upload({ entity: 'opportunities', preset: 'salesforce' }, { name: 'opps.csv', content: 'Amount,Stage\n100,Prospecting\n' });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain("lacks required opportunities column(s): name ('name' or 'opportunity name')");
    const contacts = await upload({ entity: 'contacts' }, { name: 'c.csv', content: 'Name,Phone\nA,1\n' });
    expect(contacts.json.error.message).toContain('email');
    expect(await counts()).toEqual(before);
  });

  it('an unknown entity, a missing file part, a non-multipart body and a read-only key are refused', async () => {
    const before = await counts();
    const unknown = await upload({ entity: 'widgets' }, { name: 'w.csv', content: 'a\n1\n' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain("Unknown import entity 'widgets'");
    expect((await upload({ entity: 'contacts' })).json.error.message).toContain('no file part');
    const json = await t.api('POST', '/api/v1/imports', { entity: 'contacts' }, t.keys.write);
    expect(json.statusCode).toBe(415);
    expect((await upload({ entity: 'contacts' }, { name: 'c.csv', content: 'Email\na@b.example\n' }, t.keys.read)).status).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
