import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedCounts, snapshotRowCounts } from '../helpers/row-counts.ts';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.ts';

/** One bad message in a batch is refused alone: the other 99 are stored, the bad one answered and dead-lettered. */
let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await listenOnLoopback(t);
});
afterAll(async () => { await t?.close(); });

const deep = (n: number): unknown => { let v: unknown = 'leaf'; for (let i = 0; i < n; i++) v = { a: v }; return v; };
const DEEP_5000 = Symbol('5,000 levels');
const poisonJson = (p: unknown) => (p === DEEP_5000 ? `${'{"a":'.repeat(5000)}"leaf"${'}'.repeat(5000)}` : JSON.stringify(p));
const countOf = async (sql: string, params: unknown[]) => Number((await t.pool.query(sql, params)).rows[0].n);
const activitiesWithPrefix = (prefix: string) => countOf(`SELECT count(*) AS n FROM activity WHERE idempotency_key LIKE $1`, [`${prefix}%`]);
const deadLettersOf = (messageId: string) => t.pool.query('SELECT reason, details, payload FROM dead_letter WHERE message_id = $1', [messageId]);

describe('POST /v1/batch with one poisoned message among 100', () => {
  const poisons: [string, unknown][] = [
    ['a NUL byte', { note: 'before\u0000after' }],
    ['properties nested 5,000 deep', DEEP_5000],
    ['a NUL in a key', { 'bad\u0000key': 1 }],
    ['an unpaired surrogate', { title: 'cut emoji \ud83d' }],
  ];
  for (const [what, poison] of poisons) {
    it(`${what}: 99 stored, 1 error with its index, 1 dead letter`, async () => {
      const prefix = `b-${what.replace(/\W+/g, '-')}-`;
      const batch = Array.from({ length: 100 }, (_, i) => ({
        type: 'track', messageId: `${prefix}${i}`, anonymousId: `visitor-${i % 10}`, event: 'Pricing Viewed',
        timestamp: '2026-03-02T08:00:00Z', properties: i === 41 ? { plan: 'pro', extra: '__POISON__' } : { plan: 'pro', i },
      }));
      const before = await snapshotRowCounts(t.pool);
      // Serialized by hand: JSON.stringify itself overflows the stack on 5,000 levels.
      const body = `{"batch":[${batch.map((m, i) => (i === 41 ? JSON.stringify(m).replace('"__POISON__"', poisonJson(poison)) : JSON.stringify(m))).join(',')}]}`;
      const send = () => t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: `Bearer ${t.keys.ingest}`, 'content-type': 'application/json' }, payload: body });
      const res = await send();
      expect(res.statusCode).toBe(200);
      const answer = res.json();
      expect(answer).toMatchObject({ accepted: 99, stored: 99, duplicates: 0 });
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors[0]).toMatchObject({ index: 41, message_id: `${prefix}41`, reason: 'UnstorableValue' });
      expect(answer.errors[0].details[0].path).toMatch(/^properties\.extra/);
      expect(answer.errors[0].message).toMatch(/NUL|nested deeper|surrogate/);
      expect(await activitiesWithPrefix(prefix)).toBe(99);
      const dead = await deadLettersOf(`${prefix}41`);
      expect(dead.rows).toHaveLength(1);
      expect(dead.rows[0].reason).toBe('UnstorableValue');
      // The dead letter keeps the message, made storable (NUL and broken surrogates replaced, depth cut).
      expect(dead.rows[0].payload.messageId).toBe(`${prefix}41`);
      expect(JSON.stringify(dead.rows[0].payload)).not.toMatch(/\\u0000|\\ud83d/);
      const changed = changedCounts(before, await snapshotRowCounts(t.pool));
      expect(changed['public.dead_letter']).toEqual([before['public.dead_letter']!, before['public.dead_letter']! + 1]);
      expect(changed['public.activity']).toEqual([before['public.activity']!, before['public.activity']! + 99]);

      // Retrying the same batch (what an SDK does on a network error) stores nothing twice.
      const retry = (await send()).json();
      expect(retry).toMatchObject({ accepted: 99, stored: 0, duplicates: 99 });
      expect(await activitiesWithPrefix(prefix)).toBe(99);
    });
  }

  it('a group whose employee count overflows its integer column is refused alone', async () => {
    const batch = [
      { type: 'identify', messageId: 'emp-0', userId: 'emp-user', traits: { email: 'emp@bigco.example' } },
      { type: 'group', messageId: 'emp-1', userId: 'emp-user', groupId: 'bigco', traits: { name: 'BigCo', employees: 3_000_000_000 } },
      { type: 'track', messageId: 'emp-2', userId: 'emp-user', event: 'Pricing Viewed' },
    ];
    const res = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: `Bearer ${t.keys.ingest}` }, payload: { batch } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 2, stored: 1, errors: [{ index: 1, reason: 'InvalidMessage', details: [{ path: 'traits.employees' }] }] });
    expect(await activitiesWithPrefix('emp-')).toBe(1);
    expect((await deadLettersOf('emp-1')).rows).toHaveLength(1);
  });

  it('a single-message endpoint answers 400 naming the field and how to fix it', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${t.keys.ingest}` },
      payload: { anonymousId: 'solo', messageId: 'solo-1', event: 'E', properties: { comment: 'x\u0000y' } },
    });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.details).toEqual([{ path: 'body.properties.comment', message: expect.stringMatching(/NUL character .* PostgreSQL cannot store\. Remove it/) }]);
    expect((await deadLettersOf('solo-1')).rows).toHaveLength(1);
  });
});

describe('@segment/analytics-node sending a batch with one bad event', () => {
  // 1,000 levels: the SDK's own JSON.stringify cannot serialize 5,000.
  for (const [what, poison] of [['a NUL byte', 'x\u0000y'], ['properties nested 1,000 deep', deep(1000)]] as const) {
    it(`${what}: the other 99 events are stored, the SDK reports no failed delivery`, async () => {
      const prefix = `sdk-${what.replace(/\W+/g, '-')}-`;
      const errors: unknown[] = [];
      const analytics = new SegmentAnalytics({ writeKey: t.keys.ingest, host: baseUrl, path: '/v1/batch', flushAt: 100, flushInterval: 60_000, maxRetries: 3 });
      analytics.on('error', (e) => errors.push(e));
      const requests: number[] = [];
      analytics.on('http_request', () => requests.push(1));
      for (let i = 0; i < 100; i++) {
        analytics.track({ anonymousId: `sdk-visitor-${i % 7}`, messageId: `${prefix}${i}`, event: 'Docs Read', properties: i === 57 ? { v: poison } : { i } });
      }
      await analytics.closeAndFlush({ timeout: 20_000 });
      expect(errors).toEqual([]);
      expect(requests).toHaveLength(1); // one batch, answered 200 at once: no retry storm
      expect(await activitiesWithPrefix(prefix)).toBe(99);
      const dead = await deadLettersOf(`${prefix}57`);
      expect(dead.rows.map((r) => r.reason)).toEqual(['UnstorableValue']);
    });
  }
});
