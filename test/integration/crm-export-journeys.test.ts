import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createRep, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * CRM exports as those CRMs write them, entering only through POST /api/v1/imports, and what comes
 * out: lead stage and dated history, score and MQL where the active definition says so, lead ↔ deal
 * links, attribution credits (lead creation not unattributed; converted leads counted once),
 * warnings for bad optional cells, and accounts matched by registrable domain.
 */

function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = '----leadloop-crm-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(t: TestApp, fields: Record<string, string>, name: string, content: string) {
  const body = multipart(fields, { name, content });
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload: body.payload, headers: { ...body.headers, authorization: `Bearer ${t.keys.write}` } });
  expect(r.statusCode, r.body).toBe(201);
  return JSON.parse(r.body);
}

const q = async <T>(t: TestApp, query: ReturnType<typeof sql<T>>) => (await query.execute(t.db)).rows;

async function leadOf(t: TestApp, email: string) {
  const [lead] = await q(t, sql<{ id: string; stage: string; account_id: string | null; rating: string | null }>`SELECT l.id, l.stage, l.account_id, l.rating FROM lead l
    JOIN contact c ON c.workspace_id = l.workspace_id AND c.id = l.contact_id WHERE c.email = ${email} ORDER BY l.opened_at DESC LIMIT 1`);
  return lead!;
}
async function historyOf(t: TestApp, leadId: string) {
  const rows = await q(t, sql<{ from_stage: string | null; to_stage: string; at: Date; actor_type: string }>`SELECT from_stage, to_stage, at, actor_type FROM stage_transition
    WHERE lead_id = ${leadId} ORDER BY id`);
  return rows.map((r) => `${r.from_stage ?? '∅'}→${r.to_stage} ${r.at.toISOString().slice(0, 16)}`);
}
async function report(t: TestApp) {
  const r = await t.api('GET', '/api/v1/reports/attribution?from=2026-01-01&to=2026-03-31', undefined, t.keys.read);
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body);
}

