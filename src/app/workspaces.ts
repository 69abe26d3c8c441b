import type { Role } from '../core/access.ts';
import { passwordProblem } from '../core/auth/password-policy.rules.ts';
import { normalizeEmail } from '../core/identity.ts';
import { defaultReasonCodes, type ReasonCode } from '../core/lifecycle.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { pageReasonCodes, upsertReasonCodes } from '../storage/reasons.repo.ts';
import { findUserByEmail, getUser, insertUser, listUsers, pageUsers, updateUser, type User } from '../storage/users.repo.ts';
import { findWorkspaceByName, insertWorkspace, listWorkspaces, type Workspace } from '../storage/workspaces.repo.ts';
import { recordAudit, withAudit } from './audit.ts';
import { withTransaction } from './transaction.ts';
import type { DbOrTrx } from '../storage/db.ts';
import type { AppDeps } from './context.ts';
import { hashPassword } from './secrets.ts';
import type { Page, PageRequest } from '../storage/page.ts';

export async function createWorkspace(deps: AppDeps, input: { name: string; isDemo?: boolean }): Promise<Result<Workspace>> {
  const name = input.name.trim();
  if (!name) return fail('ValidationFailed', 'A workspace needs a name.', [{ path: 'name', message: 'required' }]);
  if (await findWorkspaceByName(deps.db, name)) return fail('Conflict', `A workspace named '${name}' already exists.`, [{ path: 'name', message: 'taken' }]);
  const workspace = await withTransaction(deps, async (trx) => {
    const ws = await insertWorkspace(trx, { name, isDemo: input.isDemo ?? false });
    await upsertReasonCodes(trx, ws.id, defaultReasonCodes);
    return ws;
  });
  return ok(workspace);
}

/** Picks the workspace a CLI command acts on: by name, else the only one, else the demo one. */
export async function resolveWorkspace(deps: AppDeps, name?: string): Promise<Result<Workspace>> {
  if (name) {
    const ws = await findWorkspaceByName(deps.db, name);
    return ws ? ok(ws) : fail('NotFound', `No workspace named '${name}'. Create it with: leadloop workspaces create "${name}"`);
  }
  const all = await listWorkspaces(deps.db);
  if (all.length === 1) return ok(all[0]!);
  const demo = all.find((w) => w.isDemo);
  if (demo) return ok(demo);
  if (all.length === 0) return fail('NotFound', 'There is no workspace yet. Create one with: leadloop workspaces create NAME');
  return fail('ValidationFailed', `Several workspaces exist (${all.map((w) => w.name).join(', ')}); pick one with --workspace NAME.`);
}

export type NewUserInput = { email: string; name?: string; role: Role; password?: string | null; team?: string | null; managerId?: string | null };

/** Creates a user; a password, when given, must pass the password policy (CLI and API alike). */
export async function createUser(deps: AppDeps, workspaceId: string, input: NewUserInput): Promise<Result<User>> {
  return withTransaction(deps, async (trx) => {
    const created = await createUserInTrx(trx, workspaceId, input);
    if (created.ok) {
      await recordAudit(trx, { workspaceId, action: 'user.created', object: { type: 'user', id: created.value.id }, after: userAudit(created.value), at: deps.clock.now() });
    }
    return created;
  });
}

export async function createUserInTrx(db: DbOrTrx, workspaceId: string, input: NewUserInput): Promise<Result<User>> {
  const email = normalizeEmail(input.email);
  if (!email) return fail('ValidationFailed', `'${input.email}' is not a valid email address.`, [{ path: 'email', message: 'invalid email' }]);
  if (input.managerId && !(await getUser(db, workspaceId, input.managerId))) {
    return fail('ValidationFailed', `Manager ${input.managerId} does not exist in this workspace.`, [{ path: 'manager_id', message: 'unknown user' }]);
  }
  const name = input.name?.trim() || email.split('@')[0]!;
  if (input.password) {
    const problem = passwordProblem(input.password, { email, name });
    if (problem) return fail('ValidationFailed', problem.message, [{ path: 'password', message: problem.code }]);
  }
  if (await findUserByEmail(db, workspaceId, email)) return fail('Conflict', `A user with email ${email} already exists in this workspace.`, [{ path: 'email', message: 'taken' }]);
  const user = await insertUser(db, workspaceId, {
    email, name, role: input.role,
    passwordHash: input.password ? await hashPassword(input.password) : null, team: input.team ?? null, managerId: input.managerId ?? null,
  });
  return ok(user);
}

export async function usersPage(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<User>> {
  return pageUsers(deps.db, workspaceId, page);
}

export async function usersOf(deps: AppDeps, workspaceId: string): Promise<User[]> {
  return listUsers(deps.db, workspaceId);
}

export async function changeUser(deps: AppDeps, workspaceId: string, id: string, patch: { name?: string; role?: Role; team?: string | null; managerId?: string | null; outOfOfficeUntil?: Date | null; disabled?: boolean }): Promise<Result<User>> {
  if (patch.managerId && !(await getUser(deps.db, workspaceId, patch.managerId))) {
    return fail('ValidationFailed', `Manager ${patch.managerId} does not exist in this workspace.`, [{ path: 'manager_id', message: 'unknown user' }]);
  }
  const before = await getUser(deps.db, workspaceId, id);
  const updated = await withAudit(deps, (trx) => updateUser(trx, workspaceId, id, {
    ...patch, disabledAt: patch.disabled === undefined ? undefined : patch.disabled ? deps.clock.now() : null,
  }), (u) => (u && before ? {
    workspaceId, object: { type: 'user', id }, at: deps.clock.now(), before: userAudit(before), after: userAudit(u),
    action: u.role !== before.role ? 'user.role_changed' : (u.disabledAt === null) !== (before.disabledAt === null) ? (u.disabledAt ? 'user.disabled' : 'user.enabled') : 'user.changed',
  } : null));
  return updated ? ok(updated) : fail('NotFound', `User ${id} not found in this workspace.`);
}

/** What the audit log keeps of a user (never a password hash). */
const userAudit = (u: User) => ({
  email: u.email, name: u.name, role: u.role, team: u.team, managerId: u.managerId,
  outOfOfficeUntil: u.outOfOfficeUntil?.toISOString() ?? null, disabled: u.disabledAt !== null,
});

export async function findUser(deps: AppDeps, workspaceId: string, id: string): Promise<User | null> {
  return getUser(deps.db, workspaceId, id);
}

/** A page of the reason codes, by code. */
export async function reasonTaxonomy(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<ReasonCode>> {
  return pageReasonCodes(deps.db, workspaceId, page);
}
