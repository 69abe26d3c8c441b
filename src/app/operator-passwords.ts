import { passwordProblem } from '../core/auth/password-policy.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { deleteSessionsOfUser } from '../storage/sessions.repo.ts';
import { retireUserTokens } from '../storage/user-tokens.repo.ts';
import { adminsWithDemoPassword, getUser, setPasswordHash, type User } from '../storage/users.repo.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { hashPassword } from './secrets.ts';
import { withTransaction } from './transaction.ts';

/**
 * Sets a user's password from the command line (an operator with database access: no current
 * password asked). The policy applies; every session of the user ends and open links stop working.
 */
export async function setUserPassword(deps: AppDeps, workspaceId: string, userId: string, password: string): Promise<Result<User>> {
  const user = await getUser(deps.db, workspaceId, userId);
  if (!user) return fail('NotFound', `User ${userId} not found in this workspace.`);
  const problem = passwordProblem(password, { email: user.email, name: user.name });
  if (problem) return fail('ValidationFailed', problem.message, [{ path: 'password', message: problem.code }]);
  const hash = await hashPassword(password);
  const now = deps.clock.now();
  await withTransaction(deps, async (trx) => {
    await setPasswordHash(trx, workspaceId, userId, hash, now);
    await retireUserTokens(trx, workspaceId, userId, now);
    const sessionsEnded = await deleteSessionsOfUser(trx, workspaceId, userId);
    await recordAudit(trx, { workspaceId, actor: { kind: 'system', label: 'command line' }, at: now, action: 'user.password_set', object: { type: 'user', id: userId }, after: { email: user.email, sessionsEnded } });
  });
  return ok({ ...user, passwordSet: true });
}

/** Emails of admins (any workspace) who still sign in with the demo seed's password: the first-run warning. */
export async function demoPasswordAdminEmails(deps: AppDeps): Promise<string[]> {
  return (await adminsWithDemoPassword(deps.db, null)).map((a) => a.email);
}
