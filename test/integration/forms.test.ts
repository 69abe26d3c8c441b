import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, basic, contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('form submissions', () => {
  it('a plain HTML form (urlencoded, key in ?key=) is a form_submit that identifies the visitor and records consent', async () => {
    const r = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/contact-us/submissions?key=${t.keys.ingest}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://acme.example/contact?utm_source=bing&utm_medium=cpc&utm_campaign=forms' },
      payload: urlencoded({ email: ' Fay@Formco.example', first_name: 'Fay', company: 'Formco', message: 'Call me', consent_marketing: 'on', consent_sales: 'no', password: 'hunter2' }),
    });
    expect(r.statusCode).toBe(200);
    const body = json(r);
    const fay = (await contactByEmail(t, 'fay@formco.example'))!;
    expect(body).toEqual({ ok: true, contact_id: fay.id });
    expect(fay.first_name).toBe('Fay');
    expect(fay.consent).toMatchObject({
      email_marketing: { status: 'granted', source: 'form:contact-us', basis: 'consent' },
      sales_email: { status: 'refused', source: 'form:contact-us' }, sales_call: { status: 'refused' },
    });
    const [a] = await activitiesOf(t, fay.id);
    expect(a).toMatchObject({ type: 'form_submit', event_name: 'Form Submitted', source: 'bing', medium: 'cpc', utm_campaign: 'forms' });
    expect(a.properties.form_id).toBe('contact-us');
    expect(a.properties.fields).toEqual({ email: ' Fay@Formco.example', first_name: 'Fay', company: 'Formco', message: 'Call me' });
  });

  it('JSON with Bearer works, joins the snippet anonymous id history, and redirects with 303 when asked', async () => {
    await segment(t, '/v1/page', { anonymousId: 'form-visitor', properties: { url: 'https://acme.example/pricing' } });
    const r = await t.app.inject({
      method: 'POST', url: '/api/v1/forms/demo/submissions', headers: { authorization: `Bearer ${t.keys.ingest}`, referer: 'https://www.acme.example/contact' },
      payload: { email: 'gus@formco.example', _anonymous_id: 'form-visitor', _redirect: 'https://acme.example/thanks' },
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('https://acme.example/thanks');
    const gus = (await contactByEmail(t, 'gus@formco.example'))!;
    expect((await activitiesOf(t, gus.id)).map((a) => a.type).sort()).toEqual(['form_submit', 'page_view']);
  });

  it('Basic auth works; an unsafe redirect is refused with a 400 that says why, and nothing is stored', async () => {
    const r = await t.app.inject({
      method: 'POST', url: '/api/v1/forms/demo/submissions', headers: { authorization: basic(t.keys.ingest) },
      payload: { email: 'hal@formco.example', _redirect: 'javascript:alert(1)' },
    });
    expect(r.statusCode).toBe(400);
    expect(json(r).error.details[0].path).toBe('body._redirect');
    expect(await contactByEmail(t, 'hal@formco.example')).toBeUndefined();
    const plain = await t.app.inject({ method: 'POST', url: '/api/v1/forms/demo/submissions', headers: { authorization: basic(t.keys.ingest) }, payload: { email: 'hal@formco.example' } });
    expect(plain.statusCode).toBe(200);
    expect(json(plain).ok).toBe(true);
  });

  it('a filled honeypot gets an accepted-looking answer, stores nothing and is counted as dropped', async () => {
    const before = await t.db.selectFrom('contact').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const r = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/demo/submissions?key=${t.keys.ingest}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: urlencoded({ email: 'bot@spam.example', _hp: 'http://spam' }),
    });
    expect(r.statusCode).toBe(200);
    expect(json(r)).toEqual({ ok: true, contact_id: null });
    expect(await contactByEmail(t, 'bot@spam.example')).toBeUndefined();
    const after = await t.db.selectFrom('contact').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const stats = json(await t.api('GET', '/api/v1/ingest/stats', undefined, t.keys.read));
    expect(stats.dropped['form honeypot']).toBe(1);
  });

  it('refuses a bad email, a missing email, a missing key, and a malformed body precisely', async () => {
    const post = (payload: unknown, url = `/api/v1/forms/demo/submissions?key=${t.keys.ingest}`) => t.app.inject({ method: 'POST', url, payload: payload as any });
    const bad = await post({ email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.details).toEqual([{ path: 'body.email', message: 'invalid email' }]);
    expect(json(await post({ name: 'x' })).error.details[0]).toEqual({ path: 'body.email', message: 'required' });
    expect((await post({ email: 'a@b.example' }, '/api/v1/forms/demo/submissions')).statusCode).toBe(401);
    const malformed = await t.app.inject({ method: 'POST', url: `/api/v1/forms/demo/submissions?key=${t.keys.ingest}`, headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(json(malformed).error.code).toBe('MalformedJson');
  });
});
