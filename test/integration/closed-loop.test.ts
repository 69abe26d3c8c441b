import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createAuthService } from '../../src/app/auth.ts';
import { seedDemoWorkspace, type DemoResult } from '../../src/app/demo/seed-demo.ts';
import { createServer } from '../../src/server/create-server.ts';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { must } from '../helpers/test-app.ts';

/**
 * The whole loop across features, through HTTP on the demo workspace: website events → identity →
 * score → MQL (same request) → routing → alert → accept → sales touch → opportunity → won → attribution.
 */
let t: TestDatabase;
let app: FastifyInstance;
let demo: DemoResult;
let repKey: string;
let adminKey: string;

beforeAll(async () => {
  t = await createTestDatabase({ start: new Date('2026-11-20T10:00:00Z') });
  demo = await seedDemoWorkspace(t.deps, { password: 'demo', contacts: 60, now: new Date('2026-11-20T10:00:00Z'), seed: 7 });
  adminKey = demo.adminKey;
  const auth = createAuthService(t.deps, { sessionTtlHours: 1 });
  app = await createServer({ app: t.deps, auth, publicUrl: 'http://leadloop.test', logLevel: 'silent', sessionTtlHours: 1, secureCookies: false });
  await app.ready();
}, 120_000);
afterAll(async () => { await app?.close(); await t?.close(); });

const api = (method: string, url: string, body?: unknown, key = adminKey) =>
  app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, ...(body !== undefined ? { payload: body as object } : {}) });
const json = (r: { body: string }) => JSON.parse(r.body);

async function googleFirstTouchRevenue(): Promise<number> {
  const report = json(await api('GET', '/api/v1/reports/attribution?by=source'));
  const row = report.rows.find((r: Record<string, unknown>) => r.horizon === 'short_term' && r.dimension === 'source' && r.key === 'google');
  return row ? Number(row.first_touch) : 0;
}

