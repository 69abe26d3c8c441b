import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv, type CsvImportOptions } from '../../src/app/import/csv-import.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { must } from '../helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;
let ws = '';
beforeAll(async () => {
  t = await createTestDatabase();
  ws = must(await createWorkspace(t.deps, { name: 'Entities' })).id;
});
afterAll(async () => { await t?.close(); });

const run = async (csv: string, options: CsvImportOptions) => must(await importCsv(t.deps, ws, () => Readable.from([Buffer.from(csv)]), { chunkSize: 2, ...options }));
const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(t.db)).rows;

const sfAccounts = `Account ID,Account Name,Website,Industry,Employees,Billing Country,Annual Revenue,Tier
001A,Acme Corp,https://www.acme.example/about,Manufacturing,250,US,"12,500,000.00",Gold
001B,Globex,globex.example,Energy,abc,DE,,Silver
001C,Initech,initech.example,Software,40,US,,
`;
const hsCompanies = `Record ID,Company name,Company Domain Name,Industry,Number of Employees,Country/Region,Annual Revenue
9001,Acme Corporation,acme.example,Manufacturing,260,United States,
9002,Umbrella,gmail.com,Pharma,10,UK,
`;
const sfOpps = `Opportunity ID,Opportunity Name,Account Name,Amount,Currency,Stage,Close Date,Won,Closed,Lead Source,Created Date,Contact Email
006A,Acme renewal,Acme Corp,"USD 50,000.00",USD,Closed Won,3/15/2026,1,1,Partner,1/10/2026,buyer@acme.example
006B,Initech pilot,Initech,"8,000",usd,Negotiation,4/30/2026,0,0,Web,2/01/2026,
006C,Broken amount,Initech,-5,USD,Prospecting,5/1/2026,0,0,Web,2/01/2026,
006D,Lost deal,Hooli,1000,EUR,Closed Lost,2/28/2026,0,1,Web,1/05/2026,gavin@hooli.example
`;
const hsDeals = `Record ID,Deal Name,Amount,Deal Stage,Close Date,Create Date,Associated Contact,Associated Company
7001,Umbrella expansion,12000,closedwon,2026-03-01,2026-01-15 09:00,Alice Wesker (alice@umbrella.example),Umbrella
7002,Umbrella add-on,500,appointmentscheduled,2026-06-01,2026-02-15 09:00,,Umbrella
`;
const activities = `email,type,occurred_at,subject,url,campaign
buyer@acme.example,Call,2026-03-01 10:00,Kick-off call,,
buyer@acme.example,page_view,2026-03-02 11:00,,/pricing,spring
nobody-here,page_view,2026-03-02 11:00,,/pricing,
new.person@acme.example,webinar,2026-03-03 15:00,Spring webinar,,spring
`;

describe('accounts', () => {
  it('Salesforce accounts: domain from the website, errors reported, re-import unchanged', async () => {
    // Strict: a bad cell refuses the row (the behaviour before bad optional cells became warnings).
    const first = await run(sfAccounts, { entity: 'accounts', strict: true });
    expect(first.preset).toBe('salesforce');
    expect(first.stats).toMatchObject({ rows: 3, inserted: 2, skipped: 1, errors: 1 });
    expect(first.errors[0]).toEqual({ row: 3, column: 'Employees', value: 'abc', reason: 'not a whole number ≥ 0' });
    const acme = await rows(sql<{ domain: string; annual_revenue: string; external_id: string; attributes: Record<string, unknown> }>`SELECT domain, annual_revenue, external_id, attributes FROM account WHERE name = 'Acme Corp'`);
    expect(acme[0]).toMatchObject({ domain: 'acme.example', annual_revenue: '12500000.00', external_id: 'salesforce:001A', attributes: { tier: 'Gold' } });
    // The default: the bad optional cell (Employees = "abc") is dropped with a warning and the row kept.
    const again = await run(sfAccounts, { entity: 'accounts' });
    expect(again.stats).toMatchObject({ inserted: 1, updated: 0, unchanged: 2, skipped: 0, errors: 0 });
    expect(again.warnings).toBe(1);
    expect(again.errors).toEqual([{ row: 3, column: 'Employees', value: 'abc', reason: expect.stringMatching(/^warning: not a whole number ≥ 0; the cell was dropped and the row kept/), warning: true }]);
    expect(await rows(sql<{ employee_count: number | null; industry: string }>`SELECT employee_count, industry FROM account WHERE name = 'Globex'`)).toEqual([{ employee_count: null, industry: 'Energy' }]);
  });

  it('HubSpot companies match Salesforce ones by domain; a free-mail domain is refused', async () => {
    const r = await run(hsCompanies, { entity: 'accounts' });
    expect(r.preset).toBe('hubspot');
    expect(r.stats).toMatchObject({ updated: 1, inserted: 0, skipped: 1 });
    expect(r.errors[0]).toMatchObject({ row: 3, column: 'Company Domain Name', reason: expect.stringContaining('free-mail') });
    const acme = await rows(sql<{ name: string; employee_count: number; external_id: string }>`SELECT name, employee_count, external_id FROM account WHERE domain = 'acme.example'`);
    expect(acme).toEqual([{ name: 'Acme Corporation', employee_count: 260, external_id: 'salesforce:001A' }]);
  });
});

