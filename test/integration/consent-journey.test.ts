import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { sweepNurtureEnrollments } from '../../src/app/nurture/nurture-enrollment.ts';
import type { NurtureDeps } from '../../src/app/nurture/nurture-settings.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { activitiesOf, contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Consent obeyed end to end, entering only through public doors: the forms endpoint, the Segment
 * API, the REST API (leads, nurture tracks and enrollments), the links in the email. Email goes
 * through a real SMTP server process; time passes on the simulated clock (never sleeps).
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let deps: NurtureDeps;
const PUBLIC = 'http://localhost:3000';
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'Acme Content <content@acme.test>');
  deps = { ...t.deps, mailer, publicUrl: PUBLIC };
  expect((await t.api('POST', '/api/v1/content', { title: 'Why pipelines leak', url: 'https://acme.test/leak', buying_stage: 'awareness', format: 'article' })).statusCode).toBe(201);
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const mailsTo = (email: string): CaughtMail[] => catcher.mails.filter((m) => m.to.includes(email));
const form = (formId: string, fields: Record<string, string>) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/${formId}/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
});
const enroll = (trackId: string, leadId: string) => t.api('POST', `/api/v1/nurture/tracks/${trackId}/enrollments`, { lead_id: leadId });
const enrollmentOf = async (leadId: string) => json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${leadId}`)).data as any[];

/** Days pass: the enroll sweep and due nurture ticks run each day, as the cron would. */
async function liveDays(days: number) {
  for (let i = 0; i < days; i++) {
    t.clock.advance(DAY);
    await sweepNurtureEnrollments(deps, t.clock.now(), { workspaceId: t.workspace.id });
    await runDueNurture(deps, t.clock.now(), { workspaceId: t.workspace.id });
  }
}

async function track(name: string, persona: string, steps: unknown[]) {
  const r = await t.api('POST', '/api/v1/nurture/tracks', { name, entry: { personas: [persona] }, steps });
  expect(r.statusCode, r.body).toBe(201);
  return json(r).id as string;
}
const send = (subject: string) => ({ type: 'send_email', subject, template: 'Hi {{first_name}},\n\n{{asset_title}}: {{asset_link}}\n\nAcme' });
const wait = (business_days: number) => ({ type: 'wait', business_days });

describe('consent journey', () => {
  it('refused at the form → no email ever and no page views profiled; granted later → enrolled and emailed; unsubscribe link → stopped', async () => {
    const trackId = await track('Welcome', 'ops', [send('Welcome: {{asset_title}}'), wait(3), send('More: {{asset_title}}'), wait(3), send('Last: {{asset_title}}')]);
    const email = 'rita@refuses.test';

    // 1. The form: email and marketing consent both refused, tracking refused.
    const first = await form('ebook', { email, first_name: 'Rita', persona: 'ops', consent_email: 'no', consent_marketing: 'no', consent_tracking: 'no', _anonymous_id: 'rita-browser' });
    expect(first.statusCode, first.body).toBe(200);
    const contact = (await contactByEmail(t, email))!;
    expect(contact.consent).toMatchObject({ email_marketing: { status: 'refused', source: 'form:ebook' }, tracking: { status: 'refused' } });
    expect((await t.api('PATCH', `/api/v1/contacts/${contact.id}`, { attributes: { persona: 'ops' } })).statusCode).toBe(200);
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));

    // Tracked only as consent allows: her browser's page views are acknowledged but not stored on her profile.
    expect((await segment(t, '/v1/page', { anonymousId: 'rita-browser', properties: { url: 'https://acme.test/pricing' } })).statusCode).toBe(200);
    expect((await activitiesOf(t, contact.id)).map((a) => a.type)).toEqual(['form_submit']);

    // No email ever: the enrollment API refuses, the sweep leaves her alone, days pass.
    const refused = await enroll(trackId, lead.id);
    expect(refused.statusCode, refused.body).toBe(409);
    await liveDays(10);
    expect(await enrollmentOf(lead.id)).toEqual([]);
    expect(mailsTo(email)).toHaveLength(0);

    // 2. Later she ticks the box on another form: a newer grant, which enrols her open lead in the same request
    // (MarketingEmailAllowed from the forms door, origin consent), not at the next enroll sweep.
    expect((await form('webinar', { email, consent_marketing: 'on' })).statusCode).toBe(200);
    expect((await contactByEmail(t, email))!.consent).toMatchObject({ email_marketing: { status: 'granted', source: 'form:webinar' }, tracking: { status: 'refused' } });
    expect((await enrollmentOf(lead.id)).map((e: { track_id: string; status: string; origin: string }) => [e.track_id, e.status, e.origin])).toEqual([[trackId, 'active', 'consent']]);
    // A second form with the same grant changes nothing: no second announcement, no second enrollment.
    expect((await form('webinar', { email, consent_marketing: 'on' })).statusCode).toBe(200);
    expect(await enrollmentOf(lead.id)).toHaveLength(1);
    await liveDays(1);
    const mails = mailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual(['Welcome: Why pipelines leak']);

    // 3. The unsubscribe link in that email (RFC 8058 one-click POST): stopped, nothing more.
    const target = /^<http:\/\/localhost:3000(\/u\/[^>]+)>$/.exec(mails[0]!.headers.get('list-unsubscribe')!)![1]!;
    const unsub = await t.app.inject({ method: 'POST', url: target, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(unsub.statusCode).toBe(200);
    const after = (await contactByEmail(t, email))!;
    expect(after.consent.email_marketing).toMatchObject({ status: 'withdrawn', source: 'unsubscribe_link' });
    expect((await enrollmentOf(lead.id))[0]).toMatchObject({ status: 'exited', exit_reason: 'unsubscribed' });
    await liveDays(15);
    expect(mailsTo(email)).toHaveLength(1);
    expect((await enroll(trackId, lead.id)).statusCode).toBe(409);
  });

  it('a refusal recorded while a tick is queued stops that send at send time', async () => {
    const trackId = await track('Slow start', 'finance', [wait(2), send('First: {{asset_title}}')]);
    const email = 'ben@changes.test';
    expect((await form('newsletter', { email, first_name: 'Ben', consent_marketing: 'yes' })).statusCode).toBe(200);
    const contact = (await contactByEmail(t, email))!;
    await t.api('PATCH', `/api/v1/contacts/${contact.id}`, { attributes: { persona: 'finance' } });
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
    expect((await enroll(trackId, lead.id)).statusCode).toBeLessThan(300);
    await liveDays(1); // the tick now waits for the send step
    expect((await enrollmentOf(lead.id))[0]).toMatchObject({ status: 'active' });

    // He withdraws through an identify (Segment's consent context) his consent manager syncs from the
    // server, after the tick was queued. (A public browser key cannot undo the form's grant: ingest-key-kinds.test.ts.)
    const serverKey = await t.newKey(['ingest:server']);
    const identify = await segment(t, '/v1/identify', { userId: 'ben-1', traits: { email }, context: { consent: { categoryPreferences: { Marketing: false, Analytics: true } } } }, { key: serverKey });
    expect(identify.statusCode).toBe(200);
    await liveDays(5);
    expect(mailsTo(email)).toHaveLength(0);
    expect((await enrollmentOf(lead.id))[0]).toMatchObject({ status: 'exited', exit_reason: 'no_consent' });
  });

  it('after an unsubscribe, the preference centre opts back in: a newer grant enrols the lead in the next track at once, and it is emailed again', async () => {
    const first = await track('Ops digest', 'people', [send('Digest: {{asset_title}}')]);
    const guide = json(await t.api('POST', '/api/v1/content', { title: 'Closing the loop', url: 'https://acme.test/loop', buying_stage: 'interest', format: 'article' })).id as string;
    const second = await track('Ops digest 2', 'people', [{ ...send('Digest 2: {{asset_title}}'), content: { asset_id: guide } }]);
    const email = 'cy@returns.test';
    expect((await form('signup', { email, first_name: 'Cy', consent: 'on' })).statusCode).toBe(200);
    const contact = (await contactByEmail(t, email))!;
    await t.api('PATCH', `/api/v1/contacts/${contact.id}`, { attributes: { persona: 'people' } });
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
    expect((await enroll(first, lead.id)).statusCode).toBeLessThan(300);
    await liveDays(1);
    const [mail] = mailsTo(email);
    const token = /\/preferences\/([A-Za-z0-9_.-]+)/.exec(mail!.text + mail!.html)![1]!;
    expect((await t.app.inject({ method: 'POST', url: `/u/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode).toBe(200);
    expect((await enroll(second, lead.id)).statusCode).toBe(409);

    t.clock.advance(3_600_000); // an hour later she changes her mind (at the same instant a withdrawal would win)
    const back = await t.app.inject({ method: 'POST', url: `/preferences/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'group=email_marketing&choice=granted' });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('You receive our content emails again.');
    expect(back.body).toMatch(/id="purpose-email_marketing">Marketing email<\/h2>.*?data-state="allowed"/);
    const after = (await contactByEmail(t, email))!;
    expect(after.consent.email_marketing).toMatchObject({ status: 'granted', source: 'preference_centre' });
    expect(after).toMatchObject({ unsubscribed_at: null });
    // The grant itself enrols the open lead in the fitting track it has not been through (MarketingEmailAllowed).
    const active = (await enrollmentOf(lead.id)).filter((e: { status: string }) => e.status === 'active');
    expect(active.map((e: { track_id: string; origin: string }) => [e.track_id, e.origin])).toEqual([[second, 'consent']]);
    await liveDays(1);
    expect(mailsTo(email).map((m) => m.subject)).toEqual(['Digest: Why pipelines leak', 'Digest 2: Closing the loop']);
  });
});
