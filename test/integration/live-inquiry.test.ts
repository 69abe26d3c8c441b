import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { drainJobs } from '../../src/jobs/worker.ts';
import { contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * A day of live traffic through the public doors (/v1/batch, the forms endpoint, REST): known
 * people meeting the definition's inquiry rule open leads at inquiry, dated at the activity; a new
 * inquiry joins the fitting nurture track and gets its first email; later intent makes it an MQL
 * and it leaves nurture. The funnel, the nurture report, the backtest and the rejections report
 * then tell the same story.
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let activeId = '';
let keys: { marketing: string; sales: string };
const day = '2026-03-02';
const at = (hhmm: string) => new Date(`${day}T${hhmm}:00.000Z`);
const jobDeps = () => ({ ...t.deps, mailer, publicUrl: 'http://leadloop.test' });
const form = (id: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${id}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
async function leadOf(email: string) {
  const contact = (await contactByEmail(t, email))!;
  return json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0] as { id: string; stage: string; opened_at: string; definition_id: string | null } | undefined;
}
const historyOf = async (leadId: string) => json(await t.api('GET', `/api/v1/leads/${leadId}/transitions`)).data as { to: string; at: string; note: string; definition_id: string | null; actor: { type: string } }[];
const enrollmentsOf = async (leadId: string) => json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${leadId}`)).data as { track_id: string; status: string; exit_reason: string | null; origin: string | null }[];

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(at('09:00'));
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'content@acme.test');
  activeId = must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id })).id;
  keys = { marketing: await t.newKey(['write'], t.users.marketing.id), sales: await t.newKey(['write'], t.users.sales.id) };
  for (const c of [
    { title: 'Pipeline Playbook', url: 'https://acme.test/ebooks/playbook', format: 'ebook', buying_stage: 'awareness' },
    { title: 'Intro to lead scoring', url: 'https://acme.test/blog/intro', format: 'blog', buying_stage: 'awareness' },
  ]) expect((await t.api('POST', '/api/v1/content', c)).statusCode).toBe(201);
  const steps = [{ type: 'send_email', subject: 'Next: {{asset_title}}', template: 'Hi {{first_name}}, read {{asset_link}}. {{unsubscribe_link}}' }, { type: 'wait', business_days: 5 }];
  // Two tracks: the higher-priority one wants google people, so only the entry rules can send Ada to the ebook track.
  for (const track of [
    { name: 'Ebook readers from LinkedIn', priority: 1, entry: { stages: ['inquiry'], sources: ['LinkedIn'], content_consumed: { formats: ['ebook'] }, consent: ['email_marketing'] }, steps },
    { name: 'Google people', priority: 10, entry: { stages: ['inquiry'], sources: ['google'] }, steps },
  ]) expect((await t.api('POST', '/api/v1/nurture/tracks', track)).statusCode, 'track').toBe(201);
}, 60_000);
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

describe('inquiries from live traffic', () => {
  it('an ebook download by a known person opens an inquiry dated at the download, with the rule and version that decided', async () => {
    const r = await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'ada-anon', timestamp: at('06:30').toISOString(), properties: { url: 'https://acme.test/blog/why' }, context: { campaign: { source: 'linkedin', medium: 'social', name: 'spring' } }, messageId: 'ada-1' },
      { type: 'identify', anonymousId: 'ada-anon', userId: 'ada', timestamp: at('06:40').toISOString(), traits: { email: 'ada@cloudly.example', first_name: 'Ada', title: 'VP Marketing' }, messageId: 'ada-2' },
      { type: 'group', userId: 'ada', groupId: 'cloudly', timestamp: at('06:41').toISOString(), traits: { name: 'Cloudly', website: 'cloudly.example', industry: 'SaaS', employees: 500 }, messageId: 'ada-3' },
      { type: 'track', userId: 'ada', event: 'Ebook Downloaded', timestamp: at('07:00').toISOString(), properties: { url: 'https://acme.test/ebooks/playbook' }, messageId: 'ada-4' },
    ] });
    expect(r.statusCode, r.body).toBe(200);
    const lead = (await leadOf('ada@cloudly.example'))!;
    // Fit A, engagement 8 (level 3): warm, not sales-ready; the download alone made her an inquiry.
    expect(lead).toMatchObject({ stage: 'inquiry', opened_at: at('07:00').toISOString() });
    const history = await historyOf(lead.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ to: 'inquiry', at: at('07:00').toISOString(), actor: { type: 'rule' }, definition_id: activeId });
    expect(history[0]!.note).toMatch(/^inquiry: content download .* \(rule 'gated download', definition v1\)$/);
  });

  it('the new inquiry joins the track its entry rules select, in the same request, and gets the first email', async () => {
    const lead = (await leadOf('ada@cloudly.example'))!;
    const tracks = json(await t.api('GET', '/api/v1/nurture/tracks')).data as { id: string; name: string }[];
    const ebookTrack = tracks.find((x) => x.name === 'Ebook readers from LinkedIn')!;
    expect(await enrollmentsOf(lead.id)).toEqual([expect.objectContaining({ track_id: ebookTrack.id, status: 'active', origin: 'live_inquiry' })]);
    // Due nurture ticks run on the simulated clock (runDueJobs runs the hand-off tasks; runDueNurture the nurture ticks).
    expect(await runDueNurture(jobDeps(), t.clock.now())).toEqual({ processed: 1, sent: 1 });
    expect(catcher.mails.map((m) => ({ to: m.to, subject: m.subject }))).toEqual([{ to: ['ada@cloudly.example'], subject: 'Next: Intro to lead scoring' }]);
  });

  it('the rest of the day: a newsletter sign-up and an engaged known visitor are inquiries; anonymous or unengaged people are not', async () => {
    expect((await form('newsletter', { email: 'ben@smallshop.example', first_name: 'Ben' })).statusCode).toBe(200);
    const r = await segment(t, '/v1/batch', { batch: [
      { type: 'identify', userId: 'dan', timestamp: at('08:00').toISOString(), traits: { email: 'dan@bigco.example', title: 'Analyst' }, messageId: 'dan-1' },
      { type: 'page', userId: 'dan', timestamp: at('08:05').toISOString(), properties: { url: 'https://acme.test/pricing' }, messageId: 'dan-2' },
      { type: 'identify', userId: 'eve', timestamp: at('08:10').toISOString(), traits: { email: 'eve@quiet.example' }, messageId: 'eve-1' },
      { type: 'page', userId: 'eve', timestamp: at('08:11').toISOString(), properties: { url: 'https://acme.test/blog/why' }, messageId: 'eve-2' },
      { type: 'page', anonymousId: 'cleo-anon', timestamp: at('08:20').toISOString(), properties: { url: 'https://acme.test/pricing' }, messageId: 'cleo-1' },
      { type: 'track', anonymousId: 'cleo-anon', event: 'Ebook Downloaded', timestamp: at('08:21').toISOString(), properties: { url: 'https://acme.test/ebooks/playbook' }, messageId: 'cleo-2' },
    ] });
    expect(r.statusCode, r.body).toBe(200);
    const ben = (await leadOf('ben@smallshop.example'))!;
    expect(ben).toMatchObject({ stage: 'inquiry', opened_at: at('09:00').toISOString() });
    expect((await historyOf(ben.id))[0]!.note).toMatch(/^inquiry: form submit newsletter \(rule 'form submission', definition v1\)$/);
    // Ben fits neither track's entry rules (no ebook, not from LinkedIn or google): not enrolled.
    expect(await enrollmentsOf(ben.id)).toEqual([]);
    const dan = (await leadOf('dan@bigco.example'))!;
    expect(dan).toMatchObject({ stage: 'inquiry', opened_at: at('08:05').toISOString() });
    expect(await leadOf('eve@quiet.example')).toBeUndefined();
    const leads = json(await t.api('GET', '/api/v1/leads')).data as unknown[];
    expect(leads).toHaveLength(3);
  });

  it('a pricing page and a demo request make the inquiry an MQL (inquiry first, both recorded) and it leaves nurture', async () => {
    t.clock.set(at('11:00'));
    expect((await form('demo-request', { email: 'ada@cloudly.example', first_name: 'Ada' })).statusCode).toBe(200);
    const r = await segment(t, '/v1/batch', { batch: [1, 2, 3].map((n) => (
      { type: 'page', userId: 'ada', timestamp: at('11:00').toISOString(), properties: { url: 'https://acme.test/pricing' }, messageId: `ada-pricing-${n}` })) });
    expect(r.statusCode, r.body).toBe(200);
    const lead = (await leadOf('ada@cloudly.example'))!;
    expect(lead.stage).toBe('mql');
    const history = await historyOf(lead.id);
    expect(history.map((h) => [h.to, h.at])).toEqual([['inquiry', at('07:00').toISOString()], ['mql', at('11:00').toISOString()]]);
    expect(history[1]!.definition_id).toBe(activeId);
    expect(await enrollmentsOf(lead.id)).toEqual([expect.objectContaining({ status: 'exited', exit_reason: 'became_mql', origin: 'live_inquiry' })]);
    // No more nurture email once sales has her.
    t.clock.set(at('23:00'));
    expect(await runDueNurture(jobDeps(), new Date('2026-03-20T12:00:00Z'))).toEqual({ processed: 0, sent: 0 });
    expect(catcher.mails).toHaveLength(1);
  });
});

describe('reports over the day', () => {
  it('the funnel has a non-zero inquiry stage matching the journeys: 3 leads, 1 MQL, 4 hours in inquiry', async () => {
    const r = json(await t.api('GET', `/api/v1/reports/funnel?from=${day}&to=${day}`));
    const total = r.rows.find((x: { group: string }) => x.group === 'total');
    expect(total).toMatchObject({ leads: 3, mql: 1 });
    expect(total.lead_to_mql).toBeCloseTo(1 / 3, 2);
    const inquiry = r.velocity.find((v: { stage: string }) => v.stage === 'inquiry');
    // Ada's completed inquiry stay: 07:00 → 11:00.
    expect(inquiry).toMatchObject({ stays: 1 });
    expect(inquiry.median_days).toBeCloseTo(4 / 24, 3);
    expect(r.definition_versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('the nurture report shows the enrolment came from a live inquiry', async () => {
    const r = json(await t.api('GET', '/api/v1/reports/nurture'));
    const track = r.tracks.find((x: { name: string }) => x.name === 'Ebook readers from LinkedIn');
    expect(track).toMatchObject({ entered: 1, entered_by_origin: { live_inquiry: 1 }, exited_by_reason: { became_mql: 1 }, mql: 1 });
    expect(r.tracks.find((x: { name: string }) => x.name === 'Google people')).toMatchObject({ entered: 0, entered_by_origin: {} });
  });

  it('a backtest of the active definition over the day reports the inquiries live traffic opened', async () => {
    const draft = await t.api('POST', '/api/v1/definitions', { document: { ...defaultDefinition, name: 'Starter v2' } }, keys.marketing);
    expect(draft.statusCode, draft.body).toBe(201);
    const v2 = json(draft).id as string;
    const bt = await t.api('POST', `/api/v1/definitions/${v2}/backtest`, { from: `${day}T00:00:00Z`, to: '2026-03-03T00:00:00Z' });
    expect(bt.statusCode, bt.body).toBe(200);
    const { active, proposal } = json(bt);
    const live = (json(await t.api('GET', '/api/v1/leads')).data as unknown[]).length;
    expect(active).toMatchObject({ version: 1, inquiries: live, inquiriesToMql: 1, mqls: 1 });
    expect(proposal.inquiries).toBe(live);
  });

  it('rejections and SLA figures stay under the version that made the MQL after v2 is activated', async () => {
    const lead = (await leadOf('ada@cloudly.example'))!;
    const rejected = await t.api('POST', `/api/v1/leads/${lead.id}/reject`, { reason_code: 'not_ready', note: 'next quarter' });
    expect(rejected.statusCode, rejected.body).toBe(201);
    const v2 = (json(await t.api('GET', '/api/v1/definitions')).data as { id: string; version: number }[]).find((d) => d.version === 2)!.id;
    expect((await t.api('POST', `/api/v1/definitions/${v2}/backtest`, {}, keys.marketing)).statusCode).toBe(200);
    expect((await t.api('POST', `/api/v1/definitions/${v2}/propose`, undefined, keys.marketing)).statusCode).toBe(200);
    const manager = await t.newKey(['write'], t.users.manager.id);
    for (const key of [keys.marketing, manager]) { const ap = await t.api('POST', `/api/v1/definitions/${v2}/approvals`, { decision: 'approve' }, key); expect(ap.statusCode, ap.body).toBe(200); }
    expect((await t.api('POST', `/api/v1/definitions/${v2}/activate`, undefined, keys.marketing)).statusCode).toBe(200);
    // The worker runs the recompute activation enqueued (it rewrites lead.definition_id on open leads).
    await drainJobs(t.pool, jobDeps());
    // Activation moved the open (nurtured) lead to v2: grouping by lead.definition_id would file the rejection under v2.
    expect((await leadOf('ada@cloudly.example'))!.definition_id).toBe(v2);
    const r = json(await t.api('GET', `/api/v1/reports/rejections?from=${day}T00:00:00Z&to=2026-03-03T00:00:00Z`));
    expect(r.by_definition_version).toEqual([expect.objectContaining({ value: '1', reason_code: 'not_ready', count: 1 })]);
    const sla = json(await t.api('GET', `/api/v1/reports/sla?from=${day}T00:00:00Z&to=2026-03-03T00:00:00Z`));
    // SLA figures by version: Ada's clock ran for the MQL v1 decided.
    expect(sla.by_definition_version).toEqual([expect.objectContaining({ version: '1', received: 1, rejected: 1 })]);
    expect(r.by_source).toEqual([expect.objectContaining({ value: 'linkedin', count: 1 })]);
  });

  it('the funnel by definition version: the MQL v1 decided stays under v1 after v2 is active, a new MQL counts under v2', async () => {
    t.clock.set(at('23:30'));
    expect((await form('demo-request', { email: 'fay@cloudly.example', first_name: 'Fay', title: 'VP Sales' })).statusCode).toBe(200);
    const fay = (await leadOf('fay@cloudly.example'))!;
    expect(fay.stage).toBe('mql');
    const r = json(await t.api('GET', `/api/v1/reports/funnel?from=${day}&to=${day}&by=definition_version`));
    expect(r.filters.by).toBe('definition_version');
    const rows = Object.fromEntries((r.rows as { group: string; leads: number; mql: number }[]).map((x) => [x.group, { leads: x.leads, mql: x.mql }]));
    // Ada's MQL (11:00, v1; rejected to nurture, her open lead since moved to v2) stays under v1; Ben and Dan never reached MQL.
    expect(rows).toEqual({ '1': { leads: 1, mql: 1 }, '2': { leads: 1, mql: 1 }, '(not mql)': { leads: 2, mql: 0 }, total: { leads: 4, mql: 2 } });
    expect(r.definition_versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(r.notes.join(' ')).toMatch(/first → mql transition/);
    // An unknown grouping is a 400 naming what is allowed.
    const bad = await t.api('GET', `/api/v1/reports/funnel?from=${day}&to=${day}&by=definition`);
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.body).toContain('definition_version');
  });
});
