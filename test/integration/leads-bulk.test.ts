import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditRows } from '../../src/storage/audit.repo.ts';
import { expectStatus, json } from '../helpers/handoff-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Bulk actions on leads through POST /api/v1/leads/bulk (issue #14-3): each lead is checked by the one
 * permission function and changed as its own endpoint would (per-lead results), the bulk action is one
 * audit row (who, action, count, ids), and each changed lead keeps its own owner/stage history. A
 * single reassignment writes an audit row too.
 */
let t: TestApp;
const people = {} as Record<'dana' | 'sam' | 'max', { id: string; key: string }>;
let seq = 0;

async function user(name: string, role: string, team: string | null) {
  const u = await expectStatus(t.api('POST', '/api/v1/users', { email: `${name.split(' ')[0]!.toLowerCase()}@acme.test`, name, role, team }), 201);
  return { id: u.id as string, key: await t.newKey(['write'], u.id) };
}

async function mqlOwnedBy(ownerId: string) {
  seq += 1;
  const c = await expectStatus(t.api('POST', '/api/v1/contacts', { email: `bulk${seq}@corp${seq}.example`, first_name: 'Bea', last_name: `Bulk${seq}` }), 201);
  const lead = await expectStatus(t.api('POST', '/api/v1/leads', { contact_id: c.id, owner_id: ownerId }), 201);
  await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' }), 201);
  const now = json(await t.api('GET', `/api/v1/leads/${lead.id}`));
  if (now.owner_id !== ownerId) await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: ownerId }), 201);
  return lead.id as string;
}
const auditOf = async (action: string) => (await listAuditRows(t.db, t.workspace.id, { action }, { limit: 100 })).data;
const ownerOf = async (id: string) => json(await t.api('GET', `/api/v1/leads/${id}`)).owner_id as string | null;

beforeAll(async () => {
  t = await createTestApp();
  people.dana = await user('Dana Rep', 'sales', 'East');
  people.sam = await user('Sam West', 'sales', 'West');
  people.max = await user('Max Manager', 'sales_manager', 'East');
  await expectStatus(t.api('PATCH', `/api/v1/users/${t.users.manager.id}`, { team: 'North' }), 200);
  await expectStatus(t.api('PUT', '/api/v1/teams/East', { manager_id: people.max.id }), 200);
});
afterAll(async () => { await t?.close(); });

