import { isScope, type Scope } from '../core/access.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { insertApiKey, pageApiKeys, revokeApiKey, type ApiKey } from '../storage/api-keys.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { hashToken, newApiKeySecret } from './secrets.ts';
import { withTransaction } from './transaction.ts';
import type { Page, PageRequest } from '../storage/page.ts';

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
  // Audited without the secret: name, prefix, scopes and owner.
  const apiKey = await withTransaction(deps, async (trx) => {
    const created = await insertApiKey(trx, workspaceId, { name: input.name, prefix, keyHash: hashToken(key), scopes: [...new Set(input.scopes)] as Scope[], userId: input.userId ?? null });
    await recordAudit(trx, { workspaceId, action: 'api_key.created', object: { type: 'api_key', id: created.id }, after: keyAudit(created), at: deps.clock.now() });
    return created;
  });
  return ok({ key, apiKey });
}

export async function listKeys(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<ApiKey>> {
  return pageApiKeys(deps.db, workspaceId, page);
}

export async function revokeKey(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ApiKey>> {
  const revoked = await withTransaction(deps, async (trx) => {
    const r = await revokeApiKey(trx, workspaceId, id, deps.clock.now());
    if (r) await recordAudit(trx, { workspaceId, action: 'api_key.revoked', object: { type: 'api_key', id }, before: keyAudit(r), at: deps.clock.now() });
    return r;
  });
  return revoked ? ok(revoked) : fail('NotFound', `API key ${id} not found or already revoked.`);
}

/** What the audit log keeps of a key (never its secret or hash). */
const keyAudit = (k: ApiKey) => ({ name: k.name, prefix: k.prefix, scopes: k.scopes, userId: k.userId });
