import type { Role } from '../access.ts';
import { fail, ok, type Result } from '../result.ts';
import { sides, type Side } from './versioning.ts';

/**
 * Who speaks for which side of the agreement. Each workspace keeps an approver list per side
 * (`settings.approvers`); a side without a list defaults to its managers and the admins. In this role
 * model the managers of sales are the `sales_manager`s; marketing has no rep/manager split (the
 * `marketing` role already owns marketing's costs, targets and attribution settings), so every
 * marketing user is one of marketing's managers. A sales rep or a viewer is never an approver. An
 * admin is in both default lists but signs one side per decision (one approval per person), so two
 * people always sign; someone named in one side's explicit list is not in the other side's default,
 * and in explicit lists nobody is an approver of both sides.
 */

export type ApproverLists = Partial<Record<Side, readonly string[]>>;
export type ApproverCandidate = { id: string; role: Role; disabled: boolean };
export type Approvers = Record<Side, { userIds: string[]; explicit: boolean }>;

/** The roles that may approve for a side. */
export const approverRoles: Record<Side, readonly Role[]> = { marketing: ['marketing', 'admin'], sales: ['sales_manager', 'admin'] };
/** Who approves for a side when no list is set: its managers and the admins, never a rep. */
export const defaultApproverRoles: Record<Side, readonly Role[]> = { marketing: ['marketing', 'admin'], sales: ['sales_manager', 'admin'] };

/** The side a role belongs to (admins and viewers belong to neither). */
export function sideOfRole(role: Role | null | undefined): Side | null {
  if (role === 'marketing') return 'marketing';
  if (role === 'sales' || role === 'sales_manager') return 'sales';
  return null;
}

/** Today's approvers: listed users who still hold an approving role and are enabled, or the default. */
export function resolveApprovers(lists: ApproverLists | null | undefined, users: readonly ApproverCandidate[]): Approvers {
  const byId = new Map(users.map((u) => [u.id, u]));
  const out = {} as Approvers;
  for (const side of sides) {
    const list = lists?.[side];
    if (list && list.length) {
      out[side] = { explicit: true, userIds: list.filter((id) => { const u = byId.get(id); return !!u && !u.disabled && approverRoles[side].includes(u.role); }) };
    } else {
      // Someone an admin named for the other side speaks for that side only.
      const other = lists?.[side === 'marketing' ? 'sales' : 'marketing'] ?? [];
      out[side] = { explicit: false, userIds: users.filter((u) => !u.disabled && defaultApproverRoles[side].includes(u.role) && !other.includes(u.id)).map((u) => u.id) };
    }
  }
  return out;
}

export function sidesOf(userId: string, approvers: Approvers): Side[] {
  return sides.filter((s) => approvers[s].userIds.includes(userId));
}

/** Checks lists an admin submits; each problem names the side, the position and what to do. */
export function validateApproverLists(lists: ApproverLists, users: readonly (ApproverCandidate & { email: string })[]): Result<ApproverLists> {
  const byId = new Map(users.map((u) => [u.id, u]));
  const details: { path: string; message: string }[] = [];
  const seen = new Map<string, Side>();
  for (const side of sides) {
    (lists[side] ?? []).forEach((id, i) => {
      const path = `${side}[${i}]`;
      const u = byId.get(id);
      if (!u) { details.push({ path, message: `user ${id} is not in this workspace` }); return; }
      if (u.disabled) details.push({ path, message: `${u.email} is disabled` });
      else if (!approverRoles[side].includes(u.role)) {
        details.push({ path, message: `${u.email} has the role ${u.role}; ${side} approvers must be ${approverRoles[side].join(' or ')}${u.role === 'sales' ? ' (a sales rep never signs for a side)' : ''}` });
      }
      const other = seen.get(id);
      if (other && other !== side) details.push({ path, message: `${u.email} is already an approver for ${other}; one person speaks for one side` });
      else if (other) details.push({ path, message: `${u.email} is listed twice` });
      seen.set(id, side);
    });
  }
  if (details.length) return fail('ValidationFailed', `The approver lists were not saved: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}.`, details);
  return ok({ marketing: [...(lists.marketing ?? [])], sales: [...(lists.sales ?? [])] });
}

export type Editor = { userId: string | null; role: Role | null };

/**
 * A draft belongs to its author's side: only that side (and admins) edit, propose or withdraw it,
 * so a refusal sends the proposal back to its authors, not into the other side's hands. Drafts by
 * an admin or a machine key belong to no side.
 */
export function mayEditDraft(ownerSide: Side | null, editor: Editor, version: number): Result<true> {
  if (!ownerSide || editor.role === 'admin') return ok(true);
  if (sideOfRole(editor.role) === ownerSide) return ok(true);
  return fail('Forbidden', `Version ${version} is a ${ownerSide} draft: only ${ownerSide} (or an admin) may change, propose or withdraw it; ${editor.userId ? `you are ${editor.role ?? 'without a role'}` : 'a machine key speaks for no side'}. Refuse or comment on the proposal instead, or start your own draft.`);
}
