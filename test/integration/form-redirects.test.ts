import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// The form endpoint's `_redirect` is never an open redirect: it goes only to the workspace's own sites.
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const contacts = async () => Number((await t.db.selectFrom('contact').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', t.workspace.id).executeTakeFirstOrThrow()).n);
let seq = 0;
/** A plain HTML form post, as a browser sends it from `page`. */
const post = (redirect: string, page?: string) => t.app.inject({
  method: 'POST', url: `/api/v1/forms/contact-us/submissions?key=${t.keys.ingest}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(page ? { referer: page } : {}) },
  payload: `email=visitor${++seq}%40buyer.example&_redirect=${encodeURIComponent(redirect)}`,
});

describe('form redirects', () => {
  it('by default a form goes back to its own site (and its subdomains), or to a path on it', async () => {
    const same = await post('https://example.com/thanks', 'https://www.example.com/contact');
    expect(same.statusCode).toBe(303);
    expect(same.headers.location).toBe('https://example.com/thanks');
    const sub = await post('https://shop.example.com/thanks?x=1', 'https://example.com/contact');
    expect(sub.headers.location).toBe('https://shop.example.com/thanks?x=1');
    const relative = await post('/thanks', 'https://www.example.com/contact/form');
    expect(relative.statusCode).toBe(303);
    expect(relative.headers.location).toBe('https://www.example.com/thanks');
  });

  it('another site is refused with a 400 that names _redirect, the domain and how to allow it; nothing is stored', async () => {
    const before = await contacts();
    for (const [target, page] of [
      ['https://evil.example/phish', 'https://www.example.com/contact'],
      ['//evil.example/phish', 'https://www.example.com/contact'],
      ['https://example.com.evil.example/', 'https://example.com/contact'],
      ['https://evil.example/', undefined],
      ['javascript:alert(1)', 'https://example.com/contact'],
      ['https://user:pw@example.com/', 'https://example.com/contact'],
    ] as const) {
      const r = await post(target, page);
      expect(r.statusCode, target).toBe(400);
      expect(r.headers.location).toBeUndefined();
      const error = r.json().error;
      expect(error.code).toBe('ValidationFailed');
      expect(error.details[0].path).toBe('body._redirect');
      expect(error.message).toMatch(/Nothing was stored/);
    }
    const evil = (await post('https://evil.example/phish', 'https://www.example.com/contact')).json().error.message;
    expect(evil).toMatch(/evil\.example, which is not one of this workspace's form redirect domains \(.*example\.com.*\)/);
    expect(evil).toMatch(/PUT \/api\/v1\/settings\/form-redirects/);
    expect(await contacts()).toBe(before);
  });

  it("without a Referer, the sites the workspace knows (its content library, Leadloop's address) are allowed", async () => {
    expect((await post('https://docs.acme.example/thanks')).statusCode).toBe(400);
    expect((await t.api('POST', '/api/v1/content', { title: 'Guide', url: 'https://www.acme.example/guide', format: 'pdf' })).statusCode).toBe(201);
    const known = await post('https://docs.acme.example/thanks');
    expect(known.statusCode).toBe(303);
    expect((await post('http://localhost:3000/thanks')).statusCode).toBe(303);
    const settings = (await t.api('GET', '/api/v1/settings/form-redirects', undefined, t.keys.read)).json();
    expect(settings).toEqual({ domains: null, effective: ['acme.example', 'localhost'] });
  });

  it('an admin list replaces the defaults: only those domains (and subdomains), even from the form page itself', async () => {
    const refused = await t.api('PUT', '/api/v1/settings/form-redirects', { domains: ['example.org', 'not a domain'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].path).toBe('body.domains[1]');
    expect((await t.api('PUT', '/api/v1/settings/form-redirects', { domains: ['Thanks.Example.org'] }, t.keys.write)).statusCode).toBe(403);
    const set = await t.api('PUT', '/api/v1/settings/form-redirects', { domains: ['https://Thanks.Example.org/x', 'example.net'] });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ domains: ['thanks.example.org', 'example.net'], effective: ['thanks.example.org', 'example.net'] });
    expect((await post('https://thanks.example.org/done', 'https://www.example.com/contact')).headers.location).toBe('https://thanks.example.org/done');
    expect((await post('https://a.example.net/done')).statusCode).toBe(303);
    expect((await post('https://example.com/thanks', 'https://www.example.com/contact')).statusCode).toBe(400);
    expect((await post('https://example.org/', 'https://www.example.com/contact')).statusCode).toBe(400);
    const reset = await t.api('PUT', '/api/v1/settings/form-redirects', { domains: null });
    expect(reset.json().domains).toBeNull();
    expect((await post('https://example.com/thanks', 'https://www.example.com/contact')).statusCode).toBe(303);
  });

  it('a submission without _redirect answers JSON as before', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/forms/contact-us/submissions?key=${t.keys.ingest}`, payload: { email: 'plain@buyer.example' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().ok).toBe(true);
  });
});
