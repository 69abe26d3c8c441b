import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvImportRequest } from '../helpers/csv-upload.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Governed changes made through the REST API land in the audit log with who made them (the
 * request's user or key), before/after and where the request came from; refused requests leave none.
 */
let t: TestApp;
let adminKey: string;
const json = (r: { body: string }) => JSON.parse(r.body);
const auditOf = async (query: string) => json(await t.api('GET', `/api/v1/audit-log?${query}`)).data as {
  action: string; actor: { kind: string; id: string | null; key_id: string | null; label: string }; object: { type: string; id: string | null };
  before: any; after: any; ip: string | null;
}[];

beforeAll(async () => {
  t = await createTestApp();
  adminKey = await t.newKey(['admin'], t.users.admin.id);
});
afterAll(async () => { await t?.close(); });

describe('audit rows for governed objects', () => {
  it('users: creation and a role change, by the personal key\'s user, never with a password', async () => {
    const created = json(await t.api('POST', '/api/v1/users', { email: 'newrep@acme.test', role: 'sales', password: 'a long enough password' }, adminKey));
    await t.api('PATCH', `/api/v1/users/${created.id}`, { role: 'sales_manager' }, adminKey);
    const rows = (await auditOf(`object_type=user&object_id=${created.id}`)).reverse();
    expect(rows.map((r) => r.action)).toEqual(['user.created', 'user.role_changed']);
    expect(rows[0]!.actor).toMatchObject({ kind: 'user', id: t.users.admin.id, label: expect.stringContaining('<admin@acme.test>') });
    expect(rows[0]!.actor.key_id).toEqual(expect.any(String));
    expect(rows[0]!.after).toMatchObject({ email: 'newrep@acme.test', role: 'sales' });
    expect(JSON.stringify(rows[0])).not.toMatch(/password|scrypt/i);
    expect(rows[1]).toMatchObject({ before: { role: 'sales' }, after: { role: 'sales_manager' }, ip: '127.0.0.1' });
  });

  it('API keys: creation and revocation, never with the secret', async () => {
    const created = await t.api('POST', '/api/v1/api-keys', { name: 'Zapier', scopes: ['read'] }, adminKey);
    expect(created.statusCode, created.body).toBe(201);
    const { key, id } = json(created);
    expect((await t.api('DELETE', `/api/v1/api-keys/${id}`, undefined, adminKey)).statusCode).toBeLessThan(300);
    const rows = (await auditOf(`object_type=api_key&object_id=${id}`)).reverse();
    expect(rows.map((r) => r.action)).toEqual(['api_key.created', 'api_key.revoked']);
    expect(rows[0]!.after).toMatchObject({ name: 'Zapier', scopes: ['read'] });
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toMatch(/hash/i);
  });

  it('routing, teams (SLA calendars) and reason codes, by a machine key', async () => {
    await t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue' }] });
    await t.api('PUT', '/api/v1/teams/EMEA', { calendar: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, manager_id: t.users.manager.id });
    await t.api('PUT', '/api/v1/reason-codes', { codes: [{ code: 'budget_freeze', label: 'Budget freeze', outcome: 'nurture' }] });
    const routing = await auditOf('object_type=routing');
    expect(routing).toEqual([expect.objectContaining({ action: 'routing.changed', actor: expect.objectContaining({ kind: 'api_key', label: expect.stringContaining('API key test') }) })]);
    expect(routing[0]!.after.rules).toMatchObject([{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue' }]);
    expect((await auditOf('action=team.changed'))[0]).toMatchObject({ object: { type: 'team', id: 'EMEA' }, after: { name: 'EMEA', managerId: t.users.manager.id } });
    expect((await auditOf('action=reason_codes.changed'))[0]!.after).toEqual([{ code: 'budget_freeze', label: 'Budget freeze', outcome: 'nurture' }]);
  });

  it('costs and campaigns', async () => {
    await t.api('PUT', '/api/v1/costs', { costs: [{ period_start: '2026-01', category: 'marketing', amount: 1000 }] });
    await t.api('PUT', '/api/v1/costs', { costs: [{ period_start: '2026-01', category: 'marketing', amount: 1500 }] });
    const costs = await auditOf('action=costs.changed');
    expect(costs[0]).toMatchObject({ before: [expect.objectContaining({ amount: 1000 })], after: [expect.objectContaining({ amount: 1500 })] });
    const camp = json(await t.api('POST', '/api/v1/campaigns', { name: 'Q1 Search', channel: 'paid_search' }));
    expect((await auditOf(`object_id=${camp.id}`))[0]).toMatchObject({ action: 'campaign.created', after: { name: 'Q1 Search' } });
  });

  it('imports: who imported which file, and what it did', async () => {
    const upload = csvImportRequest('contacts', 'people.csv', 'email,first_name\nada@example.com,Ada\nbob@example.com,Bob\n');
    const r = await t.app.inject({ ...upload, headers: { ...upload.headers, authorization: `Bearer ${adminKey}` } });
    expect(r.statusCode, r.body).toBe(201);
    const rows = (await auditOf('action=import.')).reverse();
    expect(rows.map((e) => e.action)).toEqual(['import.started', 'import.completed']);
    expect(rows[0]).toMatchObject({ actor: { kind: 'user', id: t.users.admin.id }, after: { entity: 'contacts', fileName: 'people.csv', rows: 2 } });
    expect(rows[1]!.after).toMatchObject({ rows: 2, inserted: 2 });
  });

  it('a refused change writes no audit row', async () => {
    const before = (await auditOf('limit=500')).length;
    expect((await t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }] })).statusCode).toBe(400);
    expect((await t.api('POST', '/api/v1/users', { email: 'newrep@acme.test', role: 'sales' }, adminKey)).statusCode).toBe(409);
    expect((await auditOf('limit=500')).length).toBe(before);
  });
});