describe('closed loop on the demo workspace', () => {
  let leadId = '';
  let ownerId = '';

  it('Segment events for a good-fit visitor make an MQL in the same request, explained, routed and alerted', async () => {
    const basic = Buffer.from(`${demo.ingestKey}:`).toString('base64');
    const batch = await app.inject({
      method: 'POST', url: '/v1/batch', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      payload: { batch: [
        { type: 'page', anonymousId: 'loop-anon', properties: { url: 'https://www.example-saas.com/pricing' }, context: { campaign: { source: 'google', medium: 'cpc', name: 'loop-test' } }, messageId: 'loop-1' },
        { type: 'identify', anonymousId: 'loop-anon', userId: 'loop-user', traits: { email: 'Vera.VP@loop-saas.example', title: 'VP Marketing' }, messageId: 'loop-2' },
        { type: 'group', userId: 'loop-user', groupId: 'loop-co', traits: { name: 'Loop SaaS', website: 'loop-saas.example', industry: 'SaaS', employees: 800 }, messageId: 'loop-3' },
        { type: 'track', userId: 'loop-user', event: 'Form Submitted', properties: { formId: 'demo-request' }, messageId: 'loop-4' },
      ] },
    });
    expect(batch.statusCode, batch.body).toBe(200);
    const contact = json(await api('GET', '/api/v1/contacts?email=vera.vp@loop-saas.example')).data[0];
    // The anonymous pricing visit joined the known contact.
    const activities = json(await api('GET', `/api/v1/contacts/${contact.id}/activities`)).data;
    expect(activities.map((a: { type: string }) => a.type).sort()).toEqual(['content_view', 'form_submit']);
    const lead = json(await api('GET', `/api/v1/leads?contact_id=${contact.id}`)).data[0];
    expect(lead.stage).toBe('mql');
    expect(lead.source).toBe('google');
    const history = json(await api('GET', `/api/v1/leads/${lead.id}/transitions`)).data;
    const mql = history.find((h: { to: string }) => h.to === 'mql');
    expect(mql.actor.type).toBe('rule');
    expect(mql.definition_id).not.toBeNull();
    expect(mql.note).toMatch(/^definition v1: hand-raise: demo request, rating A\d \(fit \d+ = title VP/);
    // Routed by the demo's territory rule to the Enterprise team, and the owner was alerted.
    const trail = json(await api('GET', `/api/v1/leads/${lead.id}/handoff`));
    expect(trail.assignments[0].explanation).toContain('Enterprise');
    ownerId = json(await api('GET', `/api/v1/leads/${lead.id}`)).owner_id;
    const enterprise = demo.users.filter((u) => u.team === 'Enterprise').map((u) => u.id);
    expect(enterprise).toContain(ownerId);
    const accept = trail.clocks.find((c: { kind: string }) => c.kind === 'accept');
    expect(accept.stopped_at).toBeNull();
    expect(new Date(accept.due_at).getTime()).toBeGreaterThan(new Date('2026-11-20T10:00:00Z').getTime());
    repKey = must(await createApiKey(t.deps, demo.workspace.id, { name: 'rep', scopes: ['write'], userId: ownerId })).key;
    const alerts = json(await api('GET', '/api/v1/alerts', undefined, repKey)).data;
    expect(alerts.some((a: { lead_id: string }) => a.lead_id === lead.id)).toBe(true);
    leadId = lead.id;
  });

  it('the rep accepts, logs a call, opens an opportunity and wins it; revenue is attributed back to the source', async () => {
    // Time moves between steps as it would: ties on one millisecond would make "first touch" arbitrary.
    t.clock.advance(3600_000);
    expect((await api('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'sal' }, repKey)).statusCode).toBe(201);
    t.clock.advance(3600_000);
    // Back on the pricing page after acceptance: agreed high-intent content alerts the owner.
    const basic = Buffer.from(`${demo.ingestKey}:`).toString('base64');
    const revisit = await app.inject({ method: 'POST', url: '/v1/page', headers: { authorization: `Basic ${basic}` },
      payload: { userId: 'loop-user', properties: { url: 'https://www.example-saas.com/pricing' }, messageId: 'loop-5' } });
    expect(revisit.statusCode, revisit.body).toBe(200);
    const kinds = json(await api('GET', '/api/v1/alerts', undefined, repKey)).data.filter((a: { lead_id: string }) => a.lead_id === leadId).map((a: { kind: string }) => a.kind);
    expect(kinds).toContain('high_intent');
    // A call logged through the activities API stops the first-touch clock.
    const lead = json(await api('GET', `/api/v1/leads/${leadId}`));
    t.clock.advance(3600_000);
    const call = await api('POST', '/api/v1/activities', { contact_id: lead.contact_id, type: 'sales_call', occurred_at: t.clock.now().toISOString(), idempotency_key: 'loop-call' }, repKey);
    expect(call.statusCode, call.body).toBe(201);
    const clocks = json(await api('GET', `/api/v1/leads/${leadId}/handoff`)).clocks;
    expect(clocks.find((c: { kind: string }) => c.kind === 'accept').stop_reason).toBe('accepted');
    const firstTouch = clocks.find((c: { kind: string }) => c.kind === 'first_touch');
    expect(firstTouch).toBeDefined();
    expect(firstTouch.stop_reason).toBe('touched');
    expect((await api('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'sql' }, repKey)).statusCode).toBe(201);
    const toOpp = json(await api('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'opportunity' }, repKey));
    const oppId = toOpp.opportunity_id;
    expect(oppId).toBeTruthy();
    t.clock.advance(86_400_000);
    const before = await googleFirstTouchRevenue();
    const won = await api('PATCH', `/api/v1/opportunities/${oppId}`, { amount: 120000, stage: 'Closed Won', status: 'won' }, repKey);
    expect(won.statusCode, won.body).toBe(200);
    expect(json(await api('GET', `/api/v1/leads/${leadId}`)).stage).toBe('won');
    // Every model credits the whole deal to its only marketing touch source: first touch moves by exactly the amount.
    expect(await googleFirstTouchRevenue()).toBeCloseTo(before + 120000, 2);
  });
});
