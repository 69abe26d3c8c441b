import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';
import { json, segment } from '../helpers/ingest-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
});
afterAll(async () => { await t?.close(); });

describe('retries racing each other', () => {
  it('the same batch sent eight times at once is stored, resolved and scored once', async () => {
    const now = t.clock.now().getTime();
    const batch = Array.from({ length: 40 }, (_, i) => (i % 10 === 5
      ? { type: 'identify', messageId: `race-b-${i}`, anonymousId: `race-v${Math.floor(i / 10)}`, timestamp: new Date(now - 60_000 + i).toISOString(),
        traits: { email: `race${Math.floor(i / 10)}@initech.example`, title: 'VP Marketing' } }
      : { type: 'page', messageId: `race-b-${i}`, anonymousId: `race-v${Math.floor(i / 10)}`, timestamp: new Date(now - 60_000 + i).toISOString(),
        properties: { url: `https://acme.example/pricing-${i % 3}` } }));
    const results = await Promise.all(Array.from({ length: 8 }, () => segment(t, '/v1/batch', { batch })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const answers = results.map(json);
    // Every message is stored by exactly one request and answered as a duplicate by the seven others
    // (identify included: the seven waited on the first one's locks and must see what it committed).
    expect(answers.reduce((n, a) => n + a.stored, 0)).toBe(36);
    expect(answers.reduce((n, a) => n + a.duplicates, 0)).toBe(7 * 40);
    const ws = t.workspace.id;
    const activities = await t.db.selectFrom('activity').select(['id', 'contact_id']).where('workspace_id', '=', ws).where('idempotency_key', 'like', 'race-b-%').execute();
    expect(activities).toHaveLength(36);
    // One contact per visitor, each scored once per activity.
    expect(new Set(activities.map((a) => a.contact_id)).size).toBe(4);
    const bound = await t.db.selectFrom('contact_identity').select('contact_id').where('workspace_id', '=', ws).where('value', 'like', 'race-v%').execute();
    expect(bound).toHaveLength(4);
    const scored = await t.db.selectFrom('score_event').select('activity_id').where('workspace_id', '=', ws)
      .where('activity_id', 'in', activities.map((a) => a.id)).execute();
    expect(scored).toHaveLength(36);
    expect(new Set(scored.map((s) => s.activity_id)).size).toBe(36);
  });
});
