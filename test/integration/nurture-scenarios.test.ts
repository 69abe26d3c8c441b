import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { sweepNurtureEnrollments } from '../../src/app/nurture/nurture-enrollment.ts';
import type { NurtureDeps } from '../../src/app/nurture/nurture-settings.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';

let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let deps: NurtureDeps;
const PUBLIC = 'http://localhost:3000';
const DAY = 86_400_000;
const json = (r: { body: string }) => JSON.parse(r.body);

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'Acme Content <content@acme.test>');
  deps = { ...t.deps, mailer, publicUrl: PUBLIC };
  const asset = async (title: string, stage: string, slug: string) =>
    json(await t.api('POST', '/api/v1/content', { title, url: `https://acme.test/${slug}`, buying_stage: stage, format: 'article' })).id as string;
  assets.a1 = await asset('Why pipelines leak', 'awareness', 'leak');
  assets.a2 = await asset('Five signs of a broken funnel', 'awareness', 'signs');
  assets.i1 = await asset('How closed-loop reporting works', 'interest', 'closed-loop');
  assets.c1 = await asset('Vendor comparison checklist', 'consideration', 'checklist');
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const assets: Record<string, string> = {};
const mailsTo = (email: string): CaughtMail[] => catcher.mails.filter((m) => m.to.includes(email));
const linkOf = (mail: CaughtMail, kind: 'r' | 'u' | 'o' | 'preferences') => {
  const m = new RegExp(`${PUBLIC}/${kind}/([A-Za-z0-9_.-]+)`).exec(mail.text + mail.html);
  if (!m) throw new Error(`no /${kind}/ link in ${mail.subject}`);
  return `/${kind}/${m[1]}`;
};

/** Advances the simulated clock day by day, running due nurture work each day (never sleeps). */
async function liveDays(days: number) {
  for (let i = 0; i < days; i++) {
    t.clock.advance(DAY);
    await sweepNurtureEnrollments(deps, t.clock.now(), { workspaceId: t.workspace.id });
    await runDueNurture(deps, t.clock.now(), { workspaceId: t.workspace.id });
  }
}

async function personWithLead(email: string, persona: string, extra: Record<string, unknown> = {}) {
  const contact = json(await t.api('POST', '/api/v1/contacts', { email, first_name: 'Ada', attributes: { persona }, ...extra }));
  const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
  return { contactId: contact.id as string, leadId: lead.id as string };
}

/** Each scenario's track targets its own persona, so scenarios sharing the workspace stay apart. */
async function track(name: string, persona: string, steps: unknown[], more: { entry?: Record<string, unknown>; [k: string]: unknown } = {}) {
  const { entry, ...rest } = more;
  const r = await t.api('POST', '/api/v1/nurture/tracks', { name, entry: { personas: [persona], ...entry }, steps, ...rest });
  expect(r.statusCode, r.body).toBe(201);
  return json(r).id as string;
}