describe('HubSpot export: companies, contacts (lifecycle stage + lead status + "Became a ... Date"), activities, deals with associations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  });
  afterAll(async () => { await t?.close(); });

  const companies = `Record ID,Company name,Company Domain Name,Industry,Number of Employees,Country/Region
9001,Acme PSL,acmepsl.co.uk,Software,500,United Kingdom
`;
  const contacts = [
    'Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,Industry,Number of Employees,Lifecycle Stage,Lead Status,Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became a Customer Date,Create Date,Original Source',
    '201,Vera,Vance,vera@acmepsl.co.uk,VP Marketing,Acme PSL,,,,Marketing Qualified Lead,In Progress,2026-01-05 10:00,2026-01-10 11:00,,,2026-01-05 10:00,PAID_SEARCH',
    '202,Sev,Enty,sev@seventy.example,Analyst,Seventy Ltd,seventy.example,Retail,seventy,Lead,New,2026-01-06 08:00,,,,2026-01-06 08:00,ORGANIC_SEARCH',
    '203,Gus,Ukay,gus@uk.acmepsl.co.uk,Engineer,,,,,subscriber,,2026-01-07 09:00,,,,2026-01-07 09:00,DIRECT_TRAFFIC',
    '204,Cora,Custer,cora@custco.example,CFO,CustCo,custco.example,Finance,80,Customer,,2025-10-01 09:00,2025-10-15 09:00,2025-11-01 09:00,2025-12-20 09:00,2025-10-01 09:00,REFERRALS',
    '205,Ulla,Unq,ulla@unq.example,Intern,Unq,unq.example,,,salesqualifiedlead,UNQUALIFIED,2026-01-02 09:00,2026-01-03 09:00,2026-01-04 09:00,,2026-01-02 09:00,OFFLINE',
    '206,Bea,Later,bea@later.example,Manager,Later,later.example,,,Subscriber,BAD_TIMING,2026-01-08 09:00,,,,2026-01-08 09:00,SOCIAL_MEDIA',
    '207,Quinn,Quill,quinn@qualsoft.example,VP Sales,QualSoft,qualsoft.example,Software,450,Lead,OPEN,2026-02-01 09:00,,,,2026-02-01 09:00,PAID_SEARCH',
  ].join('\r\n') + '\r\n';
  const activities = `email,type,occurred_at,url,source,medium,campaign
vera@acmepsl.co.uk,page_view,2026-01-04 09:00,/blog/crm,google,cpc,brand
vera@acmepsl.co.uk,webinar_attended,2026-01-20 15:00,,newsletter,email,jan-webinar
quinn@qualsoft.example,page_view,2026-02-26 10:00,/pricing,google,cpc,
quinn@qualsoft.example,page_view,2026-02-27 10:00,/pricing/enterprise,,,
quinn@qualsoft.example,page_view,2026-02-28 10:00,/pricing,,,
quinn@qualsoft.example,webinar_attended,2026-02-28 16:00,,linkedin,social,feb-webinar
`;
  const deals = `Record ID,Deal Name,Amount,Deal Stage,Close Date,Create Date,Associated Contact IDs
7001,Acme PSL platform,50000,closedwon,2026-02-20,2026-01-25 09:00,201;203
7002,QualSoft pilot,8000,appointmentscheduled,2026-04-30,2026-03-01 08:00,207
`;

  it('contacts: leads at the stage lifecycle + lead status describe, histories dated by the export, scored, a bad optional cell kept as a warning', async () => {
    await upload(t, { entity: 'accounts' }, 'hubspot-companies.csv', companies);
    const r = await upload(t, { entity: 'contacts' }, 'hubspot-contacts.csv', contacts);
    expect(r).toMatchObject({ preset: 'hubspot', rows: 7, inserted: 7, skipped: 0, error_count: 0, warning_count: 1 });
    expect(r.errors).toEqual([{ row: 3, column: 'Number of Employees', value: 'seventy', reason: expect.stringMatching(/^warning: not a whole number/) }]);
    expect(r.related).toMatchObject({ leads_opened: 7 });
    expect(r.scoring).toMatchObject({ definition_version: 1, scored: 7, mqls: 0 });

    const vera = await leadOf(t, 'vera@acmepsl.co.uk');
    expect(vera.stage).toBe('sal');
    expect(await historyOf(t, vera.id)).toEqual(['∅→inquiry 2026-01-05T10:00', 'inquiry→mql 2026-01-10T11:00', 'mql→sal 2026-01-10T11:00']);
    const cora = await leadOf(t, 'cora@custco.example');
    expect(cora.stage).toBe('won');
    expect(await historyOf(t, cora.id)).toEqual([
      '∅→inquiry 2025-10-01T09:00', 'inquiry→mql 2025-10-15T09:00', 'mql→sal 2025-10-15T09:00', 'sal→sql 2025-11-01T09:00',
      'sql→opportunity 2025-11-01T09:00', 'opportunity→won 2025-12-20T09:00',
    ]);
    const ulla = await leadOf(t, 'ulla@unq.example');
    expect(ulla.stage).toBe('disqualified');
    expect((await historyOf(t, ulla.id)).map((h) => h.split(' ')[0])).toEqual(['∅→inquiry', 'inquiry→mql', 'mql→sal', 'sal→sql', 'sql→disqualified']);
    expect((await leadOf(t, 'bea@later.example')).stage).toBe('nurture');
    expect((await leadOf(t, 'sev@seventy.example')).stage).toBe('inquiry');
    const [sev] = await q(t, sql<{ employee_count: number | null; industry: string }>`SELECT a.employee_count, a.industry FROM account a JOIN contact c ON c.account_id = a.id WHERE c.email = 'sev@seventy.example'`);
    expect(sev).toEqual({ employee_count: null, industry: 'Retail' });

    // Registrable domains: gus@uk.acmepsl.co.uk and vera@acmepsl.co.uk both join the acmepsl.co.uk company.
    const accounts = await q(t, sql<{ email: string; name: string; domain: string }>`SELECT c.email, a.name, a.domain FROM contact c JOIN account a ON a.id = c.account_id
      WHERE c.email IN ('gus@uk.acmepsl.co.uk', 'vera@acmepsl.co.uk') ORDER BY c.email`);
    expect(accounts).toEqual([
      { email: 'gus@uk.acmepsl.co.uk', name: 'Acme PSL', domain: 'acmepsl.co.uk' },
      { email: 'vera@acmepsl.co.uk', name: 'Acme PSL', domain: 'acmepsl.co.uk' },
    ]);
    // Scored under the active definition: Vera (VP, software, 500 people) is fit A; every lead has its snapshot.
    const [score] = await q(t, sql<{ fit_grade: string; cell: string }>`SELECT s.fit_grade, s.cell FROM contact_score s JOIN contact c ON c.id = s.contact_id WHERE c.email = 'vera@acmepsl.co.uk'`);
    expect(score!.fit_grade).toBe('A');
    expect(vera.rating ?? (await leadOf(t, 'vera@acmepsl.co.uk')).rating).toMatch(/^A[1-4]$/);
    // Every open lead carries its person's score (new leads get it when inserted, moved ones by an update).
    const snapshots = await q(t, sql<{ email: string; same: boolean }>`SELECT c.email, (l.rating, l.fit_score, l.engagement_score, l.definition_id)
        IS NOT DISTINCT FROM (s.cell, s.fit_points::numeric, s.engagement_points::numeric, s.definition_id) AS same
      FROM lead l JOIN contact c ON c.id = l.contact_id JOIN contact_score s ON s.contact_id = c.id
      WHERE l.stage NOT IN ('won', 'lost', 'disqualified')`);
    expect(snapshots.length).toBeGreaterThan(3);
    expect(snapshots.filter((r) => !r.same)).toEqual([]);

    // The same export again: nothing new, not even for the closed (won, disqualified) leads.
    const leadsBefore = await q(t, sql<{ n: number }>`SELECT count(*)::int AS n FROM lead`);
    const again = await upload(t, { entity: 'contacts' }, 'hubspot-contacts.csv', contacts);
    expect(again).toMatchObject({ inserted: 0, error_count: 0 });
    expect(again.related.leads_opened ?? 0).toBe(0);
    expect(await q(t, sql<{ n: number }>`SELECT count(*)::int AS n FROM lead`)).toEqual(leadsBefore);
  });

  it('time to sales-ready skips a stage the export dated at a later stage\'s time, and says how many', async () => {
    const r = await t.api('GET', '/api/v1/reports/time-to-sales-ready?from=2026-01-01&to=2026-03-31&by=source', undefined, t.keys.read);
    expect(r.statusCode, r.body).toBe(200);
    const rep = JSON.parse(r.body);
    // HubSpot has no SAL date: the import dates Vera's and Ulla's SAL at their MQL dates. Those SALs are skipped
    // (not "sales-ready 0 days after MQL"); both MQLs, dated by the export, are measured. Cora opened in 2025.
    const total = rep.rows.find((row: { group: string }) => row.group === 'total');
    expect(total, JSON.stringify(rep.rows)).toMatchObject({ mqls: 2, mqls_skipped: 0, sals: 0, sals_skipped: 2, median_days_to_sal: null });
    // Per origin: Ulla (OFFLINE) became an MQL 1 day after her lead opened.
    expect(rep.rows.find((row: { group: string }) => row.group === 'OFFLINE')).toMatchObject({ mqls: 1, mean_days_to_mql: 1, median_days_to_mql: 1, sals_skipped: 1 });
    expect(rep.notes.join(' ')).toMatch(/0 MQL and 2 SAL dates were skipped/);
  });

  it('live capture matches by registrable domain too: an identify from a subdomain email joins the company account', async () => {
    const r = await segment(t, '/v1/identify', { anonymousId: 'visitor-uk', traits: { email: 'ida@eu.acmepsl.co.uk' } });
    expect(r.statusCode, r.body).toBe(200);
    const [row] = await q(t, sql<{ domain: string | null }>`SELECT a.domain FROM contact c JOIN account a ON a.id = c.account_id WHERE c.email = 'ida@eu.acmepsl.co.uk'`);
    expect(row).toEqual({ domain: 'acmepsl.co.uk' });
  });

  it('activities with qualify: the person the definition rates sales-ready becomes an MQL through the live rule', async () => {
    // Sales has a rep and routing, as a team that imports with qualify would.
    const rep = await createRep(t, 'hubspot-rep');
    await useRoundRobin(t);
    const r = await upload(t, { entity: 'activities', qualify: 'true' }, 'activities.csv', activities);
    expect(r).toMatchObject({ inserted: 6, error_count: 0 });
    expect(r.scoring).toMatchObject({ scored: 2, mqls: 1 });
    expect(r.scoring.qualified).toBeGreaterThanOrEqual(1);
    const quinn = await leadOf(t, 'quinn@qualsoft.example');
    expect(quinn.stage).toBe('mql');
    const [mql] = await q(t, sql<{ actor_type: string }>`SELECT actor_type FROM stage_transition WHERE lead_id = ${quinn.id} AND to_stage = 'mql'`);
    expect(mql!.actor_type).toBe('rule');
    const [score] = await q(t, sql<{ cell: string; engagement_points: number }>`SELECT s.cell, s.engagement_points FROM contact_score s JOIN contact c ON c.id = s.contact_id WHERE c.email = 'quinn@qualsoft.example'`);
    expect(score!.cell).toBe('A2');
    // The MQL went through the hand-off: routed to an owner, who got the "new sales-ready lead" alert saying why.
    const lead = await t.api('GET', `/api/v1/leads/${quinn.id}`, undefined, t.keys.read);
    expect(JSON.parse(lead.body).owner_id, lead.body).toBe(rep.id);
    const ownerKey = await t.newKey(['read'], rep.id);
    const alerts = await t.api('GET', '/api/v1/alerts', undefined, ownerKey);
    expect(alerts.statusCode, alerts.body).toBe(200);
    const forQuinn = (JSON.parse(alerts.body).data as { lead_id: string; kind: string; title: string; body: string }[]).filter((a) => a.lead_id === quinn.id);
    expect(forQuinn).toEqual([expect.objectContaining({ kind: 'mql_assigned', title: expect.stringContaining('Quinn Quill'), body: expect.stringMatching(/Why qualified: definition v1/) })]);
    // Vera is already with sales (sal): scored, never moved back to mql.
    expect((await leadOf(t, 'vera@acmepsl.co.uk')).stage).toBe('sal');
  });

  it("time to sales-ready measures from the person's earliest activity, even one a later file dates before the lead opened", async () => {
    // Vera's lead opened 2026-01-05 10:00 and became an MQL 2026-01-10 11:00 (the contacts file); the activities
    // file, imported after, has her page view of 2026-01-04 09:00: her first touch moves a day and an hour earlier.
    const r = await t.api('GET', '/api/v1/reports/time-to-sales-ready?from=2026-01-01&to=2026-01-31&by=source', undefined, t.keys.read);
    expect(r.statusCode, r.body).toBe(200);
    const paid = (JSON.parse(r.body).rows as { group: string }[]).find((row) => row.group === 'PAID_SEARCH');
    expect(paid, r.body).toMatchObject({ mqls: 1, mean_days_to_mql: 6.083, median_days_to_mql: 6.083 });
  });

  it('deals: associated contacts link their leads, which move by the lead↔deal rule; lead creation earns credit', async () => {
    const r = await upload(t, { entity: 'opportunities' }, 'hubspot-deals.csv', deals);
    expect(r).toMatchObject({ preset: 'hubspot', inserted: 2, error_count: 0 });
    expect(r.related).toMatchObject({ leads_linked: 3, leads_moved: 3 });
    const vera = await leadOf(t, 'vera@acmepsl.co.uk');
    expect(vera.stage).toBe('won');
    expect((await historyOf(t, vera.id)).slice(3)).toEqual(['sal→sql 2026-01-25T09:00', 'sql→opportunity 2026-01-25T09:00', 'opportunity→won 2026-02-20T00:00']);
    expect((await leadOf(t, 'gus@uk.acmepsl.co.uk')).stage).toBe('won');
    expect((await leadOf(t, 'quinn@qualsoft.example')).stage).toBe('opportunity');
    const links = await q(t, sql<{ n: number }>`SELECT count(*)::int AS n FROM opportunity_lead`);
    expect(links[0]!.n).toBe(3);

    const again = await upload(t, { entity: 'opportunities' }, 'hubspot-deals.csv', deals);
    expect(again).toMatchObject({ inserted: 0, unchanged: 2 });
    expect(again.related).toEqual({});

    const rep = await report(t);
    const won = rep.short_term;
    expect(won).toMatchObject({ opportunities: 1, amount: 50000 });
    const ch = Object.fromEntries(won.by_channel.map((x: { key: string; unattributed: boolean }) => [x.unattributed ? '(unattributed)' : x.key, x]));
    // Lead created 01-05 10:00 (Vera, the earliest linked lead); the touch that created it: google cpc 01-04.
    expect(ch.paid_search).toMatchObject({ first_touch: 50000, lead_creation: 50000 });
    expect(ch['(unattributed)']?.lead_creation ?? 0).toBe(0);
    expect(ch.email).toMatchObject({ last_touch: 50000 });
  });
});