describe('opportunities', () => {
  it('Salesforce opportunities: status from Won/Closed, account by name, contact role by email, idempotent', async () => {
    const r = await run(sfOpps, { entity: 'opportunities' });
    expect(r.stats).toMatchObject({ rows: 4, inserted: 3, skipped: 1 });
    expect(r.errors[0]).toMatchObject({ row: 4, column: 'Amount', value: '-5' });
    expect(r.related).toMatchObject({ accounts_created: 1, contacts_created: 2 });
    const opps = await rows(sql<{ external_id: string; status: string; amount: string; currency: string; close_date: string; account: string; contact: string | null }>`
      SELECT o.external_id, o.status, o.amount, o.currency, o.close_date, a.name AS account, c.email AS contact FROM opportunity o
      LEFT JOIN account a ON a.id = o.account_id LEFT JOIN opportunity_contact_role r ON r.opportunity_id = o.id LEFT JOIN contact c ON c.id = r.contact_id
      ORDER BY o.external_id`);
    expect(opps).toEqual([
      { external_id: 'salesforce:006A', status: 'won', amount: '50000.00', currency: 'USD', close_date: '2026-03-15', account: 'Acme Corporation', contact: 'buyer@acme.example' },
      { external_id: 'salesforce:006B', status: 'open', amount: '8000.00', currency: 'USD', close_date: '2026-04-30', account: 'Initech', contact: null },
      { external_id: 'salesforce:006D', status: 'lost', amount: '1000.00', currency: 'EUR', close_date: '2026-02-28', account: 'Hooli', contact: 'gavin@hooli.example' },
    ]);
    const buyer = await rows(sql<{ account: string }>`SELECT a.name AS account FROM contact c JOIN account a ON a.id = c.account_id WHERE c.email = 'buyer@acme.example'`);
    expect(buyer[0]!.account).toBe('Acme Corporation');
    const again = await run(sfOpps, { entity: 'opportunities' });
    expect(again.stats).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(again.related).toEqual({});
    const moved = await run(sfOpps.replace('Negotiation,4/30/2026,0,0', 'Closed Won,4/30/2026,1,1'), { entity: 'opportunities' });
    expect(moved.stats).toMatchObject({ updated: 1, unchanged: 2 });
    const changes = await rows(sql<{ from_status: string; to_status: string }>`SELECT c.from_status, c.to_status FROM opportunity_stage_change c JOIN opportunity o ON o.id = c.opportunity_id WHERE o.external_id = 'salesforce:006B' ORDER BY c.id`);
    expect(changes).toEqual([{ from_status: null, to_status: 'open' }, { from_status: 'open', to_status: 'won' }]);
  });

  it('HubSpot deals: status from the deal stage, contact from the association column', async () => {
    const r = await run(hsDeals, { entity: 'opportunities' });
    expect(r).toMatchObject({ preset: 'hubspot', stats: { inserted: 2, errors: 0 } });
    const deals = await rows(sql<{ external_id: string; status: string; account: string }>`SELECT o.external_id, o.status, a.name AS account FROM opportunity o JOIN account a ON a.id = o.account_id WHERE o.external_id LIKE 'hubspot:%' ORDER BY 1`);
    expect(deals).toEqual([{ external_id: 'hubspot:7001', status: 'won', account: 'Umbrella' }, { external_id: 'hubspot:7002', status: 'open', account: 'Umbrella' }]);
    expect((await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM contact WHERE email = 'alice@umbrella.example'`))[0]!.n).toBe(1);
  });
});

describe('activities', () => {
  it('keys each row deterministically: the same file twice stores each activity once', async () => {
    const r = await run(activities, { entity: 'activities' });
    expect(r.stats).toMatchObject({ rows: 4, inserted: 3, skipped: 1 });
    expect(r.errors[0]).toMatchObject({ row: 4, column: 'email', reason: 'contains no valid email address' });
    const stored = await rows(sql<{ type: string; event_name: string | null; url: string | null; key: string }>`SELECT type, event_name, url, idempotency_key AS key FROM activity ORDER BY occurred_at`);
    expect(stored.map((a) => a.type)).toEqual(['sales_call', 'page_view', 'webinar_attended']);
    expect(stored.every((a) => a.key.startsWith('import:'))).toBe(true);
    const again = await run(activities, { entity: 'activities', dryRun: true });
    expect(again.stats).toMatchObject({ inserted: 0, unchanged: 3 });
    const real = await run(activities, { entity: 'activities' });
    expect(real.stats).toMatchObject({ inserted: 0, unchanged: 3 });
    expect((await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM activity`))[0]!.n).toBe(3);
  });
});
