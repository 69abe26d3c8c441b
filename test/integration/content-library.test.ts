import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionLead } from '../../src/app/leads.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const json = (r: { body: string }) => JSON.parse(r.body);
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const asset = async (key: string, body: Record<string, unknown>) => {
    const r = await t.api('POST', '/api/v1/content', { format: 'article', ...body });
    expect(r.statusCode, r.body).toBe(201);
    ids[key] = json(r).id;
  };
  await asset('guide', { title: 'CFO guide', url: 'https://acme.test/cfo-guide', published_on: '2026-02-01', buying_stage: 'awareness', personas: ['cfo'], topics: ['pricing'] });
  await asset('roi', { title: 'ROI calculator', url: 'https://acme.test/roi', published_on: '2026-08-20', buying_stage: 'evaluation', personas: ['cfo'], topics: ['pricing'] });
  await asset('old', { title: 'Old whitepaper', url: 'https://acme.test/old', buying_stage: 'interest', published_on: '2020-01-15', expires_on: '2025-12-31' });
});
afterAll(async () => { await t?.close(); });

describe('content library', () => {
  it('buying stages come from the workspace list, on create and on PATCH', async () => {
    const bad = await t.api('POST', '/api/v1/content', { title: 'X', buying_stage: 'ecstasy' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.message).toContain('awareness, interest, consideration, evaluation, post-purchase');
    expect((await t.api('PATCH', `/api/v1/content/${ids.roi}`, { buying_stage: 'nope' })).statusCode).toBe(400);
    const ok = await t.api('PATCH', `/api/v1/content/${ids.roi}`, { buying_stage: 'consideration', topics: ['pricing', 'roi'] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok)).toMatchObject({ buying_stage: 'consideration', topics: ['pricing', 'roi'], title: 'ROI calculator' });
  });
});

describe('ratings from prospects and sales', () => {
  it('the snippet rates with the ingest key (Basic or ?key=), CORS open, spam-safe', async () => {
    const pre = await t.app.inject({ method: 'OPTIONS', url: '/v1/content-ratings', headers: { origin: 'https://www.acme.test', 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    const basic = `Basic ${Buffer.from(`${t.keys.ingest}:`).toString('base64')}`;
    const r1 = await t.app.inject({ method: 'POST', url: '/v1/content-ratings', headers: { authorization: basic, origin: 'https://www.acme.test' }, payload: { asset_id: ids.guide, rating: 4, comment: 'Useful\u0007\u202e <b>thanks</b>' } });
    expect(r1.statusCode, r1.body).toBe(201);
    // A NUL is refused at every door (PostgreSQL cannot store it), with where and how to fix it.
    const nul = await t.app.inject({ method: 'POST', url: '/v1/content-ratings', headers: { authorization: basic }, payload: { asset_id: ids.guide, rating: 4, comment: 'a\u0000b' } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.details[0].path).toBe('body.comment');
    expect(r1.headers['access-control-allow-origin']).toBe('*');
    // sendBeacon style: text/plain JSON, key in the query, asset by URL, thumbs
    const r2 = await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ url: 'https://acme.test/cfo-guide', thumbs: 'down' }) });
    expect(r2.statusCode, r2.body).toBe(201);
    const bot = await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, payload: { asset_id: ids.guide, rating: 5, website: 'http://spam' } });
    expect(bot.statusCode).toBe(202);
    expect((await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.read}`, payload: { asset_id: ids.guide, rating: 5 } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/v1/content-ratings', payload: { asset_id: ids.guide, rating: 5 } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, payload: { asset_id: ids.guide, rating: 9 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, payload: { asset_id: ids.guide, rating: 3, thumbs: 'up' } })).statusCode).toBe(400);
  });

  it('rate-limits per IP and asset (5 per minute)', async () => {
    const post = (remoteAddress: string) => t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, remoteAddress, payload: { asset_id: ids.old, rating: 2 } });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await post('10.0.0.9')).statusCode);
    expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
    expect((await post('10.0.0.10')).statusCode).toBe(201);
  });

  it('sales rate from the app as a user; both sources show on the asset', async () => {
    const personal = await t.newKey(['write'], t.users.sales.id);
    const r = await t.api('POST', `/api/v1/content/${ids.guide}/ratings`, { thumbs: 'up', comment: 'Used it in a call with a CFO, helped' }, personal);
    expect(r.statusCode, r.body).toBe(201);
    expect(json(r)).toMatchObject({ source: 'sales', user_id: t.users.sales.id, rating: 5, scale: 'thumbs' });
    expect((await t.api('POST', `/api/v1/content/${ids.guide}/ratings`, { rating: 3 }, t.keys.write)).statusCode).toBe(403); // a machine key is nobody
    const list = json(await t.api('GET', `/api/v1/content/${ids.guide}/ratings`));
    expect(list.summary).toEqual({ count: 3, average: 3.33, by_source: { prospect: { count: 2, average: 2.5 }, sales: { count: 1, average: 5 } } });
    const prospect = list.data.find((x: any) => x.scale === 'stars');
    expect(prospect.comment).toBe('Useful <b>thanks</b>'); // control and bidi characters gone; stored as plain text
  });
});

describe('stats, audit and gap map', () => {
  it('per-asset stats: consumption by stage and persona, influence, influenced pipeline', async () => {
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'cfo@buyer.test', attributes: { persona: 'cfo' } }));
    const other = json(await t.api('POST', '/api/v1/contacts', { email: 'dev@buyer.test' }));
    const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
    json(await t.api('POST', '/api/v1/leads', { contact_id: other.id }));
    const view = (contactId: string, at: Date) => insertActivity(t.db, t.workspace.id, { contactId, type: 'content_view', occurredAt: at, source: null, medium: null, campaignId: null, utmCampaign: null, contentId: ids.guide!, url: null, referrer: null, eventName: null, properties: {}, actorUserId: null, idempotencyKey: null });
    await view(contact.id, new Date('2026-03-02T10:00:00Z'));
    await view(other.id, new Date('2026-03-02T11:00:00Z'));
    must(await transitionLead(t.deps, t.workspace.id, lead.id, { to: 'mql', actor: { type: 'system', id: null }, at: new Date('2026-03-05T10:00:00Z') }));
    // Linking the deal walks the lead on to opportunity (now, after its MQL): the stages it had when it read the guide stay.
    t.clock.set(new Date('2026-03-06T09:00:00Z'));
    await t.api('POST', '/api/v1/opportunities', { name: 'Buyer deal', stage: 'proposal', amount: 12000, lead_ids: [lead.id] });
    const s = json(await t.api('GET', `/api/v1/content/${ids.guide}/stats?days=30`));
    expect(s).toMatchObject({ consumptions: 2, consumers: 2, by_lifecycle_stage: { inquiry: 2 }, by_persona: { cfo: 1, unknown: 1 }, influence: { window_days: 30, progressed: 1, share: 0.5 } });
    expect(s.influenced_pipeline).toMatchObject({ opportunities: 1, amount: 12000, label: 'influenced pipeline (not attributed)' });
    expect(json(await t.api('GET', `/api/v1/content/${ids.guide}/stats?days=2`)).influence.progressed).toBe(0);
  });

  it('the audit lists low-rated, unused, outdated assets and stage gaps', async () => {
    t.clock.set(new Date('2026-09-01T09:00:00Z'));
    const a = json(await t.api('GET', '/api/v1/reports/content-audit?unused_days=90'));
    expect(a.low_rated.map((x: any) => x.title)).toEqual(['Old whitepaper']); // five 2-star ratings
    // Last read in March; the ROI calculator is too new to judge.
    expect(a.unused.map((x: any) => x.title)).toEqual(['CFO guide', 'Old whitepaper']);
    expect(a.outdated).toEqual([{ id: ids.old, title: 'Old whitepaper', reason: 'expired' }]);
    expect(a.stage_gaps.map((g: any) => g.stage)).toEqual(['interest', 'evaluation', 'post-purchase']); // the old paper expired
  });

  it('the gap map grades stage × persona and stage × topic', async () => {
    t.clock.set(new Date('2026-03-10T09:00:00Z'));
    const m = json(await t.api('GET', '/api/v1/content/gap-map?by=persona'));
    expect(m.keys).toEqual(['cfo']); // the only general asset has expired
    const cell = (stage: string, key: string) => m.cells.find((c: any) => c.stage === stage && c.persona === key);
    expect(cell('awareness', 'cfo')).toMatchObject({ assets: 1, average_rating: 3.33, consumers: 2, status: 'weak' }); // one asset only
    expect(cell('consideration', 'cfo')).toMatchObject({ assets: 1, status: 'weak' });
    expect(cell('evaluation', 'cfo')).toMatchObject({ assets: 0, status: 'missing' });
    expect(cell('interest', 'cfo')).toMatchObject({ assets: 0, status: 'missing' });
    const ok = json(await t.api('GET', '/api/v1/content/gap-map?by=topic&min_assets=1&weak_rating=3'));
    expect(ok.cells.find((c: any) => c.stage === 'awareness' && c.topic === 'pricing')).toMatchObject({ status: 'ok' });
    expect(ok.cells.find((c: any) => c.stage === 'consideration' && c.topic === 'roi')).toMatchObject({ status: 'weak' }); // nobody read it
  });
});

describe('editorial calendar', () => {
  it('CRUD, CSV and iCalendar exports', async () => {
    const long = 'Pricing, packaging; and "value" — a very long working title that will certainly need folding in iCalendar ✓';
    const c = await t.api('POST', '/api/v1/content-calendar', { title: long, planned_on: '2026-04-15', owner_id: t.users.marketing.id, target_stage: 'evaluation', target_persona: 'cfo', target_topic: 'pricing', notes: 'line1\nline2' });
    expect(c.statusCode, c.body).toBe(201);
    const id = json(c).id;
    await t.api('POST', '/api/v1/content-calendar', { title: '=HYPERLINK("x")', planned_on: '2026-04-01', status: 'idea' });
    expect((await t.api('POST', '/api/v1/content-calendar', { title: 'x', planned_on: '2026-04-01', target_stage: 'bliss' })).statusCode).toBe(400);
    expect(json(await t.api('PATCH', `/api/v1/content-calendar/${id}`, { status: 'in_progress' })).status).toBe('in_progress');
    const list = json(await t.api('GET', '/api/v1/content-calendar?from=2026-04-01&to=2026-04-30')).data;
    expect(list.map((p: any) => p.planned_on)).toEqual(['2026-04-01', '2026-04-15']);

    const csv = await t.api('GET', '/api/v1/content-calendar.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('id,title,planned_on,owner,target_stage,target_persona,target_topic,status,notes');
    expect(lines[1]).toContain(`,"'=HYPERLINK(""x"")",2026-04-01,`);
    expect(csv.body).toContain(`"Pricing, packaging; and ""value"" — a very long`);
    expect(csv.body).toContain('marketing@acme.test,evaluation,cfo,pricing,in_progress,"line1\nline2"');

    const ics = (await t.api('GET', '/api/v1/content-calendar.ics')).body;
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/\n/); // every line ends with CRLF
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain(`UID:${id}@localhost\r\n`);
    expect(unfolded).toContain('DTSTART;VALUE=DATE:20260415\r\nDTEND;VALUE=DATE:20260416\r\n');
    expect(unfolded).toMatch(/DTSTAMP:\d{8}T\d{6}Z\r\n/);
    expect(unfolded).toContain('SUMMARY:Pricing\\, packaging\\; and "value" — a very long working title that will certainly need folding in iCalendar ✓\r\n');
    expect(unfolded).toContain('line1\\nline2');
    expect(unfolded.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect((await t.api('DELETE', `/api/v1/content-calendar/${id}`)).statusCode).toBe(200);
    expect((await t.api('GET', `/api/v1/content-calendar/${id}`)).statusCode).toBe(404);
  });

  it('still answers at the deprecated /api/v1/content/calendar paths, saying so (Deprecation, Link), outside the OpenAPI document', async () => {
    const created = await t.api('POST', '/api/v1/content/calendar', { title: 'Old path', planned_on: '2026-05-02' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.deprecation).toBe('@1796428800');
    const id = json(created).id;
    const old = await t.api('GET', `/api/v1/content/calendar/${id}`);
    expect(old.headers.link).toBe(`</api/v1/content-calendar/${id}>; rel="successor-version"`);
    const now = await t.api('GET', `/api/v1/content-calendar/${id}`);
    expect(now.headers.deprecation).toBeUndefined();
    expect(json(old)).toEqual(json(now));
    const oldList = await t.api('GET', '/api/v1/content/calendar?from=2026-05-01&to=2026-05-31');
    expect(json(oldList)).toEqual(json(await t.api('GET', '/api/v1/content-calendar?from=2026-05-01&to=2026-05-31')));
    expect(json(oldList).data.map((p: any) => p.id)).toEqual([id]);
    expect((await t.api('GET', '/api/v1/content/calendar.csv')).headers.deprecation).toBe('@1796428800');
    const doc = json(await t.api('GET', '/api/v1/openapi.json'));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/content/calendar'))).toEqual([]);
    expect(doc.paths['/api/v1/content-calendar/{id}']).toBeDefined();
  });
});
