import type { Scope } from '../core/access.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type ApiKey = {
  workspaceId: string; id: string; name: string; prefix: string; scopes: Scope[]; userId: string | null;
  createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null;
};

type Row = { workspace_id: string; id: string; name: string; prefix: string; scopes: string[]; user_id: string | null; created_at: Date; last_used_at: Date | null; revoked_at: Date | null };
const toApiKey = (r: Row): ApiKey => ({
  workspaceId: r.workspace_id, id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes as Scope[], userId: r.user_id,
  createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});
const publicColumns = ['workspace_id', 'id', 'name', 'prefix', 'scopes', 'user_id', 'created_at', 'last_used_at', 'revoked_at'] as const;

export async function insertApiKey(db: DbOrTrx, workspaceId: string, input: { name: string; prefix: string; keyHash: string; scopes: Scope[]; userId: string | null }): Promise<ApiKey> {
  const row = await db.insertInto('api_key').values({
    workspace_id: workspaceId, id: newId(), name: input.name, prefix: input.prefix, key_hash: input.keyHash,
    scopes: input.scopes, user_id: input.userId, last_used_at: null, revoked_at: null,
  }).returning(publicColumns).executeTakeFirstOrThrow();
  return toApiKey(row);
}

export async function findLiveApiKeyByHash(db: DbOrTrx, keyHash: string): Promise<ApiKey | null> {
  const row = await db.selectFrom('api_key').select(publicColumns)
    .where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
  return row ? toApiKey(row) : null;
}

export async function listApiKeys(db: DbOrTrx, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db.selectFrom('api_key').select(publicColumns).where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').execute();
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: DbOrTrx, workspaceId: string, id: string, at: Date): Promise<ApiKey | null> {
  const row = await db.updateTable('api_key').set({ revoked_at: at })
    .where('workspace_id', '=', workspaceId).where('id', '=', id).where('revoked_at', 'is', null)
    .returning(publicColumns).executeTakeFirst();
  return row ? toApiKey(row) : null;
}

const keyKeyset: Keyset<Row> = { id: 'id', idOf: (r) => r.id, direction: 'desc' };

/** A page of the workspace's keys, newest first (UUIDv7 ids: by creation). */
export async function pageApiKeys(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<ApiKey>> {
  const q = db.selectFrom('api_key').select(publicColumns).where('workspace_id', '=', workspaceId);
  return keysetPage(await keysetQuery(q, keyKeyset, page).execute(), keyKeyset, page.limit, toApiKey);
}