describe('Salesforce export: leads (converted), opportunities, OpportunityContactRole', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  });
  afterAll(async () => { await t?.close(); });

  const leads = [
    'Lead ID,First Name,Last Name,Title,Company,Email,Lead Status,Lead Source,Created Date,Converted,Converted Contact ID,Converted Opportunity ID,Converted Date,No. of Employees',
    '00Q000000000001,Ada,Winn,CTO,Engines,ada@engines.example,Closed - Converted,Web,1/5/2026,1,003000000000001,006000000000001,1/20/2026,120',
    '00Q000000000002,Bob,Loss,VP Sales,Hooli,bob@hooli.example,Closed - Converted,Web,1/6/2026,1,003000000000002,006000000000002,1/21/2026,seventy',
    '00Q000000000003,Cid,Open,Manager,Nowhere,cid@nowhere.example,Working - Contacted,Web,1/7/2026,0,,,,',
    '00Q000000000004,Dee,Gone,Intern,Tiny,dee@tiny.example,Closed - Not Converted,Web,1/8/2026,0,,,,',
  ].join('\r\n') + '\r\n';
  const opportunities = `Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Won,Closed,Created Date
006000000000001,Engines deal,Engines,20000,Closed Won,2/15/2026,1,1,1/20/2026
006000000000002,Hooli deal,Hooli,5000,Closed Lost,2/20/2026,0,1,1/21/2026
`;
  const roles = `Id,OpportunityId,ContactId,Role,IsPrimary
00K000000000001,006000000000001,003000000000001,Decision Maker,true
00K000000000002,006000000000002,003000000000002,Economic Buyer,false
`;
  const touches = `email,type,occurred_at,url,source,medium
ada@engines.example,page_view,2026-01-04 10:00,/,google,cpc
bob@hooli.example,page_view,2026-01-05 10:00,/,newsletter,email
cid@nowhere.example,page_view,2026-01-06 10:00,/,linkedin,social
dee@tiny.example,page_view,2026-01-07 10:00,/,google,cpc
`;

  it('converted leads wait at sql for their deal; the deal file links them and moves them to won/lost', async () => {
    const r = await upload(t, { entity: 'leads' }, 'salesforce-leads.csv', leads);
    expect(r).toMatchObject({ preset: 'salesforce', inserted: 4, error_count: 0, warning_count: 1 });
    expect(r.related).toMatchObject({ converted_leads: 2 });
    expect(r.scoring).toMatchObject({ scored: 4 });
    expect((await leadOf(t, 'ada@engines.example')).stage).toBe('sql');
    await upload(t, { entity: 'activities' }, 'touches.csv', touches);

    const o = await upload(t, { entity: 'opportunities' }, 'salesforce-opportunities.csv', opportunities);
    expect(o.related).toMatchObject({ leads_linked: 2, leads_moved: 2 });
    const ada = await leadOf(t, 'ada@engines.example');
    expect(ada.stage).toBe('won');
    expect((await historyOf(t, ada.id)).slice(-2)).toEqual(['sql→opportunity 2026-01-20T00:00', 'opportunity→won 2026-02-15T00:00']);
    const bob = await leadOf(t, 'bob@hooli.example');
    expect(bob.stage).toBe('lost');
    const [lost] = await q(t, sql<{ reason_code: string | null }>`SELECT reason_code FROM stage_transition WHERE lead_id = ${bob.id} AND to_stage = 'lost'`);
    expect(lost!.reason_code).toBeTruthy();

    // The contact-role export names the converted contact ids: same people, no new contact, no second link.
    const before = await q(t, sql<{ contacts: number; links: number }>`SELECT (SELECT count(*)::int FROM contact) AS contacts, (SELECT count(*)::int FROM opportunity_lead) AS links`);
    const c = await upload(t, { entity: 'contact_roles' }, 'OpportunityContactRole.csv', roles);
    expect(c).toMatchObject({ preset: 'salesforce', inserted: 2, error_count: 0 });
    const after = await q(t, sql<{ contacts: number; links: number }>`SELECT (SELECT count(*)::int FROM contact) AS contacts, (SELECT count(*)::int FROM opportunity_lead) AS links`);
    expect(after).toEqual(before);
    expect(before[0]).toMatchObject({ contacts: 4, links: 2 });

    // The leads export again: the deals moved the converted leads past it; nothing changes, nothing is refused.
    const again = await upload(t, { entity: 'leads' }, 'salesforce-leads.csv', leads);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, error_count: 0 });
    expect((await leadOf(t, 'ada@engines.example')).stage).toBe('won');
  });

  it('attribution: a converted lead is counted once (as its won deal), never again as a non-converting path', async () => {
    const rep = await report(t);
    // Converting: Ada's deal. Non-converting: Bob (lost), Cid (no deal), Dee (disqualified). Ada is not among them.
    expect(rep.markov).toMatchObject({ paths: 4, conversions: 1, conversion_probability: 0.25 });
    const ch = Object.fromEntries(rep.short_term.by_channel.map((x: { key: string; unattributed: boolean }) => [x.unattributed ? '(unattributed)' : x.key, x]));
    expect(ch.paid_search).toMatchObject({ lead_creation: 20000, first_touch: 20000 });
    expect(ch['(unattributed)']).toBeUndefined();
  });
});
