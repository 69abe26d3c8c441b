import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import './schema-sign-in.ts';

export type UserTokenKind = 'reset' | 'invite';
export type UserToken = { workspaceId: string; id: string; userId: string; kind: UserTokenKind; expiresAt: Date; usedAt: Date | null; createdAt: Date };

/** Stores a new token (its hash only) and retires the user's earlier unused tokens of that kind: only the latest link works. */
export async function insertUserToken(trx: DbOrTrx, input: { workspaceId: string; userId: string; kind: UserTokenKind; tokenHash: string; now: Date; expiresAt: Date; createdBy: string | null }): Promise<void> {
  await trx.updateTable('user_token').set({ used_at: input.now })
    .where('workspace_id', '=', input.workspaceId).where('user_id', '=', input.userId).where('kind', '=', input.kind).where('used_at', 'is', null).execute();
  await trx.insertInto('user_token').values({
    workspace_id: input.workspaceId, id: newId(), user_id: input.userId, kind: input.kind, token_hash: input.tokenHash,
    created_at: input.now, expires_at: input.expiresAt, used_at: null, created_by: input.createdBy,
  }).execute();
}

/** The token with this hash, locked for the caller's transaction (so a link cannot be used twice at once). */
export async function lockUserToken(trx: DbOrTrx, tokenHash: string): Promise<UserToken | null> {
  const row = await trx.selectFrom('user_token').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, id: row.id, userId: row.user_id, kind: row.kind, expiresAt: row.expires_at, usedAt: row.used_at, createdAt: row.created_at } : null;
}

export async function findUserToken(db: DbOrTrx, tokenHash: string): Promise<UserToken | null> {
  const row = await db.selectFrom('user_token').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, id: row.id, userId: row.user_id, kind: row.kind, expiresAt: row.expires_at, usedAt: row.used_at, createdAt: row.created_at } : null;
}

export async function markUserTokenUsed(trx: DbOrTrx, workspaceId: string, id: string, now: Date): Promise<void> {
  await trx.updateTable('user_token').set({ used_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** After a password is set, no other reset or invite link of the user may work. */
export async function retireUserTokens(trx: DbOrTrx, workspaceId: string, userId: string, now: Date): Promise<void> {
  await trx.updateTable('user_token').set({ used_at: now })
    .where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}
