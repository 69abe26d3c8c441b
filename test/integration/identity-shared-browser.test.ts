import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.ts';
import { activitiesOf, contactByEmail, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';

/** Two people on one browser: the real Segment client against a listening server, and one raw batch. */
let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listenOnLoopback(t);
});
afterAll(async () => { await t?.close(); });

const identityOf = async (id: string) => json(await t.api('GET', `/api/v1/contacts/${id}/identity`, undefined, t.keys.read));

async function send(calls: (a: SegmentAnalytics) => void) {
  const errors: unknown[] = [];
  const analytics = new SegmentAnalytics({ writeKey: t.keys.ingest, host: baseUrl, path: '/v1/batch', flushInterval: 50, maxRetries: 0 });
  analytics.on('error', (e) => errors.push(e));
  calls(analytics);
  await analytics.closeAndFlush({ timeout: 10_000 });
  expect(errors).toEqual([]);
}

describe('two people on one browser', () => {
  it('a@x then b@y on the same anonymousId: two contacts, a conflict naming both, each email and history kept', async () => {
    await send((a) => {
      a.page({ anonymousId: 'shared-1', name: 'Pricing', properties: { url: 'https://acme.example/pricing' } });
      a.identify({ anonymousId: 'shared-1', traits: { email: 'ann@initech.example', firstName: 'Ann' } });
    });
    const ann = (await contactByEmail(t, 'ann@initech.example'))!;
    t.clock.advance(60_000);
    await send((a) => {
      a.identify({ anonymousId: 'shared-1', traits: { email: 'Bea@Globex.example', firstName: 'Bea' } });
      a.page({ anonymousId: 'shared-1', name: 'Demo', properties: { url: 'https://acme.example/demo' } });
    });
    const bea = (await contactByEmail(t, 'bea@globex.example'))!;
    expect(bea).toMatchObject({ status: 'known', first_name: 'Bea' });
    expect(bea.id).not.toBe(ann.id);
    // Ann keeps her name and email (the second identify's traits went to Bea), and her earlier visit.
    expect(await contactByEmail(t, 'ann@initech.example')).toMatchObject({ id: ann.id, first_name: 'Ann', status: 'known' });
    expect((await activitiesOf(t, ann.id)).map((a) => a.properties.url)).toEqual(['https://acme.example/pricing']);
    // The device follows the person who identified last: its later page view is Bea's.
    expect(await contactOfAnonymous(t, 'shared-1')).toBe(bea.id);
    expect((await activitiesOf(t, bea.id)).map((a) => a.properties.url)).toEqual(['https://acme.example/demo']);

    const conflicts = await t.db.selectFrom('identity_conflict').selectAll().where('workspace_id', '=', t.workspace.id).where('value', '=', 'shared-1').execute();
    expect(conflicts.map((c) => [c.kind, c.contact_id, c.other_contact_id])).toEqual([['anonymous_id', bea.id, ann.id]]);
    expect(await t.db.selectFrom('contact_merge').selectAll().where('winner_id', 'in', [ann.id, bea.id]).execute()).toEqual([]);

    // Both contacts show the conflict through the API; each lists only its own identities.
    const forBea = await identityOf(bea.id);
    const forAnn = await identityOf(ann.id);
    const expected = { contact_id: bea.id, contact_email: 'bea@globex.example', other_contact_id: ann.id, other_contact_email: 'ann@initech.example', kind: 'anonymous_id', value: 'shared-1' };
    expect(forBea.conflicts).toMatchObject([expected]);
    expect(forAnn.conflicts).toMatchObject([expected]);
    expect(forBea.identities.map((i: any) => `${i.kind}:${i.value}`).sort()).toEqual(['anonymous_id:shared-1', 'email:bea@globex.example']);
    expect(forAnn.identities.map((i: any) => `${i.kind}:${i.value}`)).toEqual(['email:ann@initech.example']);
  });

  it('in one batch, with the second email already known: the known contact is linked, nothing merged or lost', async () => {
    const cy = json(await t.api('POST', '/api/v1/contacts', { email: 'cy@hooli.example', first_name: 'Cy' }));
    const r = await segment(t, '/v1/batch', { batch: [
      { type: 'page', anonymousId: 'shared-2', properties: { url: 'https://acme.example/a' }, messageId: 's2-1' },
      { type: 'identify', anonymousId: 'shared-2', traits: { email: 'dee@hooli.example' }, messageId: 's2-2' },
      { type: 'identify', anonymousId: 'shared-2', traits: { email: 'cy@hooli.example' }, messageId: 's2-3' },
      { type: 'track', anonymousId: 'shared-2', event: 'Demo Requested', messageId: 's2-4' },
    ] });
    expect(json(r).errors).toEqual([]);
    const dee = (await contactByEmail(t, 'dee@hooli.example'))!;
    expect(dee.status).toBe('known');
    expect((await activitiesOf(t, dee.id)).map((a) => a.properties.url)).toEqual(['https://acme.example/a']);
    expect((await activitiesOf(t, cy.id)).map((a) => a.event_name)).toEqual(['Demo Requested']);
    expect(await contactOfAnonymous(t, 'shared-2')).toBe(cy.id);
    const view = await identityOf(dee.id);
    expect(view.conflicts.map((c: any) => [c.contact_id, c.other_contact_id, c.message_id])).toEqual([[cy.id, dee.id, 's2-3']]);
    expect(view.merges).toEqual([]);
  });

  it('shows the merge log of an anonymous visitor joined on identify, and 404s an unknown contact', async () => {
    await segment(t, '/v1/page', { anonymousId: 'solo-1', properties: { url: 'https://acme.example/' } });
    const anon = (await contactOfAnonymous(t, 'solo-1'))!;
    const eve = json(await t.api('POST', '/api/v1/contacts', { email: 'eve@initrode.example' }));
    await segment(t, '/v1/identify', { anonymousId: 'solo-1', traits: { email: 'eve@initrode.example' } });
    const view = await identityOf(eve.id);
    expect(view.merges).toMatchObject([{ winner_id: eve.id, loser_id: anon, cause: 'identify', via: 'anonymous_id solo-1' }]);
    expect((await identityOf(anon)).merges).toHaveLength(1);
    expect(view.conflicts).toEqual([]);
    const missing = await t.api('GET', '/api/v1/contacts/00000000-0000-7000-8000-000000000000/identity', undefined, t.keys.read);
    expect(missing.statusCode).toBe(404);
  });
});
