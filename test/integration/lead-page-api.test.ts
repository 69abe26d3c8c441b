import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { MONDAY_9, at, createLead, expectStatus, json, moveLead } from '../helpers/handoff-fixtures.ts';

/** What the lead page and the inbox read: each lead's open SLA clock in the list, and the ratings a contact gave. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(MONDAY_9);
});
afterAll(async () => { await t?.close(); });

describe('GET /api/v1/leads carries each lead\'s open SLA clock', () => {
  it('a lead with a running clock returns its deadline; a lead without has null; breached once due', async () => {
    const running = await createLead(t);
    await moveLead(t, running.id, { to: 'mql', note: 'score 72' });
    const idle = await createLead(t);
    const accepted = await createLead(t);
    await moveLead(t, accepted.id, { to: 'mql' });
    t.clock.set(at('09:30'));
    await moveLead(t, accepted.id, { to: 'sal' });

    const trail = await expectStatus(t.api('GET', `/api/v1/leads/${running.id}/handoff`), 200);
    const acceptClock = trail.clocks.find((c: { kind: string }) => c.kind === 'accept');
    // The default policy: accept within 4 business hours (Mon–Fri 09:00–17:00 UTC) → 13:00.
    expect(acceptClock.due_at).toBe(at('13:00').toISOString());

    t.clock.set(at('10:00'));
    const list = await expectStatus(t.api('GET', '/api/v1/leads?limit=500&include=contact'), 200);
    const byId = new Map(list.data.map((l: { id: string }) => [l.id, l]));
    expect((byId.get(running.id) as { sla: unknown }).sla).toEqual({
      kind: 'accept', state: 'running', started_at: MONDAY_9.toISOString(), due_at: acceptClock.due_at, within: '4h', business_hours: true,
      escalation_level: 0, escalation_steps: 2, next_escalation_at: acceptClock.due_at,
    });
    expect((byId.get(idle.id) as { sla: unknown }).sla).toBeNull();
    // Accepted: the accept clock stopped; first touch (24 business hours) is the one due first now.
    expect((byId.get(accepted.id) as { sla: { kind: string; state: string } }).sla).toMatchObject({ kind: 'first_touch', state: 'running' });
    // Without include too, and on the single lead.
    const plain = await expectStatus(t.api('GET', '/api/v1/leads?stage=mql'), 200);
    expect(plain.data.find((l: { id: string }) => l.id === running.id).sla.due_at).toBe(acceptClock.due_at);
    expect((await expectStatus(t.api('GET', `/api/v1/leads/${running.id}`), 200)).sla.kind).toBe('accept');

    // Past the deadline the list says breached at once, before any timer job ran.
    t.clock.set(at('13:05'));
    const later = await expectStatus(t.api('GET', `/api/v1/leads?stage=mql`), 200);
    expect(later.data.find((l: { id: string }) => l.id === running.id).sla).toMatchObject({ state: 'breached', due_at: acceptClock.due_at });

    // The transition answer carries the clock too (the lead page caches it).
    const moved = await expectStatus(t.api('POST', `/api/v1/leads/${running.id}/transitions`, { to: 'sal' }), 201);
    expect(moved.lead.sla).toMatchObject({ kind: 'first_touch', state: 'running' });
  });

  it('include=qualification carries the latest move into MQL with its note; leads never qualified get null', async () => {
    const twice = await createLead(t);
    await moveLead(t, twice.id, { to: 'mql', note: 'first qualification' });
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    await moveLead(t, twice.id, { to: 'nurture', reason_code: 'not_ready' });
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    await moveLead(t, twice.id, { to: 'mql', note: 'qualified again: demo request' });
    const never = await createLead(t);
    const list = await expectStatus(t.api('GET', '/api/v1/leads?limit=500&include=qualification'), 200);
    type Row = { id: string; qualification: { note: string; at: string } | null; contact?: unknown };
    const byId = new Map((list.data as Row[]).map((l) => [l.id, l]));
    expect(byId.get(twice.id)!.qualification).toMatchObject({ note: 'qualified again: demo request', at: t.clock.now().toISOString() });
    expect(byId.get(never.id)!.qualification).toBeNull();
    // Only what was asked for is embedded.
    expect(byId.get(twice.id)!).not.toHaveProperty('contact');
    const bad = await t.api('GET', '/api/v1/leads?include=qualifications');
    expect(bad.statusCode).toBe(400);
    expect(json(bad).message ?? JSON.stringify(json(bad))).toMatch(/qualification/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['LeadSla', 'ContactContentRating', 'LeadQualification']));
    expect(doc.paths['/api/v1/contacts/{id}/content-ratings']?.get).toBeTruthy();
  });
});

describe('GET /api/v1/contacts/:id/content-ratings', () => {
  it('lists the ratings a contact gave, newest first, with the asset title; the comment comes back as typed', async () => {
    const contact = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'rater@buyer.example', first_name: 'Rae' }), 201);
    const other = await expectStatus(t.api('POST', '/api/v1/contacts', { email: 'other@buyer.example' }), 201);
    const guide = await expectStatus(t.api('POST', '/api/v1/content', { title: 'CFO guide', format: 'pdf', url: 'https://acme.test/cfo-guide' }), 201);
    const webinar = await expectStatus(t.api('POST', '/api/v1/content', { title: 'Webinar', format: 'video', url: 'https://acme.test/webinar' }), 201);
    const rate = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, payload: body });
    const xss = '<img src=x onerror=alert(1)>';
    t.clock.set(at('10:00', '2031-03-04'));
    expect((await rate({ asset_id: guide.id, rating: 2, comment: xss, email: 'rater@buyer.example' })).statusCode).toBe(201);
    t.clock.set(at('11:00', '2031-03-04'));
    expect((await rate({ asset_id: webinar.id, thumbs: 'up', email: 'rater@buyer.example' })).statusCode).toBe(201);
    expect((await rate({ asset_id: guide.id, rating: 5, email: 'other@buyer.example' })).statusCode).toBe(201);

    const page = await expectStatus(t.api('GET', `/api/v1/contacts/${contact.id}/content-ratings`), 200);
    expect(page.next_cursor).toBeNull();
    expect(page.data).toEqual([
      expect.objectContaining({ asset_id: webinar.id, asset_title: 'Webinar', asset_format: 'video', rating: 5, scale: 'thumbs', comment: null, at: at('11:00', '2031-03-04').toISOString() }),
      expect.objectContaining({ asset_id: guide.id, asset_title: 'CFO guide', rating: 2, scale: 'stars', comment: xss, at: at('10:00', '2031-03-04').toISOString() }),
    ]);
    const first = await expectStatus(t.api('GET', `/api/v1/contacts/${contact.id}/content-ratings?limit=1`), 200);
    expect(first.data).toHaveLength(1);
    const second = await expectStatus(t.api('GET', `/api/v1/contacts/${contact.id}/content-ratings?limit=1&cursor=${first.next_cursor}`), 200);
    expect(second.data[0].asset_title).toBe('CFO guide');
    expect((await expectStatus(t.api('GET', `/api/v1/contacts/${other.id}/content-ratings`), 200)).data).toHaveLength(1);
    expect((await t.api('GET', '/api/v1/contacts/00000000-0000-7000-8000-000000000000/content-ratings')).statusCode).toBe(404);
    expect((await t.api('GET', `/api/v1/contacts/${contact.id}/content-ratings`, undefined, t.keys.read)).statusCode).toBe(200);
  });
});
