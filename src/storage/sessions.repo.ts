import type { DbOrTrx } from './db.ts';

export async function insertSession(db: DbOrTrx, input: { tokenHash: string; workspaceId: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('user_session').values({
    token_hash: input.tokenHash, workspace_id: input.workspaceId, user_id: input.userId, expires_at: input.expiresAt,
  }).execute();
}

export async function findLiveSession(db: DbOrTrx, tokenHash: string, now: Date): Promise<{ workspaceId: string; userId: string } | null> {
  const row = await db.selectFrom('user_session').select(['workspace_id', 'user_id'])
    .where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, userId: row.user_id } : null;
}

export async function deleteSession(db: DbOrTrx, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
}

export async function deleteExpiredSessions(db: DbOrTrx, now: Date): Promise<number> {
  const result = await db.deleteFrom('user_session').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Revokes every session of a user (password changed or reset), except the one given. */
export async function deleteSessionsOfUser(db: DbOrTrx, workspaceId: string, userId: string, exceptTokenHash?: string): Promise<number> {
  let q = db.deleteFrom('user_session').where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
  if (exceptTokenHash) q = q.where('token_hash', '!=', exceptTokenHash);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}
