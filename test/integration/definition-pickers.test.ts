import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** What the definition editor's pickers offer: content and forms by title, custom fields by label, through the public API. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('GET /api/v1/definitions/pickers', () => {
  it('lists content by title, forms people submitted (with a page) and custom fields seen on people', async () => {
    const asset = json(await t.api('POST', '/api/v1/content', { title: 'ROI calculator', url: 'https://acme.test/roi', format: 'tool', buying_stage: 'evaluation' }));
    expect(json(await t.api('POST', '/api/v1/contacts', { email: 'ada@acme.test', attributes: { plan_tier: 'pro' } })).id).toBeTruthy();
    // Forms people submitted, through the public forms door a page posts to.
    const submit = (form: string, email: string) => t.app.inject({
      method: 'POST', url: `/api/v1/forms/${form}/submissions?key=${t.keys.ingest}`,
      headers: { 'content-type': 'application/json', referer: 'https://acme.test/demo' }, payload: { email },
    });
    for (const [form, email] of [['demo-request', 'bo@acme.test'], ['demo-request', 'cy@acme.test'], ['contact-sales', 'di@acme.test']] as const) {
      const sent = await submit(form, email);
      expect(sent.statusCode, sent.body).toBe(200);
    }

    const r = await t.api('GET', '/api/v1/definitions/pickers', undefined, t.keys.read);
    expect(r.statusCode, r.body).toBe(200);
    const body = json(r);
    expect(body.content).toEqual([{ id: asset.id, title: 'ROI calculator', format: 'tool', buying_stage: 'evaluation', topics: [], url: 'https://acme.test/roi' }]);
    expect(body.forms.map((f: { id: string; submissions: number }) => [f.id, f.submissions])).toEqual([['demo-request', 2], ['contact-sales', 1]]);
    expect(body.forms[0].page_url).toContain('acme.test/demo');
    expect(body.fields).toContainEqual({ field: 'contact.attributes.plan_tier', label: null, type: null });
  });

  it('is read-only and refuses a caller without a key', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/definitions/pickers' });
    expect(r.statusCode).toBe(401);
  });
});
