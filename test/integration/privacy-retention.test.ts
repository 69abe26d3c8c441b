import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crontab, jobHandlers } from '../../src/jobs/tasks.ts';
import { contactByEmail, contactOfAnonymous, json, segment } from '../helpers/ingest-helpers.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Retention deletes exactly what expired: anonymous visitors' old activity (and the visitors left with
 * nothing), old dead letters, old import error reports, contacts unsubscribed for longer than the
 * period (erased); a known person's history, recent rows and anything kept forever stay.
 */
let t: TestApp;
const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const count = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(t.db)).rows[0]!.n;

beforeAll(async () => { t = await createTestApp(); }, 60_000);
afterAll(async () => { await t?.close(); });

const page = (anonymousId: string, at: Date, messageId: string) =>
  ({ type: 'page', anonymousId, messageId, timestamp: at.toISOString(), properties: { url: 'https://acme.test/pricing' } });

describe('retention', () => {
  it('shows the documented defaults and refuses periods out of range (what, where, how)', async () => {
    expect(json(await t.api('GET', '/api/v1/privacy/retention'))).toEqual({
      anonymous_activity_days: 395, dead_letter_days: 30, webhook_log_days: 90, sync_log_days: 90, import_error_days: 90, unsubscribed_contact_days: 730, consent_request_days: 30,
    });
    const bad = await t.api('PATCH', '/api/v1/privacy/retention', { dead_letter_days: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('dead_letter_days');
    expect((await t.api('PATCH', '/api/v1/privacy/retention', { dead_letter_days: 7 }, t.keys.write)).statusCode).toBe(403);
    const changed = await t.api('PATCH', '/api/v1/privacy/retention', { dead_letter_days: 10, sync_log_days: null });
    expect(json(changed)).toMatchObject({ dead_letter_days: 10, sync_log_days: null, anonymous_activity_days: 395 });
  });

  it('the daily job deletes exactly the expired rows and reports the counts', async () => {
    // Old traffic, received long ago (the clock of receipt dates dead letters).
    t.clock.set(daysAgo(500));
    expect((await segment(t, '/v1/batch', { batch: [page('old-visitor', daysAgo(500), 'o-1'), page('mixed-visitor', daysAgo(500), 'm-1'), { type: 'page', anonymousId: 'x', timestamp: '1990-01-01T00:00:00Z' }] })).statusCode).toBe(200);
    expect((await segment(t, '/v1/batch', { batch: [{ type: 'identify', anonymousId: 'known-visitor', messageId: 'k-0', traits: { email: 'kim@keeps.example' }, timestamp: daysAgo(500).toISOString() }, page('known-visitor', daysAgo(500), 'k-1')] })).statusCode).toBe(200);
    t.clock.set(daysAgo(11));
    expect((await segment(t, '/v1/batch', { batch: [{ type: 'page', anonymousId: 'y', timestamp: '1991-01-01T00:00:00Z' }] })).statusCode).toBe(200);
    t.clock.set(daysAgo(9));
    expect((await segment(t, '/v1/batch', { batch: [page('mixed-visitor', daysAgo(9), 'm-2'), { type: 'page', anonymousId: 'z', timestamp: '1992-01-01T00:00:00Z' }] })).statusCode).toBe(200);
    // Unsubscribed 800 and 100 days ago.
    for (const email of ['gone@unsub.example', 'recent@unsub.example']) expect((await segment(t, '/v1/identify', { userId: email, traits: { email } })).statusCode).toBe(200);
    await sql`UPDATE contact SET unsubscribed_at = CASE email WHEN 'gone@unsub.example' THEN ${daysAgo(800)}::timestamptz ELSE ${daysAgo(100)}::timestamptz END
      WHERE workspace_id = ${t.workspace.id} AND email IN ('gone@unsub.example', 'recent@unsub.example')`.execute(t.db);

    const activitiesBefore = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM activity WHERE workspace_id = ${t.workspace.id}`);
    t.clock.set(NOW);
    await t.api('POST', '/api/v1/privacy/retention/run'); // warm: nothing else may be deleted by a second run below
    const again = json(await t.api('POST', '/api/v1/privacy/retention/run'));
    expect(again).toEqual({ anonymous_activities: 0, anonymous_contacts: 0, dead_letters: 0, webhook_deliveries: 0, sync_logs: 0, import_errors: 0, consent_requests: 0, unsubscribed_erased: 0 });

    // What the first run did, seen from the outside.
    expect(await contactOfAnonymous(t, 'old-visitor')).toBeUndefined();
    expect(await contactOfAnonymous(t, 'mixed-visitor')).toBeDefined();
    const known = (await contactByEmail(t, 'kim@keeps.example'))!;
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM activity WHERE workspace_id = ${t.workspace.id} AND contact_id = ${known.id}`)).toBe(1);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM activity WHERE workspace_id = ${t.workspace.id}`)).toBe(activitiesBefore - 2);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM dead_letter WHERE workspace_id = ${t.workspace.id}`)).toBe(1); // 9 days old; 11 and 500 went (10-day period)
    expect(await contactByEmail(t, 'gone@unsub.example')).toBeUndefined();
    expect(await contactByEmail(t, 'recent@unsub.example')).toBeDefined();
    const audit = json(await t.api('GET', '/api/v1/audit-log?action=privacy.retention_ran')).data as { after: Record<string, number> }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ anonymous_activities: 2, anonymous_contacts: 1, dead_letters: 2, unsubscribed_erased: 1 });
  });

  it('is a daily cron job of the catalogue: the worker runs it for every workspace', async () => {
    expect(crontab).toMatch(/^\d+ \d+ \* \* \* privacy-retention/m);
    await t.api('PATCH', '/api/v1/privacy/retention', { anonymous_activity_days: 1 });
    t.clock.set(new Date(NOW.getTime() + 2 * 86_400_000));
    await jobHandlers(t.deps)['privacy-retention']({}, { attempts: 1, maxAttempts: 1 });
    expect(await contactOfAnonymous(t, 'mixed-visitor')).toBeUndefined();
  });
});
