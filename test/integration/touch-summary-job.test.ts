import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobHandlers } from '../../src/jobs/tasks.ts';
import { segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The cron job drains attribution's touch queue without anyone opening a report. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

type Table = 'contact_touch_dirty' | 'contact_touch_summary' | 'lead_touch_dirty' | 'lead_touch_span' | 'deal_touch_dirty' | 'deal_touch_path';
const count = async (table: Table) =>
  Number((await t.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

it('refresh-touch-summaries rebuilds the contacts that ingest queued, their leads and deals, then the queues are empty', async () => {
  const at = (minutes: number) => new Date(t.clock.now().getTime() - minutes * 60_000).toISOString();
  const batch = [
    { type: 'identify', userId: 'u-1', traits: { email: 'ada@touch.test' }, timestamp: at(30), messageId: 'm-1' },
    { type: 'page', userId: 'u-1', properties: { url: 'https://acme.test/?utm_source=google&utm_medium=cpc' }, context: { campaign: { source: 'google', medium: 'cpc' } }, timestamp: at(20), messageId: 'm-2' },
    { type: 'page', userId: 'u-1', properties: { url: 'https://acme.test/pricing' }, timestamp: at(10), messageId: 'm-3' },
  ];
  expect((await segment(t, '/v1/batch', { batch })).statusCode).toBe(200);
  // A sales rep opens a lead for her through the API (no deal: a non-converting path candidate).
  const ada = (await t.pool.query(`SELECT id FROM contact WHERE email = 'ada@touch.test'`)).rows[0].id as string;
  const opened = await t.api('POST', '/api/v1/leads', { contact_id: ada });
  expect(opened.statusCode, opened.body).toBe(201);
  // And a deal with her as its contact, through the API.
  const deal = await t.api('POST', '/api/v1/opportunities', { name: 'Ada deal', amount: 1200, stage: 'Discovery', contact_roles: [{ contact_id: ada, role: 'decision_maker' }] });
  expect(deal.statusCode, deal.body).toBe(201);
  expect(await count('contact_touch_dirty')).toBeGreaterThan(0);
  expect(await count('lead_touch_dirty')).toBeGreaterThan(0);
  expect(await count('deal_touch_dirty')).toBeGreaterThan(0);
  expect(await count('contact_touch_summary')).toBe(0);
  expect(await count('lead_touch_span')).toBe(0);
  expect(await count('deal_touch_path')).toBe(0);

  await jobHandlers(t.deps)['refresh-touch-summaries']({}, { attempts: 1, maxAttempts: 1 });

  expect(await count('contact_touch_dirty')).toBe(0);
  expect(await count('lead_touch_dirty')).toBe(0);
  expect(await count('deal_touch_dirty')).toBe(0);
  // The deal, with her one qualifying touch (epoch microseconds, then channel, campaign, source, UTM campaign and
  // content as positions in the deal's values, 0 for none).
  const paths = await t.pool.query(`SELECT touch_values, touches FROM deal_touch_path`);
  expect(paths.rows).toHaveLength(1);
  const values = [null, ...JSON.parse(paths.rows[0].touch_values)];
  const [time, ...positions] = JSON.parse(`[${paths.rows[0].touches}]`) as number[];
  expect(time).toBe(Date.parse(at(20)) * 1000);
  expect(positions.map((p) => values[p])).toEqual([expect.any(String), null, 'google', null, null]);
  // The lead, with its contact's touch span (one qualifying touch: the page with UTM tags).
  const spans = await t.pool.query(`SELECT l.stage, s.first_at, s.last_at FROM lead_touch_span s JOIN lead l ON l.workspace_id = s.workspace_id AND l.id = s.lead_id`);
  expect(spans.rows).toEqual([{ stage: 'inquiry', first_at: new Date(at(20)), last_at: new Date(at(20)) }]);
  const { rows } = await t.pool.query(`SELECT s.touch_channel FROM contact_touch_summary s JOIN contact c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id WHERE c.email = 'ada@touch.test'`);
  expect(rows).toHaveLength(1);
  expect(rows[0].touch_channel.length).toBeGreaterThan(0);
});
