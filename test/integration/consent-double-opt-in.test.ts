import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { sweepNurtureEnrollments } from '../../src/app/nurture/nurture-enrollment.ts';
import type { NurtureDeps } from '../../src/app/nurture/nurture-settings.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Double opt-in and the preference centre, entering only through public doors: the settings API, the
 * forms endpoint, the worker's jobs (run on the simulated clock), the confirmation link and the
 * preference page as the person's browser requests them (GET, then the form's POST). Email goes through
 * a real SMTP server process.
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let deps: NurtureDeps;
const PUBLIC = 'http://localhost:3000';
const DAY = 86_400_000;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'Acme Content <content@acme.test>');
  deps = { ...t.deps, mailer, publicUrl: PUBLIC };
  expect((await t.api('POST', '/api/v1/content', { title: 'Why pipelines leak', url: 'https://acme.test/leak', buying_stage: 'awareness', format: 'article' })).statusCode).toBe(201);
  const track = await t.api('POST', '/api/v1/nurture/tracks', { name: 'Welcome', steps: [{ type: 'send_email', subject: 'Welcome: {{asset_title}}', template: 'Hi {{first_name}},\n\n{{asset_link}}' }, { type: 'wait', business_days: 2 }, { type: 'send_email', subject: 'More: {{asset_title}}', template: 'Again {{asset_link}}' }] });
  expect(track.statusCode, track.body).toBe(201);
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const mailsTo = (email: string): CaughtMail[] => catcher.mails.filter((m) => m.to.includes(email));
const form = (formId: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${formId}/submissions?key=${t.keys.ingest}`, headers: FORM, payload: new URLSearchParams(fields).toString(),
});
const history = async (contactId: string) => (json(await t.api('GET', `/api/v1/contacts/${contactId}/consent-history`)).data as { purpose: string; status: string; source: string; basis: string }[]);
/** Days pass: due jobs (confirmation emails), the enroll sweep and due nurture ticks run, as the worker and cron would. */
async function liveDays(days: number) {
  for (let i = 0; i < days; i++) {
    t.clock.advance(DAY);
    await runDueJobs(deps, t.clock.now(), { tasks: ['consent-confirmation'] });
    await sweepNurtureEnrollments(deps, t.clock.now(), { workspaceId: t.workspace.id });
    await runDueNurture(deps, t.clock.now(), { workspaceId: t.workspace.id });
  }
}
const linkIn = (mail: CaughtMail, prefix: string) => new RegExp(`${PUBLIC}(/${prefix}/[A-Za-z0-9_.-]+)`).exec(mail.text)![1]!;

describe('double opt-in for email marketing', () => {
  it('is off by default; marketing switches it on (audited), a sales rep may not', async () => {
    expect(json(await t.api('GET', '/api/v1/settings/consent'))).toEqual({ double_opt_in: false, confirm_within_days: 7 });
    const rep = await t.api('PATCH', '/api/v1/settings/consent', { double_opt_in: true }, await t.newKey(['write'], t.users.sales.id));
    expect(rep.statusCode, rep.body).toBe(403);
    expect(json(rep).error.message).toMatch(/Only marketing or an admin may change how consent is asked for/);
    const bad = await t.api('PATCH', '/api/v1/settings/consent', { confirm_within_days: 0 });
    expect(bad.statusCode).toBe(400);
    expect(json(await t.api('GET', '/api/v1/settings/consent')).double_opt_in).toBe(false);

    const on = await t.api('PATCH', '/api/v1/settings/consent', { double_opt_in: true }, await t.newKey(['write'], t.users.marketing.id));
    expect(on.statusCode, on.body).toBe(200);
    expect(json(on)).toEqual({ double_opt_in: true, confirm_within_days: 7 });
    const audit = json(await t.api('GET', '/api/v1/audit-log?action=consent_settings.changed')).data as any[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ before: { double_opt_in: false }, after: { double_opt_in: true, confirm_within_days: 7 } });
    expect(audit[0].actor.id ?? audit[0].actor_id).toBe(t.users.marketing.id);
  });

  it('form grant → pending, confirmation email (escaped, transactional) → no nurture → confirm → emailed → preference centre withdraws marketing only → no more email, tracking as it was', async () => {
    const email = 'ann@optin.test';
    const submitted = await form('ebook', { email, first_name: '<b>Ann</b>', consent_marketing: 'on', consent_tracking: 'on', _anonymous_id: 'ann-browser' });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const contact = (await contactByEmail(t, email))!;
    expect(contact.consent).toMatchObject({ email_marketing: { status: 'pending', source: 'form:ebook', basis: 'consent' }, tracking: { status: 'granted', source: 'form:ebook' } });
    // Marketing opens her lead (the test workspace has no active definition to open inquiries by itself).
    const lead = await t.api('POST', '/api/v1/leads', { contact_id: contact.id });
    expect(lead.statusCode, lead.body).toBe(201);

    // The worker sends the confirmation over SMTP: transactional (no unsubscribe header, no pixel), the name escaped.
    await liveDays(1);
    const [confirmation, ...others] = mailsTo(email);
    expect(others).toEqual([]);
    expect(confirmation!.subject).toBe('Please confirm your subscription');
    expect(confirmation!.headers.has('list-unsubscribe')).toBe(false);
    expect(confirmation!.html).toContain('Hi &lt;b&gt;Ann&lt;/b&gt;,');
    expect(confirmation!.html).not.toContain('<b>Ann');
    expect(confirmation!.html).not.toContain('/o/');

    // Pending: nurture never emails her, however many days pass.
    await liveDays(3);
    expect(mailsTo(email)).toHaveLength(1);
    expect(json(await t.api('GET', `/api/v1/nurture/enrollments?contact_id=${contact.id}`)).data).toEqual([]);

    // The browser opens the link (GET: a page with a button, nothing confirmed yet), then presses it (POST).
    const confirmPath = linkIn(confirmation!, 'consent/confirm');
    const shown = await t.app.inject({ method: 'GET', url: confirmPath });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('a•••@o•••.test');
    expect(shown.body).not.toContain(email);
    expect((await contactByEmail(t, email))!.consent.email_marketing.status).toBe('pending');
    const confirmedAt = t.clock.now().toISOString();
    const confirmed = await t.app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: '' });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');
    expect((await contactByEmail(t, email))!.consent.email_marketing).toEqual({ status: 'granted', source: 'confirmed:form:ebook', at: confirmedAt, basis: 'consent' });
    // A second press changes nothing.
    expect((await t.app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: '' })).body).toContain('Already confirmed');

    // Confirmed: she joins the track at once (no enroll sweep has run) and the first nurture email goes out.
    const enrolled = json(await t.api('GET', `/api/v1/nurture/enrollments?contact_id=${contact.id}`)).data;
    expect(enrolled.map((e: { status: string; origin: string }) => [e.status, e.origin])).toEqual([['active', 'consent']]);
    await runDueNurture(deps, t.clock.now(), { workspaceId: t.workspace.id });
    expect(mailsTo(email).map((m) => m.subject)).toEqual(['Please confirm your subscription', 'Welcome: Why pipelines leak']);
    await liveDays(1);
    const nurture = mailsTo(email).slice(1);
    expect(nurture.map((m) => m.subject)).toEqual(['Welcome: Why pipelines leak']);

    // The nurture email's preference link: she stops marketing email only.
    const prefsPath = linkIn(nurture[0]!, 'preferences');
    const page = await t.app.inject({ method: 'GET', url: prefsPath });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/id="purpose-email_marketing">Marketing email<\/h2>.*?data-state="allowed"/);
    expect(page.body).toMatch(/id="purpose-tracking">Tracking and profiling<\/h2>.*?data-state="allowed"/);
    const withdrawnAt = t.clock.now().toISOString();
    const withdrawn = await t.app.inject({ method: 'POST', url: prefsPath, headers: FORM, payload: 'group=email_marketing&choice=withdrawn' });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.body).toContain('No more marketing email will be sent to you.');
    expect(withdrawn.body).toMatch(/id="purpose-email_marketing">Marketing email<\/h2>.*?data-state="not_allowed"/);
    const after = (await contactByEmail(t, email))!;
    expect(after.consent.email_marketing).toEqual({ status: 'withdrawn', source: 'preference_centre', at: withdrawnAt, basis: 'consent' });
    expect(after.consent.tracking).toEqual(contact.consent.tracking);

    await liveDays(10);
    expect(mailsTo(email).map((m) => m.subject)).toEqual(['Please confirm your subscription', 'Welcome: Why pipelines leak']);

    // The contact's consent history shows every step with its source and legal basis.
    const marketing = (await history(contact.id)).filter((e) => e.purpose === 'email_marketing').map((e) => [e.status, e.source, e.basis]);
    expect(marketing).toEqual([['withdrawn', 'preference_centre', 'consent'], ['granted', 'confirmed:form:ebook', 'consent'], ['pending', 'form:ebook', 'consent']]);
    expect((await history(contact.id)).filter((e) => e.purpose === 'tracking').map((e) => e.status)).toEqual(['granted']);
  });

  it('every door\'s grant waits for confirmation: REST, a server identify, a CSV import', async () => {
    const created = await t.api('POST', '/api/v1/contacts', { email: 'rest@doors.test', consent: { email_marketing: true } });
    expect(created.statusCode, created.body).toBe(201);
    const identify = await segment(t, '/v1/identify', { userId: 'srv-1', traits: { email: 'ident@doors.test', consent: { newsletter: 'yes' } } }, { key: await t.newKey(['ingest:server']) });
    expect(identify.statusCode).toBe(200);
    const csv = 'Record ID,First Name,Email,Create Date,Consent Email\n901,Cee,csv@doors.test,2026-01-05 10:30,yes\n';
    const boundary = '----consent-doors';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${t.keys.write}` } });
    expect(imported.statusCode, imported.body).toBe(201);
    for (const [email, source] of [['rest@doors.test', 'api'], ['ident@doors.test', 'segment:identify'], ['csv@doors.test', /^csv:/]] as const) {
      const c = (await contactByEmail(t, email))!;
      expect(c.consent.email_marketing, email).toMatchObject({ status: 'pending', source });
    }
    await liveDays(1);
    for (const email of ['rest@doors.test', 'ident@doors.test', 'csv@doors.test']) expect(mailsTo(email).map((m) => m.subject), email).toEqual(['Please confirm your subscription']);
  });

  it('an unconfirmed request expires after the window: the link answers 410 and nothing is granted', async () => {
    const email = 'bo@late.test';
    expect((await form('newsletter', { email, consent: 'on' })).statusCode).toBe(200);
    await liveDays(1);
    const [mail] = mailsTo(email);
    const confirmPath = linkIn(mail!, 'consent/confirm');
    await liveDays(7);
    const late = await t.app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: '' });
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain('This link has expired');
    expect((await contactByEmail(t, email))!.consent.email_marketing.status).toBe('pending');
    expect(mailsTo(email)).toHaveLength(1);

    // Retention deletes the unconfirmed request 30 days after its link expired (not before); confirmed requests stay.
    const run = async () => json(await t.api('POST', '/api/v1/privacy/retention/run')).consent_requests as number;
    t.clock.advance(29 * DAY);
    await run(); // the other tests' older unconfirmed requests go; this one's link still says it expired
    expect((await t.app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: '' })).statusCode).toBe(410);
    t.clock.advance(2 * DAY);
    expect(await run()).toBe(1);
    expect((await t.app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: '' })).statusCode).toBe(404);
    expect((await contactByEmail(t, email))!.consent.email_marketing.status).toBe('pending');
    const ann = linkIn(mailsTo('ann@optin.test')[0]!, 'consent/confirm');
    expect((await t.app.inject({ method: 'GET', url: ann })).body).toContain('Already confirmed');
  });

  it('a grant through the preference centre needs no confirmation; an already confirmed person is not asked again', async () => {
    const email = 'cy@again.test';
    expect((await form('ebook', { email, consent_marketing: 'yes' })).statusCode).toBe(200);
    await liveDays(1);
    const [mail] = mailsTo(email);
    const prefsPath = linkIn(mail!, 'preferences');
    // Sales opened a lead for her meanwhile; while her grant is pending no track takes her.
    const lead = await t.api('POST', '/api/v1/leads', { contact_id: (await contactByEmail(t, email))!.id });
    expect(lead.statusCode, lead.body).toBe(201);
    await liveDays(1);
    expect(json(await t.api('GET', `/api/v1/nurture/enrollments?contact_id=${json(lead).contact_id}`)).data).toEqual([]);
    const granted = await t.app.inject({ method: 'POST', url: prefsPath, headers: FORM, payload: 'group=email_marketing&choice=granted' });
    expect(granted.statusCode).toBe(200);
    const cy = (await contactByEmail(t, email))!;
    expect(cy.consent.email_marketing).toMatchObject({ status: 'granted', source: 'preference_centre' });
    // Her own grant enrols her open lead at once, as a confirmation does.
    const enrolled = json(await t.api('GET', `/api/v1/nurture/enrollments?contact_id=${cy.id}`)).data;
    expect(enrolled.map((e: { status: string; origin: string }) => [e.status, e.origin])).toEqual([['active', 'consent']]);
    // Another form grant re-states the confirmed grant: no new pending record, no second email.
    t.clock.advance(60_000);
    expect((await form('webinar', { email, consent_marketing: 'yes' })).statusCode).toBe(200);
    await liveDays(1);
    expect((await contactByEmail(t, email))!.consent.email_marketing.status).toBe('granted');
    expect(mailsTo(email).filter((m) => m.subject === 'Please confirm your subscription')).toHaveLength(1);
  });
});

