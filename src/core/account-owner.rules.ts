import type { PermissionActor } from './permissions.rules.ts';

export type AccountOwnerDecision = { allowed: true } | { allowed: false; message: string; whoMay: string };

/**
 * Who may change an account's owner (account-owner routing sends its leads to that person):
 * admins and sales managers, and the current owner handing their own account over. A machine key
 * needs the admin scope (a CRM sync); marketing and viewers may not.
 * @example decideAccountOwner(rep, { ownerId: rep.id }) → allowed; decideAccountOwner(rep, { ownerId: other }) → refused
 */
export function decideAccountOwner(actor: PermissionActor, account: { ownerId: string | null; ownerName: string | null }): AccountOwnerDecision {
  const whoMay = `a sales manager, an admin${account.ownerId ? ` or the account's owner (${account.ownerName ?? 'a former user'})` : ''}`;
  if (actor.kind === 'key') {
    return actor.permissions.has('admin') ? { allowed: true } : { allowed: false, whoMay, message: `Only ${whoMay} may change this account's owner; this machine key has no 'admin' scope.` };
  }
  if (actor.role === 'admin' || actor.role === 'sales_manager') return { allowed: true };
  if (actor.role === 'sales' && account.ownerId === actor.id) return { allowed: true };
  return { allowed: false, whoMay, message: `Only ${whoMay} may change this account's owner; you are ${actor.name} (${actor.role}).` };
}
