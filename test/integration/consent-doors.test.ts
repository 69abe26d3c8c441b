import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { mayContact } from '../../src/core/consent.rules.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { MONDAY_9, createRep, expectStatus, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { activitiesOf, contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Every door writes consent in the one core shape, through the one rule; senders obey the one read. */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'Leadloop <alerts@leadloop.test>');
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const RECORD_KEYS = ['at', 'basis', 'source', 'status'];

function upload(csv: string, preset: string) {
  const boundary = '----consent-boundary';
  const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n--${boundary}\r\nContent-Disposition: form-data; name="preset"\r\n\r\n${preset}\r\n`
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`);
  return t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${t.keys.write}` } });
}

describe('every door writes the same shape', () => {
  it('form, identify, CSV (HubSpot, Salesforce) and REST all store a refusal as {status, source, at, basis} that mayContact refuses', async () => {
    const form = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/ebook/submissions?key=${t.keys.ingest}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=door-form%40acme.example&consent_email=no&consent_marketing=no',
    });
    expect(form.statusCode).toBe(200);
    expect((await segment(t, '/v1/identify', { userId: 'door-id', traits: { email: 'door-identify@acme.example', consent: { email: 'no' } } })).statusCode).toBe(200);
    const hub = await upload('Record ID,Email,First Name,Unsubscribed from all email,Marketing contact status\n901,door-hubspot@acme.example,Hu,true,Marketing contact\n', 'hubspot');
    expect(hub.statusCode, hub.body).toBeLessThan(300);
    const sf = await upload('Contact ID,Email,First Name,HasOptedOutOfEmail,DoNotCall\n003000000000901,door-sf@acme.example,Sal,1,0\n', 'salesforce');
    expect(sf.statusCode, sf.body).toBeLessThan(300);
    expect((await t.api('POST', '/api/v1/contacts', { email: 'door-rest@acme.example', consent: { email_marketing: 'refused' } })).statusCode).toBe(201);

    const expected = {
      'door-form@acme.example': 'form:ebook', 'door-identify@acme.example': 'segment:identify', 'door-hubspot@acme.example': 'csv:hubspot',
      'door-sf@acme.example': 'csv:salesforce', 'door-rest@acme.example': 'api',
    };
    for (const [email, source] of Object.entries(expected)) {
      const c = (await contactByEmail(t, email))!;
      expect(Object.keys(c.consent.email_marketing).sort(), email).toEqual(RECORD_KEYS);
      expect(c.consent.email_marketing, email).toMatchObject({ status: 'refused', source, basis: 'consent' });
      expect(mayContact(c.consent, 'email_marketing'), email).toMatchObject({ allowed: false, reason: 'refused' });
    }
    // Opt-out flags are consent, not custom attributes; a false flag says nothing.
    const sfContact = (await contactByEmail(t, 'door-sf@acme.example'))!;
    expect(sfContact.attributes).not.toHaveProperty('hasoptedoutofemail');
    expect(sfContact.consent.sales_call).toBeUndefined();
    expect((await contactByEmail(t, 'door-hubspot@acme.example'))!.attributes).not.toHaveProperty('unsubscribed_from_all_email');
  });

  it('REST refuses unreadable consent with where and how, and writes nothing', async () => {
    const r = await t.api('POST', '/api/v1/contacts', { email: 'door-bad@acme.example', consent: { email_marketing: 'maybe', horoscope: true } });
    expect(r.statusCode).toBe(400);
    expect(json(r).error.details ?? json(r).details ?? r.body).toBeTruthy();
    expect(r.body).toContain('consent.email_marketing');
    expect(r.body).toContain('consent.horoscope');
    expect(await contactByEmail(t, 'door-bad@acme.example')).toBeUndefined();
  });

  it('newest wins through the Segment door: a late, older grant does not undo a newer refusal; a newer grant does', async () => {
    const email = 'door-late@acme.example';
    const identify = (granted: boolean, timestamp: string, messageId: string) =>
      segment(t, '/v1/identify', { userId: 'door-late', messageId, timestamp, traits: { email, consent: { email_marketing: granted } } });
    expect((await identify(false, '2031-03-03T08:00:00Z', 'late-1')).statusCode).toBe(200);
    expect((await identify(true, '2031-03-03T07:00:00Z', 'late-2')).statusCode).toBe(200);
    expect((await contactByEmail(t, email))!.consent.email_marketing).toMatchObject({ status: 'refused', at: '2031-03-03T08:00:00.000Z' });
    expect((await identify(true, '2031-03-03T08:30:00Z', 'late-3')).statusCode).toBe(200);
    expect((await contactByEmail(t, email))!.consent.email_marketing).toMatchObject({ status: 'granted', at: '2031-03-03T08:30:00.000Z' });
  });
});

describe('readers obey it', () => {
  it('a person who refused tracking is not profiled: their page views are not stored; others are', async () => {
    expect((await segment(t, '/v1/identify', { anonymousId: 'no-track', traits: { email: 'notrack@acme.example', consent: { tracking: false } } })).statusCode).toBe(200);
    expect((await segment(t, '/v1/identify', { anonymousId: 'yes-track', traits: { email: 'track@acme.example', consent: { tracking: true } } })).statusCode).toBe(200);
    for (const id of ['no-track', 'yes-track']) {
      const r = await segment(t, '/v1/batch', { batch: [
        { type: 'page', anonymousId: id, properties: { url: 'https://acme.example/pricing' } },
        { type: 'track', anonymousId: id, event: 'Demo Requested' },
      ] });
      expect(r.statusCode).toBe(200);
    }
    const types = async (email: string) => (await activitiesOf(t, (await contactByEmail(t, email))!.id)).map((a) => a.type).sort();
    expect(await types('notrack@acme.example')).not.toContain('page_view');
    expect((await types('notrack@acme.example')).length).toBe(1); // the hand-raise is kept
    expect(await types('track@acme.example')).toContain('page_view');
  });

  it('the rep still gets the alert, opening with "do not email" when the person refused sales email', async () => {
    await createRep(t, 'Rex');
    await useRoundRobin(t);
    const refuser = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'nosales@buyer.example', first_name: 'No', consent: { sales_email: 'no' } }), 201);
    const fine = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'yessales@buyer.example', first_name: 'Yes' }), 201);
    for (const c of [refuser, fine]) {
      const lead = await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: c.id }), 201);
      await moveLead(t, lead.id, { to: 'mql', note: `MQL for ${c.first_name}` });
    }
    const ran = await runDueJobs({ ...t.deps, mailer, publicUrl: 'https://leadloop.example', webhookTimeoutMs: 1000 }, t.clock.now(), { tasks: ['deliver-alert'] });
    expect(ran.length).toBe(2);
    const mails = catcher.mails.filter((m) => m.to.includes('Rex@acme.test') || m.to.includes('rex@acme.test'));
    expect(mails).toHaveLength(2);
    const flagged = mails.filter((m) => m.subject.includes('[do not email]'));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.text).toMatch(/^DO NOT EMAIL this person: they refused sales email \(api, 2031-03-03\)/);
    expect(flagged[0]!.text).toContain('MQL for No');
    expect(mails.find((m) => !m.subject.includes('[do not email]'))!.text).not.toContain('DO NOT EMAIL');
  });
});
