import { decideAccountOwner } from '../core/account-owner.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { getAccount, type Account } from '../storage/accounts.repo.ts';
import { loadAccountOverview, lockAccount, setAccountOwner, type AccountOverviewRows } from '../storage/accounts-overview.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps, Principal } from './context.ts';
import { actorOf } from './permissions.ts';
import { inTransaction } from './transaction.ts';

export type AccountOverview = AccountOverviewRows & { account: Account };

/** An account's page: the account, its people, leads, opportunities and what its people did (by kind, and the latest acts). */
export async function accountOverview(deps: AppDeps, ws: string, id: string): Promise<Result<AccountOverview>> {
  const account = await getAccount(deps.db, ws, id);
  if (!account) return fail('NotFound', `Account ${id} not found in this workspace.`);
  return ok({ account, ...(await loadAccountOverview(deps.db, ws, id, deps.clock.now())) });
}

/**
 * Changes who owns an account (account-owner routing follows it from the next lead on). Checked by
 * `decideAccountOwner` before anything is written; the change is audit-logged with before/after.
 */
export async function changeAccountOwner(deps: AppDeps, principal: Principal, id: string, input: { ownerId: string | null; reason?: string | null }): Promise<Result<Account>> {
  const ws = principal.workspaceId;
  const current = await getAccount(deps.db, ws, id);
  if (!current) return fail('NotFound', `Account ${id} not found in this workspace.`);
  const [actor, currentOwner] = await Promise.all([actorOf(deps, principal), current.ownerId ? getUser(deps.db, ws, current.ownerId) : null]);
  const decision = decideAccountOwner(actor, { ownerId: current.ownerId, ownerName: currentOwner?.name ?? null });
  if (!decision.allowed) return fail('Forbidden', decision.message, [{ path: 'who_may', message: decision.whoMay }]);
  if (input.ownerId) {
    const owner = await getUser(deps.db, ws, input.ownerId);
    if (!owner) return fail('ValidationFailed', `User ${input.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
    if (owner.disabledAt) return fail('ValidationFailed', `${owner.name} is disabled and cannot own accounts; choose an active user.`, [{ path: 'owner_id', message: 'disabled user' }]);
  }
  const now = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockAccount(trx, ws, id);
    if (!locked) return fail('NotFound', `Account ${id} not found in this workspace.`);
    if (locked.ownerId === input.ownerId) return ok(locked);
    const updated = await setAccountOwner(trx, ws, id, input.ownerId, now);
    await recordAudit(trx, {
      workspaceId: ws, actor: principal, at: now, action: 'account.owner_changed', object: { type: 'account', id },
      before: { ownerId: locked.ownerId }, after: { ownerId: updated.ownerId }, reason: input.reason ?? null,
    });
    return ok(updated);
  });
}
