import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const json = (r: { body: string }) => JSON.parse(r.body);
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const [key, title] of [['a', 'Read and rated'], ['b', 'Rated only'], ['c', 'Untouched']] as const) {
    const r = await t.api('POST', '/api/v1/content', { title, url: `https://acme.test/${key}`, buying_stage: 'awareness' });
    expect(r.statusCode, r.body).toBe(201);
    ids[key] = json(r).id;
  }
});
afterAll(async () => { await t?.close(); });

describe('content list with include=usage', () => {
  it('adds rating count/average and consumption per asset; without include the shape is unchanged', async () => {
    const rep = await t.newKey(['write'], t.users.sales.id);
    const manager = await t.newKey(['write'], t.users.manager.id);
    // One rating per person per asset: two people rate a.
    for (const [asset, rating, key] of [['a', 4, rep], ['a', 5, manager], ['b', 2, rep]] as const) {
      expect((await t.api('POST', `/api/v1/content/${ids[asset]}/ratings`, { rating }, key)).statusCode).toBe(201);
    }
    expect((await t.app.inject({ method: 'POST', url: `/v1/content-ratings?key=${t.keys.ingest}`, payload: { asset_id: ids.a, rating: 3 } })).statusCode).toBe(201);
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'reader@buyer.test' }));
    const other = json(await t.api('POST', '/api/v1/contacts', { email: 'other@buyer.test' }));
    const use = (contactId: string, type: string, at: string) => insertActivity(t.db, t.workspace.id, {
      contactId, type, occurredAt: new Date(at), source: null, medium: null, campaignId: null, utmCampaign: null, contentId: ids.a!, url: null,
      referrer: null, eventName: null, properties: {}, actorUserId: null, idempotencyKey: null,
    });
    await use(contact.id, 'content_view', '2026-03-01T10:00:00Z');
    await use(contact.id, 'content_download', '2026-03-02T10:00:00Z');
    await use(other.id, 'email_click', '2026-03-03T10:00:00Z');
    await use(other.id, 'page_view', '2026-03-04T10:00:00Z'); // not a consumption

    const list = json(await t.api('GET', '/api/v1/content?include=usage&limit=500'));
    const by = (id: string) => list.data.find((c: { id: string }) => c.id === id);
    expect(by(ids.a!).usage).toEqual({ rating_count: 3, rating_average: 4, consumptions: 3, consumers: 2, last_consumed_at: '2026-03-03T10:00:00.000Z' });
    expect(by(ids.b!).usage).toEqual({ rating_count: 1, rating_average: 2, consumptions: 0, consumers: 0, last_consumed_at: null });
    expect(by(ids.c!).usage).toEqual({ rating_count: 0, rating_average: null, consumptions: 0, consumers: 0, last_consumed_at: null });

    const plain = json(await t.api('GET', '/api/v1/content?limit=500'));
    expect(plain.data.every((c: object) => !('usage' in c))).toBe(true);
    expect((await t.api('GET', '/api/v1/content?include=everything')).statusCode).toBe(400);
  });

  it('pages keep their usage (only the page asked for is counted)', async () => {
    const first = json(await t.api('GET', '/api/v1/content?include=usage&limit=1'));
    expect(first.data).toHaveLength(1);
    expect(first.data[0].usage).toBeDefined();
    const second = json(await t.api('GET', `/api/v1/content?include=usage&limit=5&cursor=${first.next_cursor}`));
    expect(second.data.every((c: { usage?: unknown }) => c.usage !== undefined)).toBe(true);
  });
});
