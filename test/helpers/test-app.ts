import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApiKey, createAuthService } from '../../src/app/auth.ts';
import { createUser, createWorkspace } from '../../src/app/workspaces.ts';
import type { Role } from '../../src/core/access.ts';
import { createServer, type ServerDeps } from '../../src/server/create-server.ts';
import type { User } from '../../src/storage/users.repo.ts';
import type { Workspace } from '../../src/storage/workspaces.repo.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export type TestApp = TestDatabase & {
  app: FastifyInstance;
  workspace: Workspace;
  users: Record<'admin' | 'marketing' | 'sales' | 'manager', User>;
  keys: { admin: string; ingest: string; read: string; write: string };
  /** Sends a request as the given API key (default: admin). */
  api: (method: string, url: string, body?: unknown, key?: string) => Promise<LightMyRequestResponse>;
  newKey: (scopes: string[], userId?: string) => Promise<string>;
};

/** The password of the test users (it passes the password policy). */
export const TEST_PASSWORD = 'quiet-lantern-orbit-42';

export const must = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

/** A real server (in-process, through Fastify's inject) on a fresh database with one workspace. */
export async function createTestApp(options: { server?: Partial<ServerDeps> } = {}): Promise<TestApp> {
  const t = await createTestDatabase();
  const workspace = must(await createWorkspace(t.deps, { name: 'Acme Test' }));
  const mk = async (email: string, role: Role) => must(await createUser(t.deps, workspace.id, { email, role, password: TEST_PASSWORD }));
  const users = {
    admin: await mk('admin@acme.test', 'admin'),
    marketing: await mk('marketing@acme.test', 'marketing'),
    sales: await mk('sales@acme.test', 'sales'),
    manager: await mk('manager@acme.test', 'sales_manager'),
  };
  const newKey = async (scopes: string[], userId?: string) => must(await createApiKey(t.deps, workspace.id, { name: 'test', scopes, userId })).key;
  const keys = { admin: await newKey(['admin']), ingest: await newKey(['ingest']), read: await newKey(['read']), write: await newKey(['write']) };
  const auth = createAuthService(t.deps, { sessionTtlHours: 24 });
  const app = await createServer({ app: t.deps, auth, publicUrl: 'http://localhost:3000', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false, ...options.server });
  await app.ready();
  const api = (method: string, url: string, body?: unknown, key = keys.admin) =>
    app.inject({ method: method as any, url, headers: { authorization: `Bearer ${key}` }, ...(body !== undefined ? { payload: body as any } : {}) });
  return {
    ...t, app, workspace, users, keys, api, newKey,
    close: async () => { await app.close(); await t.close(); },
  };
}

/** Makes the test app listen on 127.0.0.1 (a free port) for real client libraries; returns its base URL. */
export async function listenOnLoopback(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}
