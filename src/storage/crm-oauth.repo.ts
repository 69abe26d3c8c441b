import type { DbOrTrx } from './db.ts';

/** A pending OAuth web-server authorization (see migration 2026-12-04-11). */
export type CrmOauthRequest = { stateHash: string; provider: 'salesforce'; sessionHash: string; userId: string | null; sealed: string; createdAt: Date; expiresAt: Date };

/** Stores a pending authorization; expired ones of every workspace are swept on the way (they are few). */
export async function insertCrmOauthRequest(db: DbOrTrx, workspaceId: string, r: CrmOauthRequest): Promise<void> {
  await db.deleteFrom('crm_oauth_request').where('expires_at', '<', r.createdAt).execute();
  await db.insertInto('crm_oauth_request').values({
    workspace_id: workspaceId, state_hash: r.stateHash, provider: r.provider, session_hash: r.sessionHash, user_id: r.userId, sealed: r.sealed,
    created_at: r.createdAt, expires_at: r.expiresAt,
  }).execute();
}

/**
 * Takes (deletes and answers) the pending authorization with this state, only for the session that
 * started it: a state is good for one callback, and another session cannot use it up.
 */
export async function takeCrmOauthRequest(db: DbOrTrx, workspaceId: string, stateHash: string, sessionHash: string): Promise<CrmOauthRequest | null> {
  const r = await db.deleteFrom('crm_oauth_request').where('workspace_id', '=', workspaceId).where('state_hash', '=', stateHash)
    .where('session_hash', '=', sessionHash).returningAll().executeTakeFirst();
  return r ? {
    stateHash: r.state_hash, provider: r.provider, sessionHash: r.session_hash, userId: r.user_id, sealed: r.sealed, createdAt: r.created_at, expiresAt: r.expires_at,
  } : null;
}

/** Is there a pending authorization with this state (whoever started it)? */
export async function crmOauthRequestExists(db: DbOrTrx, workspaceId: string, stateHash: string): Promise<boolean> {
  return Boolean(await db.selectFrom('crm_oauth_request').select('state_hash').where('workspace_id', '=', workspaceId).where('state_hash', '=', stateHash).executeTakeFirst());
}
