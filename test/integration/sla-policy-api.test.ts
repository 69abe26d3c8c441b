import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { expectStatus } from '../helpers/handoff-fixtures.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('GET /api/v1/sla-policy', () => {
  it('answers the policy in force, and a team calendar replaces the default one for that team only', async () => {
    const none = await expectStatus(t.api('GET', '/api/v1/sla-policy'), 200);
    expect(none).toMatchObject({
      source: 'workspace default', team: null, calendar_source: 'policy',
      policy: { accept: { within: '4h', businessHours: true }, firstTouch: { within: '24h' }, escalation: [{ after: 'breach', action: 'notify_manager' }, { after: '2h', action: 'reassign', to: 'next_rep' }] },
      calendar: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    });
    const berlin = { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4], start: '08:00', end: '16:30', holidays: ['2031-12-25'] };
    await expectStatus(t.api('PUT', '/api/v1/teams/Enterprise', { calendar: berlin, manager_id: null }), 200);
    const enterprise = await expectStatus(t.api('GET', '/api/v1/sla-policy?team=Enterprise'), 200);
    expect(enterprise).toMatchObject({ team: 'Enterprise', calendar_source: 'team', calendar: berlin, source: 'workspace default' });
    const other = await expectStatus(t.api('GET', '/api/v1/sla-policy?team=Nobody'), 200);
    expect(other).toMatchObject({ calendar_source: 'policy', calendar: { timeZone: 'UTC' } });
  });
});
