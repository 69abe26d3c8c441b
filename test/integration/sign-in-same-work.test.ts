import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { hashPassword, verifyPassword } from '../../src/app/secrets.ts';
import { createUser, createWorkspace } from '../../src/app/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { must, TEST_PASSWORD } from '../helpers/test-app.ts';

/**
 * "Unknown and known emails do the same work" (issue #14-4), proved by counting, not by timing: the
 * real scrypt hasher is wrapped, and a sign-in with an unknown email must run one full password
 * verification — against a hash with the same scrypt cost as a user's — exactly as a known email
 * with a wrong password does. Without the dummy verification the unknown email would verify nothing.
 */
let t: TestDatabase;
const verified: string[] = [];
const hashed: string[] = [];
const counting = {
  hash: async (password: string) => { const h = await hashPassword(password); hashed.push(h); return h; },
  verify: async (password: string, stored: string) => { verified.push(stored); return verifyPassword(password, stored); },
};
const cost = (stored: string) => stored.split('$').slice(0, 4).join('$'); // scheme$N$r$p
let userHash = '';

beforeAll(async () => {
  t = await createTestDatabase();
  const ws = must(await createWorkspace(t.deps, { name: 'Same Work' }));
  must(await createUser(t.deps, ws.id, { email: 'known@acme.test', role: 'sales', password: TEST_PASSWORD }));
  userHash = (await t.db.selectFrom('app_user').select('password_hash').where('email', '=', 'known@acme.test').executeTakeFirstOrThrow()).password_hash!;
});
afterAll(async () => { await t?.close(); });

describe('sign-in work for unknown and known emails', () => {
  it('an unknown email runs one scrypt verification at the users\' cost, as a known email with a wrong password does', async () => {
    const auth = createAuthService(t.deps, { sessionTtlHours: 24, passwords: counting });

    verified.length = 0;
    const known = await auth.login({ email: 'known@acme.test', password: 'not-the-password-123', address: '198.51.100.1' });
    expect(known).toMatchObject({ ok: false, code: 'Unauthenticated', message: 'Email or password is wrong.' });
    expect(verified).toEqual([userHash]);

    verified.length = 0;
    const unknown = await auth.login({ email: 'nobody@acme.test', password: 'not-the-password-123', address: '198.51.100.2' });
    expect(unknown).toMatchObject({ ok: false, code: 'Unauthenticated', message: 'Email or password is wrong.' });
    expect(verified).toHaveLength(1);
    expect(verified[0]).not.toBe(userHash);
    expect(cost(verified[0]!)).toBe(cost(userHash));
    expect(cost(userHash)).toBe('scrypt$32768$8$1');
    // The dummy is a real hash this service made (of a random secret), not a string that fails fast.
    expect(hashed).toContain(verified[0]);

    // Later unknown emails reuse the dummy (no extra hashing) and still verify once each.
    verified.length = 0;
    const hashesBefore = hashed.length;
    await auth.login({ email: 'ghost@acme.test', password: 'another-wrong-one-456', address: '198.51.100.3' });
    expect(verified).toHaveLength(1);
    expect(hashed.length).toBe(hashesBefore);
  });

  it('a malformed email does the same verification too', async () => {
    const auth = createAuthService(t.deps, { sessionTtlHours: 24, passwords: counting });
    verified.length = 0;
    const r = await auth.login({ email: 'not an email', password: 'whatever-password-1', address: '198.51.100.4' });
    expect(r).toMatchObject({ ok: false, code: 'Unauthenticated' });
    expect(verified).toHaveLength(1);
  });
});