const send = (subject: string) => ({ type: 'send_email', subject, template: 'Hi {{first_name}},\n\nWe thought you would like {{asset_title}}: {{asset_link}}\n\nAcme' });
const wait = (business_days: number) => ({ type: 'wait', business_days });
const enrollmentOf = async (leadId: string) => json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${leadId}`)).data as any[];
const move = (leadId: string, body: Record<string, unknown>) => t.api('POST', `/api/v1/leads/${leadId}/transitions`, body);

describe('a cold lead is nurtured to MQL', () => {
  it('enters the track, gets stage-appropriate content over weeks, clicks, becomes MQL and exits', async () => {
    await track('Cold welcome', 'ops', [send('Week 1: {{asset_title}}'), wait(5), { type: 'branch', if: 'clicked', then: 3, else: 5 }, send('Next step: {{asset_title}}'), wait(5), send('More: {{asset_title}}'), wait(5)], { entry: { ratings: ['cold'] } });
    const { contactId, leadId } = await personWithLead('ada@ops.test', 'ops');
    await liveDays(1);
    const [enrollment] = await enrollmentOf(leadId);
    expect(enrollment).toMatchObject({ status: 'active' });
    const first = mailsTo('ada@ops.test');
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toBe('Week 1: Why pipelines leak'); // nothing consumed yet → the first awareness asset
    expect(first[0]!.headers.get('list-unsubscribe')).toMatch(new RegExp(`^<${PUBLIC}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+>$`));
    expect(first[0]!.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(first[0]!.text).not.toContain(assets.a1!); // links are signed tokens, not raw ids
    expect(first[0]!.text).not.toContain('https://acme.test/leak'); // the asset is reached only through the tracked redirect

    const pixel = await t.app.inject({ method: 'GET', url: `${linkOf(first[0]!, 'o')}` });
    expect(pixel.statusCode).toBe(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    const click = await t.app.inject({ method: 'GET', url: linkOf(first[0]!, 'r') });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://acme.test/leak');
    const forged = await t.app.inject({ method: 'GET', url: linkOf(first[0]!, 'r').slice(0, -2) + 'xx' });
    expect(forged.statusCode).toBe(404);
    const acts = json(await t.api('GET', `/api/v1/contacts/${contactId}/activities`)).data as any[];
    expect(acts.map((a) => a.type)).toEqual(expect.arrayContaining(['email_sent', 'email_open', 'email_click', 'content_view']));
    expect(acts.find((a) => a.type === 'content_view').content_id).toBe(assets.a1);

    // Captured from the website meanwhile: the person read an interest-stage piece.
    await insertActivity(t.db, t.workspace.id, { contactId, type: 'content_view', occurredAt: t.clock.now(), source: null, medium: null, campaignId: null, utmCampaign: null, contentId: assets.i1!, url: 'https://acme.test/closed-loop', referrer: null, eventName: null, properties: {}, actorUserId: null, idempotencyKey: null });
    await liveDays(4);
    expect(mailsTo('ada@ops.test')).toHaveLength(1); // 5 business days have not passed
    await liveDays(3);
    const second = mailsTo('ada@ops.test');
    expect(second).toHaveLength(2);
    // Clicked → the branch took step 3; interest is consumed, so the track moves them forward.
    expect(second[1]!.subject).toBe('Next step: Vendor comparison checklist');

    const mql = await move(leadId, { to: 'mql' });
    expect(mql.statusCode, mql.body).toBe(201);
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'exited', exit_reason: 'became_mql' });
    await liveDays(21);
    expect(mailsTo('ada@ops.test')).toHaveLength(2);
  });
});

describe('sales hands and recycling', () => {
  it('a lead in sales is paused, and resumed on recycle from its recheck date', async () => {
    await track('Long nurture', 'finance', [send('One: {{asset_title}}'), wait(3), send('Two: {{asset_title}}'), wait(3)], { exit: { stages: ['won'] } });
    const { leadId } = await personWithLead('bo@finance.test', 'finance');
    await liveDays(1);
    expect(mailsTo('bo@finance.test')).toHaveLength(1);
    expect((await move(leadId, { to: 'mql' })).statusCode).toBe(201);
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'paused', next_run_at: null });
    expect((await move(leadId, { to: 'sal' })).statusCode).toBe(201);
    await liveDays(14);
    expect(mailsTo('bo@finance.test')).toHaveLength(1);
    const recheck = new Date(t.clock.now().getTime() + 10 * DAY);
    const back = await move(leadId, { to: 'nurture', reason_code: 'not_ready', recheck_at: recheck.toISOString() });
    expect(back.statusCode, back.body).toBe(201);
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'active', next_run_at: recheck.toISOString() });
    await liveDays(9);
    expect(mailsTo('bo@finance.test')).toHaveLength(1);
    await liveDays(2);
    expect(mailsTo('bo@finance.test')).toHaveLength(2);
    expect(mailsTo('bo@finance.test')[1]!.subject).toMatch(/^Two: /);
  });

  it('a recycled lead with reason no_budget enters the track mapped to it, after its recheck date', async () => {
    await track('General', 'it', [send('General: {{asset_title}}'), wait(5)], { priority: 10 });
    const budgetTrack = await track('Budget comes back', 'it', [send('Budget: {{asset_title}}'), wait(5)], { entry: { recycled_reasons: ['no_budget'], stages: ['nurture'] } });
    const { leadId } = await personWithLead('cy@it.test', 'it');
    // Qualified before the sweep ran, so never nurtured; then sales recycles it.
    expect((await move(leadId, { to: 'mql' })).statusCode).toBe(201);
    const recheck = new Date(t.clock.now().getTime() + 7 * DAY);
    expect((await move(leadId, { to: 'nurture', reason_code: 'no_budget', recheck_at: recheck.toISOString() })).statusCode).toBe(201);
    const [e] = await enrollmentOf(leadId);
    expect(e).toMatchObject({ track_id: budgetTrack, status: 'active', next_run_at: recheck.toISOString() });
    await liveDays(6);
    expect(mailsTo('cy@it.test')).toHaveLength(0);
    await liveDays(2);
    expect(mailsTo('cy@it.test').map((m) => m.subject)).toEqual([expect.stringMatching(/^Budget: /)]);
  });
});

describe('one voice per person', () => {
  it('at most 2 emails in any 7 days across steps, and one track at a time', async () => {
    const burst = await track('Burst', 'hr', [send('B1 {{asset_title}}'), send('B2 {{asset_title}}'), send('B3 {{asset_title}}'), wait(10)]);
    const other = await track('Other', 'hr', [send('Other {{asset_title}}'), wait(5)], { priority: -5 });
    const { leadId } = await personWithLead('di@hr.test', 'hr');
    const start = t.clock.now().getTime();
    await liveDays(1);
    expect(mailsTo('di@hr.test').map((m) => m.subject.slice(0, 2))).toEqual(['B1', 'B2']);
    const [e] = await enrollmentOf(leadId);
    expect(e.track_id).toBe(burst); // the higher priority wins
    const again = await t.api('POST', `/api/v1/nurture/tracks/${other}/enrollments`, { lead_id: leadId });
    expect(again.statusCode).toBe(409);
    await liveDays(5);
    expect(mailsTo('di@hr.test')).toHaveLength(2);
    await liveDays(3);
    expect(mailsTo('di@hr.test')).toHaveLength(3);
    const sent = (await t.db.selectFrom('nurture_send').select(['at', 'status']).where('contact_id', '=', e.contact_id).execute()).filter((s) => s.status === 'sent').map((s) => s.at.getTime());
    for (const at of sent) expect(sent.filter((x) => x >= at && x < at + 7 * DAY).length).toBeLessThanOrEqual(2);
    expect(sent[2]! - sent[0]!).toBeGreaterThanOrEqual(7 * DAY);
    expect(sent[0]! - start).toBeLessThanOrEqual(DAY);
    expect(await enrollmentOf(leadId)).toHaveLength(1);
  });
});

describe('unsubscribe, consent and bounces', () => {
  it('one-click unsubscribe stops everything; the GET link alone does not unsubscribe', async () => {
    await track('Unsub', 'legal', [send('U1 {{asset_title}}'), wait(2), send('U2 {{asset_title}}'), wait(2)]);
    const { contactId, leadId } = await personWithLead('ed@legal.test', 'legal');
    await liveDays(1);
    const [mail] = mailsTo('ed@legal.test');
    const target = /^<http:\/\/localhost:3000(\/u\/[^>]+)>$/.exec(mail!.headers.get('list-unsubscribe')!)![1]!;
    const confirm = await t.app.inject({ method: 'GET', url: target });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<form method="post"');
    expect(json(await t.api('GET', `/api/v1/contacts/${contactId}`)).unsubscribed_at ?? null).toBeNull();
    const one = await t.app.inject({ method: 'POST', url: target, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(one.statusCode).toBe(200);
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'exited', exit_reason: 'unsubscribed' });
    const prefs = await t.app.inject({ method: 'GET', url: linkOf(mail!, 'preferences') });
    // The preference centre names the person only by a masked address, and shows marketing email stopped.
    expect(prefs.body).toContain('e•••@l•••.test');
    expect(prefs.body).not.toContain('ed@legal.test');
    expect(prefs.body).toMatch(/id="purpose-email_marketing">Marketing email<\/h2>.*?data-state="not_allowed"/);
    await liveDays(14);
    expect(mailsTo('ed@legal.test')).toHaveLength(1);
    expect((await t.api('POST', `/api/v1/nurture/tracks/${(await enrollmentOf(leadId))[0].track_id}/enrollments`, { lead_id: leadId })).statusCode).toBe(409);
  });

  it('withdrawn consent skips the send with the reason recorded and sends nothing', async () => {
    await track('Consent', 'sec', [wait(1), send('C1 {{asset_title}}')]);
    const { contactId, leadId } = await personWithLead('fa@sec.test', 'sec');
    await liveDays(1);
    await t.api('PATCH', `/api/v1/contacts/${contactId}`, { consent: { email: false } });
    await liveDays(3);
    expect(mailsTo('fa@sec.test')).toHaveLength(0);
    const sends = await t.db.selectFrom('nurture_send').select(['status', 'reason']).where('contact_id', '=', contactId).execute();
    expect(sends).toEqual([{ status: 'skipped', reason: 'no_consent' }]);
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'exited', exit_reason: 'no_consent' });
  });

  it('a 5xx SMTP rejection marks the send bounced and stops email to that person', async () => {
    await track('Bouncy', 'ceo', [send('X1 {{asset_title}}'), wait(2), send('X2 {{asset_title}}')]);
    const { contactId, leadId } = await personWithLead('bounce@ceo.test', 'ceo');
    await liveDays(1);
    const sends = await t.db.selectFrom('nurture_send').select(['status', 'reason']).where('contact_id', '=', contactId).execute();
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ status: 'bounced' });
    expect(sends[0]!.reason).toContain('550');
    expect((await enrollmentOf(leadId))[0]).toMatchObject({ status: 'exited', exit_reason: 'bounced' });
    expect(json(await t.api('GET', `/api/v1/contacts/${contactId}`)).consent.email_bounced_at).toBeTruthy();
    await liveDays(7);
    expect(await enrollmentOf(leadId)).toHaveLength(1);
  });
});

describe('nurture metrics', () => {
  it('per track and step, with time to sales-ready against leads never in a track (API and CLI agree)', async () => {
    const { leadId } = await personWithLead('gi@direct.test', 'nobody');
    t.clock.advance(2 * DAY);
    expect((await move(leadId, { to: 'mql' })).statusCode).toBe(201);
    const r = await t.api('GET', '/api/v1/reports/nurture');
    expect(r.statusCode, r.body).toBe(200);
    const report = json(r);
    const byName = (name: string) => report.tracks.find((x: any) => x.name === name);
    expect(byName('Cold welcome')).toMatchObject({ entered: 1, active: 0, exited_by_reason: { became_mql: 1 }, mql: 1, mql_conversion: 1, median_days_to_sales_ready: 8 });
    expect(byName('Cold welcome').steps).toEqual([
      expect.objectContaining({ step: 0, sent: 1, opened: 1, clicked: 1, unsubscribed: 0, open_rate: 1, click_rate: 1 }),
      expect.objectContaining({ step: 3, sent: 1, opened: 0, clicked: 0 }),
    ]);
    expect(byName('Unsub').steps[0]).toMatchObject({ sent: 1, unsubscribed: 1 });
    expect(byName('Unsub').exited_by_reason).toEqual({ unsubscribed: 1 });
    expect(byName('Bouncy')).toMatchObject({ entered: 1, exited_by_reason: { bounced: 1 } });
    expect(byName('Bouncy').steps[0]).toMatchObject({ sent: 0, bounced: 1 });
    expect(byName('Consent').steps[0]).toMatchObject({ step: 1, sent: 0, skipped: 1 });
    // Nurtured: ada (8 days to MQL), bo (1 day) → 4.5; never in a track: gi (2 days). cy became MQL before its track.
    expect(report.time_to_sales_ready).toEqual({ nurtured_median_days: 4.5, nurtured_leads: 2, not_nurtured_median_days: 2, not_nurtured_leads: 1 });

    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) => execFile('node', ['bin/leadloop.js', '--workspace', t.workspace.name, 'report', 'nurture', '--json'],
      { env: { ...process.env, DATABASE_URL: t.url, LEADLOOP_DEMO: '0', LOG_LEVEL: 'silent' }, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(report);
  }, 60_000);
});
