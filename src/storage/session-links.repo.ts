import type { DbOrTrx } from './db.ts';
import './schema-lists.ts';

/** An account in another workspace whose password the sign-in of this session proved (the workspace switcher's choices). */
export type SessionLink = { workspaceId: string; userId: string };

export async function setSessionLinks(db: DbOrTrx, tokenHash: string, links: readonly SessionLink[]): Promise<void> {
  await db.updateTable('user_session').set({ linked_accounts: JSON.stringify(links.map((l) => ({ workspace_id: l.workspaceId, user_id: l.userId }))) })
    .where('token_hash', '=', tokenHash).execute();
}

/** The live session with its links, or null. */
export async function findSessionWithLinks(db: DbOrTrx, tokenHash: string, now: Date): Promise<{ workspaceId: string; userId: string; createdAt: Date; links: SessionLink[] } | null> {
  const row = await db.selectFrom('user_session').select(['workspace_id', 'user_id', 'created_at', 'linked_accounts'])
    .where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
  if (!row) return null;
  const links = (row.linked_accounts as { workspace_id: string; user_id: string }[]).map((l) => ({ workspaceId: l.workspace_id, userId: l.user_id }));
  return { workspaceId: row.workspace_id, userId: row.user_id, createdAt: row.created_at, links };
}

/** Names of workspaces by id (the switcher shows names). */
export async function workspaceNames(db: DbOrTrx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('workspace').select(['id', 'name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** What decides whether a linked account still opens without a password: active, has a password, when it last changed. */
export async function linkedAccountState(db: DbOrTrx, workspaceId: string, userId: string): Promise<{ role: string; active: boolean; passwordChangedAt: Date | null } | null> {
  const row = await db.selectFrom('app_user').select(['role', 'disabled_at', 'password_hash', 'password_changed_at'])
    .where('workspace_id', '=', workspaceId).where('id', '=', userId).executeTakeFirst();
  return row ? { role: row.role, active: !row.disabled_at && !!row.password_hash, passwordChangedAt: row.password_changed_at } : null;
}
