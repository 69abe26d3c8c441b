import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue 12 item 5: an opportunities export with a lead id column ("Lead ID", a Salesforce report
 * of opportunities with their originating lead) links each deal to its lead, entering only through
 * POST /api/v1/imports and reading what comes out through the REST API: the deal's lead_ids, the
 * lead walked by the lead↔deal rule, and lead-creation credit in the attribution report.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
});
afterAll(async () => { await t?.close(); });

async function upload(entity: string, content: string) {
  const boundary = '----lead-id-boundary';
  const payload = Buffer.from([
    `--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\n${entity}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${entity}.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n`,
    `--${boundary}--\r\n`,
  ].join(''));
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${t.keys.write}` } });
  expect(r.statusCode, r.body).toBe(201);
  return JSON.parse(r.body);
}
const get = async (url: string) => {
  const r = await t.api('GET', url, undefined, t.keys.read);
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body);
};
async function leadOf(email: string) {
  const contact = (await get(`/api/v1/contacts?email=${encodeURIComponent(email)}`)).data[0];
  expect(contact, email).toBeDefined();
  return (await get(`/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string };
}

const leads = [
  'Lead ID,First Name,Last Name,Title,Company,Email,Lead Status,Lead Source,Created Date',
  '00Q00000000LID1,Ann,Able,VP Marketing,Ablecorp,ann@ablecorp.example,Working - Contacted,Web,1/10/2026',
  '00Q00000000LID2,Ben,Bold,Director,Boldco,ben@boldco.example,Open - Not Contacted,Web,1/12/2026',
  '00Q00000000LID3,Cy,Calm,Analyst,Calmco,cy@calmco.example,Open - Not Contacted,Web,1/13/2026',
].join('\r\n') + '\r\n';
// The touches before each lead opened (the lead-creating touch) and after.
const touches = `email,type,occurred_at,url,source,medium
ann@ablecorp.example,page_view,2026-01-09 10:00,/,google,cpc
ann@ablecorp.example,page_view,2026-01-20 10:00,/pricing,newsletter,email
ben@boldco.example,page_view,2026-01-11 10:00,/,linkedin,social
`;
const opportunities = `Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date,Won,Closed,Created Date,Lead ID
006000000000LD1,Ablecorp platform,Ablecorp,30000,Closed Won,2/20/2026,1,1,2/01/2026,00Q00000000LID1
006000000000LD2,Boldco pilot,Boldco,4000,Proposal,4/30/2026,0,0,2/05/2026,00Q00000000LID2
`;

describe('an opportunities CSV with a lead id column', () => {
  it('links each deal to its lead, moves the lead by the lead↔deal rule, and lead creation earns the won amount', async () => {
    expect(await upload('leads', leads)).toMatchObject({ preset: 'salesforce', inserted: 3, error_count: 0 });
    expect(await upload('activities', touches)).toMatchObject({ inserted: 3, error_count: 0 });
    expect((await leadOf('ann@ablecorp.example')).stage).toBe('sal');

    const r = await upload('opportunities', opportunities);
    expect(r).toMatchObject({ preset: 'salesforce', inserted: 2, error_count: 0 });
    expect(r.related).toMatchObject({ leads_linked: 2, leads_moved: 2 });

    const [ann, ben, cy] = [await leadOf('ann@ablecorp.example'), await leadOf('ben@boldco.example'), await leadOf('cy@calmco.example')];
    expect([ann.stage, ben.stage, cy.stage]).toEqual(['won', 'opportunity', 'inquiry']);
    const deals = (await get('/api/v1/opportunities?limit=50')).data as { id: string; name: string }[];
    const byName = Object.fromEntries(await Promise.all(deals.map(async (d) => [d.name, await get(`/api/v1/opportunities/${d.id}`)] as const)));
    expect(byName['Ablecorp platform']).toMatchObject({ status: 'won', lead_ids: [ann.id] });
    expect(byName['Boldco pilot']).toMatchObject({ status: 'open', lead_ids: [ben.id] });
    // No placeholder deal was opened for either lead: the file's deals are the only ones.
    expect(deals).toHaveLength(2);
    const history = (await get(`/api/v1/leads/${ann.id}/transitions`)).data as { from: string | null; to: string; at: string }[];
    expect(history.map((h) => `${h.from ?? '∅'}→${h.to} ${h.at.slice(0, 10)}`)).toEqual([
      '∅→inquiry 2026-01-10', 'inquiry→mql 2026-01-10', 'mql→sal 2026-01-10', 'sal→sql 2026-02-01', 'sql→opportunity 2026-02-01', 'opportunity→won 2026-02-20',
    ]);

    const report = await get('/api/v1/reports/attribution?from=2026-01-01&to=2026-03-31');
    expect(report.short_term).toMatchObject({ opportunities: 1, amount: 30000 });
    const ch = Object.fromEntries(report.short_term.by_channel.map((x: { key: string; unattributed: boolean }) => [x.unattributed ? '(unattributed)' : x.key, x]));
    // Ann's lead opened 01-10; the touch that created it: google cpc 01-09. Nothing unattributed.
    expect(ch.paid_search).toMatchObject({ first_touch: 30000, lead_creation: 30000 });
    expect(ch['(unattributed)']?.lead_creation ?? 0).toBe(0);
    expect(ch.email).toMatchObject({ last_touch: 30000 });

    // The same file again: no new link, no move.
    const again = await upload('opportunities', opportunities);
    expect(again).toMatchObject({ inserted: 0, unchanged: 2 });
    expect(again.related).toEqual({});
  });
});
