import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/app/audit.ts';
import { permissionsFor } from '../../src/core/access.ts';
import type { Principal } from '../../src/app/context.ts';
import { listAuditRows } from '../../src/storage/audit.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('audit log storage', () => {
  it('records a principal with a readable label, before/after and the request it came from', async () => {
    const principal: Principal = {
      workspaceId: t.workspace.id, kind: 'user', userId: t.users.marketing.id, apiKeyId: null, role: 'marketing',
      permissions: permissionsFor({ role: 'marketing' }), request: { id: 'req-1', ip: '203.0.113.9' },
    };
    const row = await t.db.transaction().execute((trx) => recordAudit(trx, {
      workspaceId: t.workspace.id, actor: principal, action: 'campaign.updated', object: { type: 'campaign', id: 'c-1' },
      before: { name: 'Old' }, after: { name: 'New' }, reason: 'rename', at: new Date('2026-03-02T09:00:00Z'),
    }));
    expect(row.actor).toEqual({ kind: 'user', id: t.users.marketing.id, keyId: null, label: `${t.users.marketing.name} <marketing@acme.test>` });
    expect(row).toMatchObject({ action: 'campaign.updated', before: { name: 'Old' }, after: { name: 'New' }, reason: 'rename', requestId: 'req-1', ip: '203.0.113.9' });
    const sys = await t.db.transaction().execute((trx) => recordAudit(trx, {
      workspaceId: t.workspace.id, actor: { kind: 'system', label: 'SLA timer' }, action: 'sla_policy.applied', object: { type: 'sla_policy', id: null },
    }));
    expect(sys.actor.label).toBe('system: SLA timer');
    const page = await listAuditRows(t.db, t.workspace.id, { action: 'campaign.' }, { limit: 10 });
    expect(page.data.map((r) => r.id)).toEqual([row.id]);
  });

  it('a rolled-back change leaves no audit row', async () => {
    await expect(t.db.transaction().execute(async (trx) => {
      await recordAudit(trx, { workspaceId: t.workspace.id, actor: { kind: 'system' }, action: 'campaign.deleted', object: { type: 'campaign', id: 'gone' } });
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect((await listAuditRows(t.db, t.workspace.id, { objectId: 'gone' }, { limit: 10 })).data).toEqual([]);
  });

  it('refuses an action that is not a dotted verb', async () => {
    await expect(t.db.transaction().execute((trx) => recordAudit(trx, { workspaceId: t.workspace.id, actor: { kind: 'system' }, action: 'Deleted stuff', object: { type: 'x', id: null } })))
      .rejects.toThrow(/dotted/);
  });

  it('the database itself refuses UPDATE, DELETE and TRUNCATE, even with replication-role triggers off', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(t.db);
    await expect(sql`UPDATE audit_log SET reason = 'rewritten'`.execute(t.db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`DELETE FROM audit_log`.execute(t.db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`TRUNCATE audit_log`.execute(t.db)).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM audit_log`.execute(trx);
    })).rejects.toThrow(/append-only: DELETE/);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(t.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    expect(after.rows[0]!.n).toBeGreaterThan(0);
  });
});
