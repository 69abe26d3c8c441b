import type { Role } from '../core/access.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import './schema-sign-in.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type User = {
  workspaceId: string; id: string; email: string; name: string; role: Role; team: string | null;
  managerId: string | null; outOfOfficeUntil: Date | null; createdAt: Date; disabledAt: Date | null;
  /** False for an invited user who has not chosen a password yet (or a single-sign-on-only user). */
  passwordSet: boolean;
};
export type UserWithSecret = User & { passwordHash: string | null };

type Row = {
  workspace_id: string; id: string; email: string; name: string; role: string; team: string | null; manager_id: string | null;
  out_of_office_until: Date | null; created_at: Date; disabled_at: Date | null; password_hash: string | null;
};
const toUser = (r: Row): User => ({
  workspaceId: r.workspace_id, id: r.id, email: r.email, name: r.name, role: r.role as Role, team: r.team,
  managerId: r.manager_id, outOfOfficeUntil: r.out_of_office_until, createdAt: r.created_at, disabledAt: r.disabled_at,
  passwordSet: r.password_hash !== null,
});

export type NewUser = { email: string; name: string; role: Role; passwordHash: string | null; team?: string | null; managerId?: string | null; passwordIsDemo?: boolean };

export async function insertUser(db: DbOrTrx, workspaceId: string, input: NewUser): Promise<User> {
  const row = await db.insertInto('app_user').values({
    workspace_id: workspaceId, id: newId(), email: input.email, name: input.name, role: input.role,
    password_hash: input.passwordHash, team: input.team ?? null, manager_id: input.managerId ?? null,
    out_of_office_until: null, disabled_at: null, password_is_demo: input.passwordIsDemo ?? false,
  }).returningAll().executeTakeFirstOrThrow();
  return toUser(row);
}

export async function getUser(db: DbOrTrx, workspaceId: string, id: string): Promise<User | null> {
  const row = await db.selectFrom('app_user').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function findUserByEmail(db: DbOrTrx, workspaceId: string, email: string): Promise<User | null> {
  const row = await db.selectFrom('app_user').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Login looks a user up by email across workspaces; the caller picks when there are several. */
export async function findLoginCandidates(db: DbOrTrx, email: string): Promise<UserWithSecret[]> {
  const rows = await db.selectFrom('app_user').selectAll().where('email', '=', email).where('disabled_at', 'is', null).execute();
  return rows.map((r) => ({ ...toUser(r), passwordHash: r.password_hash }));
}

export async function listUsers(db: DbOrTrx, workspaceId: string): Promise<User[]> {
  const rows = await db.selectFrom('app_user').selectAll().where('workspace_id', '=', workspaceId).orderBy('email').execute();
  return rows.map(toUser);
}

export async function updateUser(db: DbOrTrx, workspaceId: string, id: string, patch: { role?: Role; team?: string | null; managerId?: string | null; outOfOfficeUntil?: Date | null; disabledAt?: Date | null; name?: string }): Promise<User | null> {
  const row = await db.updateTable('app_user').set({
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.team !== undefined ? { team: patch.team } : {}),
    ...(patch.managerId !== undefined ? { manager_id: patch.managerId } : {}),
    ...(patch.outOfOfficeUntil !== undefined ? { out_of_office_until: patch.outOfOfficeUntil } : {}),
    ...(patch.disabledAt !== undefined ? { disabled_at: patch.disabledAt } : {}),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toUser(row) : null;
}

/** A user with its password hash (password change checks the current one). */
export async function getUserWithSecret(db: DbOrTrx, workspaceId: string, id: string): Promise<UserWithSecret | null> {
  const row = await db.selectFrom('app_user').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

/** Sets a new password hash; the demo password (if it was one) is gone with it. */
export async function setPasswordHash(db: DbOrTrx, workspaceId: string, id: string, passwordHash: string, now: Date): Promise<void> {
  await db.updateTable('app_user').set({ password_hash: passwordHash, password_is_demo: false, password_changed_at: now })
    .where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Admins of the workspace still signing in with the demo seed's password (first-run warning). */
export async function adminsWithDemoPassword(db: DbOrTrx, workspaceId: string | null): Promise<{ id: string; email: string }[]> {
  let q = db.selectFrom('app_user').select(['id', 'email']);
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  return q.where('role', '=', 'admin').where('password_is_demo', '=', true).where('disabled_at', 'is', null).orderBy('email').execute();
}

/** Whether a user was invited and never set a password (an open invitation). */
export async function hasPassword(db: DbOrTrx, workspaceId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('app_user').select('password_hash').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return !!row?.password_hash;
}

const userKeyset: Keyset<Row> = { id: 'id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'email', type: 'text' } };

/** A page of the workspace's users by email (then id). */
export async function pageUsers(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<User>> {
  const q = db.selectFrom('app_user').selectAll().where('workspace_id', '=', workspaceId);
  return keysetPage(await keysetQuery(q, userKeyset, page).execute(), userKeyset, page.limit, toUser);
}
