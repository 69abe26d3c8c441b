import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { createRep, expectStatus, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The live loop end to end, entering only through public doors (issue 13, journey a):
 * anonymous visits from a LinkedIn campaign → ebook download on the forms endpoint → inquiry →
 * nurture email → pricing pages + demo request → MQL → routed, alerted → the rep accepts →
 * a $50k deal through the deal API → won → the lead is won → attribution credits the first touch's source.
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let rep: { id: string };
let repKey = '';
const day = '2026-03-02';
const at = (hhmm: string, d = day) => new Date(`${d}T${hhmm}:00.000Z`);
const jobDeps = () => ({ ...t.deps, mailer, publicUrl: 'http://leadloop.test' });
const EMAIL = 'nora@orbitworks.example';

const form = (id: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${id}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
async function theLead() {
  const contact = (await contactByEmail(t, EMAIL))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string; owner_id: string | null; source: string | null };
}
const stagesOf = async (leadId: string) => (json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as { to: string }[]).map((h) => h.to);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(at('08:00'));
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'content@acme.test');
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  rep = await createRep(t, 'rita');
  repKey = await t.newKey(['write'], rep.id);
  await useRoundRobin(t);
  await expectStatus(t.api('POST', '/api/v1/content', { title: 'RevOps Field Guide', url: 'https://orbit.test/ebooks/field-guide', format: 'ebook', buying_stage: 'awareness' }), 201);
  await expectStatus(t.api('POST', '/api/v1/content', { title: 'Scoring in practice', url: 'https://orbit.test/blog/scoring', format: 'blog', buying_stage: 'consideration' }), 201);
  await expectStatus(t.api('POST', '/api/v1/nurture/tracks', {
    name: 'New inquiries', priority: 1, entry: { stages: ['inquiry'] },
    steps: [{ type: 'send_email', subject: 'Next read: {{asset_title}}', template: 'Hi {{first_name}}, {{asset_link}} {{unsubscribe_link}}' }, { type: 'wait', business_days: 3 }],
  }), 201);
}, 60_000);
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

describe('the live loop through the doors', () => {
  it('anonymous visits from a campaign, then an ebook download on the forms endpoint, open an inquiry (not an MQL)', async () => {
    const visits = await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'nora-device', timestamp: at('07:10').toISOString(), messageId: 'n-1',
        properties: { url: 'https://orbit.test/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=revops-q1' },
        context: { campaign: { source: 'linkedin', medium: 'paid_social', name: 'revops-q1' }, page: { url: 'https://orbit.test/?utm_source=linkedin' } } },
      { type: 'page', anonymousId: 'nora-device', timestamp: at('07:20').toISOString(), messageId: 'n-2', properties: { url: 'https://orbit.test/blog/scoring' } },
    ] });
    expect(visits.statusCode, visits.body).toBe(200);
    const download = await form('ebook-download', { email: EMAIL, first_name: 'Nora', title: 'Director of Marketing', company: 'Orbit Works', _anonymous_id: 'nora-device', _page_url: 'https://orbit.test/ebooks/field-guide' });
    expect(download.statusCode, download.body).toBe(200);
    const lead = await theLead();
    expect(lead.stage).toBe('inquiry');
    expect(lead.source).toBe('linkedin');
    expect(await stagesOf(lead.id)).toEqual(['inquiry']);
  });

  it('the inquiry is in nurture and gets its first email over SMTP', async () => {
    const lead = await theLead();
    const enrollments = json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${lead.id}`)).data as { status: string; origin: string }[];
    expect(enrollments).toEqual([expect.objectContaining({ status: 'active', origin: 'live_inquiry' })]);
    expect(await runDueNurture(jobDeps(), t.clock.now())).toMatchObject({ sent: 1 });
    expect(catcher.mails.map((m) => m.to)).toEqual([[EMAIL]]);
  });

  it('pricing pages and a demo request make it an MQL, routed to the rep with an alert, out of nurture', async () => {
    t.clock.set(at('10:00', '2026-03-04'));
    const pricing = await segment(t, '/v1/batch', { batch: [1, 2].map((n) => (
      { type: 'page', anonymousId: 'nora-device', timestamp: at('09:5' + n, '2026-03-04').toISOString(), properties: { url: 'https://orbit.test/pricing' }, messageId: `n-pricing-${n}` })) });
    expect(pricing.statusCode, pricing.body).toBe(200);
    const demo = await form('demo-request', { email: EMAIL, first_name: 'Nora', _anonymous_id: 'nora-device' });
    expect(demo.statusCode, demo.body).toBe(200);
    const lead = await theLead();
    expect(lead.stage).toBe('mql');
    expect(lead.owner_id).toBe(rep.id);
    expect(await stagesOf(lead.id)).toEqual(['inquiry', 'mql']);
    const alerts = json(await t.api('GET', '/api/v1/alerts', undefined, repKey)).data as { lead_id: string }[];
    expect(alerts.map((a) => a.lead_id)).toContain(lead.id);
    const enrollments = json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${lead.id}`)).data as { status: string; exit_reason: string }[];
    expect(enrollments).toEqual([expect.objectContaining({ status: 'exited', exit_reason: 'became_mql' })]);
  });

  it('the rep accepts, a $50k deal is opened and won through the deal API, and the lead is won', async () => {
    t.clock.set(at('11:00', '2026-03-04'));
    const lead = await theLead();
    await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'sal' }, repKey), 201);
    const deal = await expectStatus(t.api('POST', '/api/v1/opportunities', { name: 'Orbit Works platform', amount: 50_000, stage: 'Proposal', lead_ids: [lead.id] }), 201);
    expect((await theLead()).stage).toBe('opportunity');
    const deals = json(await t.api('GET', '/api/v1/opportunities')).data as unknown[];
    expect(deals).toHaveLength(1); // linking never opens a second ($0) deal
    t.clock.set(at('16:00', '2026-03-20'));
    await expectStatus(t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'won', stage: 'Closed Won', close_date: '2026-03-20' }), 200);
    expect((await theLead()).stage).toBe('won');
    expect(await stagesOf(lead.id)).toEqual(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won']);
  });

  it('attribution credits the first touch\'s source with the deal', async () => {
    const report = json(await t.api('GET', '/api/v1/reports/attribution?by=source&from=2026-03-01&to=2026-03-31'));
    const linkedin = (report.rows as Record<string, unknown>[]).find((r) => r.dimension === 'source' && r.key === 'linkedin' && r.horizon === 'short_term');
    expect(linkedin, JSON.stringify(report.rows)).toBeDefined();
    expect(Number(linkedin!.first_touch)).toBe(50_000);
  });
});
