import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { findUserByEmail } from '../../src/storage/users.repo.ts';
import { must } from '../helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

// The CLI enforces the same password policy as the API (it used to accept the password "a").
let t: TestDatabase;
const run = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  const child = execFile('node', ['bin/leadloop.js', '--workspace', 'CLI Users', ...args], { env: { ...process.env, DATABASE_URL: t.url, LEADLOOP_NEW_USER_PASSWORD: '', ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
  });
  child.stdin?.end();
});

beforeAll(async () => {
  t = await createTestDatabase();
  must(await createWorkspace(t.deps, { name: 'CLI Users' }));
});
afterAll(async () => { await t?.close(); });

describe('leadloop users', () => {
  it('create refuses a short or common password with the reason, and creates nothing', async () => {
    const short = await run(['users', 'create', '--email', 'a@cli.test', '--role', 'sales', '--password', 'a']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('use at least 12');
    const common = await run(['users', 'create', '--email', 'a@cli.test', '--role', 'sales'], { LEADLOOP_NEW_USER_PASSWORD: 'qwerty123456' });
    expect(common.code).toBe(1);
    expect(common.stderr).toContain('most common passwords');
    const ws = (await t.pool.query(`SELECT id FROM workspace WHERE name = 'CLI Users'`)).rows[0].id as string;
    expect(await findUserByEmail(t.db, ws, 'a@cli.test')).toBeNull();
  }, 120_000);

  it('create accepts a good password; set-password applies the policy and ends the user\'s sessions', async () => {
    const created = await run(['users', 'create', '--email', 'b@cli.test', '--role', 'sales', '--password', 'plum-engine-harvest-8']);
    expect(created.code, created.stderr).toBe(0);
    const auth = createAuthService(t.deps, { sessionTtlHours: 1 });
    const session = must(await auth.login({ email: 'b@cli.test', password: 'plum-engine-harvest-8' }));
    expect(await auth.authenticateSession(session.token)).not.toBeNull();
    const weak = await run(['users', 'set-password', '--email', 'b@cli.test', '--password', 'a']);
    expect(weak.code).toBe(1);
    const set = await run(['users', 'set-password', '--email', 'b@cli.test'], { LEADLOOP_NEW_USER_PASSWORD: 'copper-river-lantern-12' });
    expect(set.code, set.stderr).toBe(0);
    expect(await auth.authenticateSession(session.token)).toBeNull();
    expect((await auth.login({ email: 'b@cli.test', password: 'copper-river-lantern-12' })).ok).toBe(true);
  }, 120_000);
});