describe('preference centre tokens', () => {
  it('an invalid, forged or wrong-kind token is a clear 404 page; a malformed choice is a 400 that changes nothing', async () => {
    for (const url of ['/preferences/nonsense', '/preferences/pAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', '/consent/confirm/cAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA']) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body).toContain('Link not found');
    }
    const email = 'di@tokens.test';
    expect((await form('ebook', { email, consent_marketing: 'yes', consent_tracking: 'no' })).statusCode).toBe(200);
    await liveDays(1);
    const [mail] = mailsTo(email);
    const prefsPath = linkIn(mail!, 'preferences');
    const confirmPath = linkIn(mail!, 'consent/confirm');
    // A confirmation token is not a preference token, and one changed character breaks the signature.
    expect((await t.app.inject({ method: 'GET', url: `/preferences/${confirmPath.split('/').at(-1)}` })).statusCode).toBe(404);
    const token = prefsPath.split('/').at(-1)!;
    const forged = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    expect((await t.app.inject({ method: 'POST', url: `/preferences/${forged}`, headers: FORM, payload: 'action=unsubscribe_all' })).statusCode).toBe(404);
    const before = (await contactByEmail(t, email))!.consent;
    const bad = await t.app.inject({ method: 'POST', url: prefsPath, headers: FORM, payload: 'group=everything&choice=maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Nothing was changed');
    expect((await contactByEmail(t, email))!.consent).toEqual(before);
    // Unsubscribe from all: both email purposes withdrawn, tracking untouched.
    const all = await t.app.inject({ method: 'POST', url: prefsPath, headers: FORM, payload: 'action=unsubscribe_all' });
    expect(all.statusCode).toBe(200);
    const after = (await contactByEmail(t, email))!.consent;
    expect(after).toMatchObject({ email_marketing: { status: 'withdrawn', source: 'preference_centre' }, sales_email: { status: 'withdrawn', source: 'preference_centre' } });
    expect(after.tracking).toEqual(before.tracking);
  });
});
