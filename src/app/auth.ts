import { isRole, isScope, permissionsFor, type Role, type Scope } from '../core/access.ts';
import { normalizeEmail } from '../core/identity.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { findLiveApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../storage/api-keys.repo.ts';
import { deleteSession, findLiveSession, insertSession } from '../storage/sessions.repo.ts';
import { findLoginCandidates, getUser, type User } from '../storage/users.repo.ts';
import type { AppDeps, Principal } from './context.ts';
import { hashPassword, hashToken, newApiKeySecret, newSessionToken, verifyPassword } from './secrets.ts';

// Verified keys are cached briefly so ingestion does not pay a database round trip per request;
// a revoked key stops working within this window.
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 1000;

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: AppDeps, options: { sessionTtlHours: number }) {
  const keyCache = new Map<string, { principal: Principal | null; until: number }>();

  async function principalForKey(key: ApiKey): Promise<Principal | null> {
    if (!key.userId) {
      return { workspaceId: key.workspaceId, kind: 'api_key', userId: null, apiKeyId: key.id, role: null, permissions: permissionsFor({ scopes: key.scopes }) };
    }
    const user = await getUser(deps.db, key.workspaceId, key.userId);
    if (!user || user.disabledAt) return null;
    return { workspaceId: key.workspaceId, kind: 'user', userId: user.id, apiKeyId: key.id, role: user.role, permissions: permissionsFor({ scopes: key.scopes, role: user.role }) };
  }

  return {
    /** Resolves an API key (Bearer token or Segment write key) to a principal, or null. */
    async authenticateKey(token: string): Promise<Principal | null> {
      const hash = hashToken(token);
      const nowMs = deps.clock.now().getTime();
      const cached = keyCache.get(hash);
      if (cached && cached.until > nowMs) return cached.principal;
      const key = await findLiveApiKeyByHash(deps.db, hash);
      const principal = key ? await principalForKey(key) : null;
      if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
      keyCache.set(hash, { principal, until: nowMs + KEY_CACHE_MS });
      return principal;
    },

    async authenticateSession(token: string): Promise<Principal | null> {
      const session = await findLiveSession(deps.db, hashToken(token), deps.clock.now());
      if (!session) return null;
      const user = await getUser(deps.db, session.workspaceId, session.userId);
      if (!user || user.disabledAt) return null;
      return { workspaceId: user.workspaceId, kind: 'user', userId: user.id, apiKeyId: null, role: user.role, permissions: permissionsFor({ role: user.role }) };
    },

    async login(input: { email: string; password: string; workspaceId?: string }): Promise<Result<{ token: string; user: User; expiresAt: Date }>> {
      const email = normalizeEmail(input.email);
      const refused = fail('Unauthenticated', 'Email or password is wrong.');
      if (!email) return refused;
      const candidates = (await findLoginCandidates(deps.db, email)).filter((u) => !input.workspaceId || u.workspaceId === input.workspaceId);
      for (const candidate of candidates) {
        if (candidate.passwordHash && (await verifyPassword(input.password, candidate.passwordHash))) {
          const token = newSessionToken();
          const expiresAt = new Date(deps.clock.now().getTime() + options.sessionTtlHours * 3600_000);
          await insertSession(deps.db, { tokenHash: hashToken(token), workspaceId: candidate.workspaceId, userId: candidate.id, expiresAt });
          const { passwordHash: _omit, ...user } = candidate;
          return ok({ token, user, expiresAt });
        }
      }
      return refused;
    },

    async logout(token: string): Promise<void> {
      await deleteSession(deps.db, hashToken(token));
    },

    forgetCachedKeys(): void {
      keyCache.clear();
    },
  };
}

export type CreatedKey = { key: string; apiKey: ApiKey };

/** Creates an API key; the secret is returned once and only its hash is stored. */
export async function createApiKey(deps: AppDeps, workspaceId: string, input: { name: string; scopes: string[]; userId?: string | null }): Promise<Result<CreatedKey>> {
  const bad = input.scopes.filter((s) => !isScope(s));
  if (input.scopes.length === 0 || bad.length) {
    return fail('ValidationFailed', `Scopes must be a non-empty list of ingest, ingest:server, read, write, admin${bad.length ? `; unknown: ${bad.join(', ')}` : ''}.`, [{ path: 'scopes', message: 'one or more of ingest, ingest:server, read, write, admin' }]);
  }
  if (input.userId) {
    const user = await getUser(deps.db, workspaceId, input.userId);
    if (!user) return fail('NotFound', `User ${input.userId} not found in this workspace.`, [{ path: 'user_id', message: 'unknown user' }]);
  }
  const { key, prefix } = newApiKeySecret();
  const apiKey = await insertApiKey(deps.db, workspaceId, { name: input.name, prefix, keyHash: hashToken(key), scopes: [...new Set(input.scopes)] as Scope[], userId: input.userId ?? null });
  return ok({ key, apiKey });
}

export async function listKeys(deps: AppDeps, workspaceId: string): Promise<ApiKey[]> {
  return listApiKeys(deps.db, workspaceId);
}

export async function revokeKey(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ApiKey>> {
  const revoked = await revokeApiKey(deps.db, workspaceId, id, deps.clock.now());
  return revoked ? ok(revoked) : fail('NotFound', `API key ${id} not found or already revoked.`);
}

export async function passwordHashFor(password: string): Promise<string> {
  return hashPassword(password);
}

export function parseRole(value: string): Result<Role> {
  return isRole(value) ? ok(value) : fail('ValidationFailed', `Unknown role '${value}'. Use one of admin, marketing, sales, sales_manager, viewer.`, [{ path: 'role', message: 'unknown role' }]);
}