describe('POST /api/v1/leads/bulk', () => {
  it('a single manager reassignment writes an audit row (who, before and after owner, the note)', async () => {
    const lead = await mqlOwnedBy(people.dana.id);
    const before = (await auditOf('lead.reassigned')).length;
    await expectStatus(t.api('POST', `/api/v1/leads/${lead}/assign`, { owner_id: people.sam.id, note: 'covering for Dana' }, people.max.key), 201);
    const rows = await auditOf('lead.reassigned');
    expect(rows).toHaveLength(before + 1);
    expect(rows[0]).toMatchObject({
      action: 'lead.reassigned', object: { type: 'lead', id: lead }, actor: { kind: 'user', id: people.max.id },
      before: { owner_id: people.dana.id }, after: { owner_id: people.sam.id }, reason: 'covering for Dana',
    });
  });

  it('assigns many leads: per-lead permission (another team\'s lead is refused and unchanged), one bulk audit row, per-lead history', async () => {
    const east = [await mqlOwnedBy(people.dana.id), await mqlOwnedBy(people.dana.id), await mqlOwnedBy(people.dana.id)];
    const west = await mqlOwnedBy(people.sam.id);
    const ids = [...east, west];
    const r = await t.api('POST', '/api/v1/leads/bulk', { action: 'assign', lead_ids: ids, owner_id: people.max.id, note: 'Dana is away' }, people.max.key);
    expect(r.statusCode, r.body).toBe(200);
    const out = json(r);
    expect(out).toMatchObject({ action: 'assign', total: 4, succeeded: 3, failed: 1 });
    expect(out.results.filter((x: { ok: boolean }) => x.ok).map((x: { lead_id: string }) => x.lead_id)).toEqual(east);
    const refused = out.results.find((x: { lead_id: string }) => x.lead_id === west);
    expect(refused).toMatchObject({ ok: false, error: { code: 'Forbidden', message: 'Only a manager of team West or an admin may reassign this lead; you are Max Manager (sales_manager, team East).' } });
    for (const id of east) expect(await ownerOf(id)).toBe(people.max.id);
    expect(await ownerOf(west)).toBe(people.sam.id);

    const bulk = await auditOf('lead.bulk_assign');
    expect(bulk).toHaveLength(1);
    expect(bulk[0]).toMatchObject({
      id: out.audit_id, actor: { kind: 'user', id: people.max.id }, object: { type: 'lead', id: null },
      after: { action: 'assign', owner_id: people.max.id, note: 'Dana is away', count: 4, lead_ids: ids, changed: east, refused: [{ lead_id: west, code: 'Forbidden' }] },
    });
    // Each changed lead has its own owner-change audit row, as a single reassignment would.
    const perLead = (await auditOf('lead.reassigned')).filter((a) => east.includes(a.object.id!));
    expect(perLead.map((a) => a.object.id).sort()).toEqual([...east].sort());
  });

  it('moves many leads with a reason; the stage history of each says who and why', async () => {
    const leads = [await mqlOwnedBy(people.dana.id), await mqlOwnedBy(people.dana.id)];
    const r = await t.api('POST', '/api/v1/leads/bulk', { action: 'transition', lead_ids: leads, to: 'sal', note: 'accepted in bulk' }, people.dana.key);
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    for (const id of leads) {
      const history = json(await t.api('GET', `/api/v1/leads/${id}/transitions`)).data as { to: string; note: string | null }[];
      expect(history.at(-1)).toMatchObject({ to: 'sal', note: 'accepted in bulk' });
    }
    expect((await auditOf('lead.bulk_transition'))[0]).toMatchObject({ actor: { id: people.dana.id }, after: { to: 'sal', count: 2, changed: leads, refused: [] } });
  });

  it('refuses bad requests with a 400 naming the field, and writes nothing', async () => {
    const lead = await mqlOwnedBy(people.dana.id);
    const bulkRows = async () => (await listAuditRows(t.db, t.workspace.id, {}, { limit: 500 })).data.filter((a) => a.action.startsWith('lead.bulk_')).length;
    const before = await bulkRows();
    const noOwner = await t.api('POST', '/api/v1/leads/bulk', { action: 'assign', lead_ids: [lead] }, people.max.key);
    expect(noOwner.statusCode).toBe(400);
    expect(json(noOwner).error.details).toEqual([{ path: 'body.owner_id', message: 'required for assign' }]);
    const tooMany = await t.api('POST', '/api/v1/leads/bulk', { action: 'transition', to: 'sal', lead_ids: Array.from({ length: 501 }, () => crypto.randomUUID()) }, people.max.key);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('lead_ids');
    const twice = await t.api('POST', '/api/v1/leads/bulk', { action: 'transition', to: 'sal', lead_ids: [lead, lead] }, people.max.key);
    expect(twice.statusCode).toBe(400);
    const empty = await t.api('POST', '/api/v1/leads/bulk', { action: 'transition', to: 'sal', lead_ids: [] }, people.max.key);
    expect(empty.statusCode).toBe(400);
    expect(await bulkRows()).toBe(before);
    expect(json(await t.api('GET', `/api/v1/leads/${lead}`)).stage).toBe('mql');
  });

  it('a read-only key cannot run a bulk action', async () => {
    const lead = await mqlOwnedBy(people.dana.id);
    const r = await t.api('POST', '/api/v1/leads/bulk', { action: 'transition', to: 'sal', lead_ids: [lead] }, t.keys.read);
    expect(r.statusCode).toBe(403);
  });
});
