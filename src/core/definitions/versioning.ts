import { fail, ok, type Result } from '../result.ts';

/**
 * A definition version's life: draft → proposed → approved → active → retired. A proposed
 * version needs a sign-off from every required role group (by default marketing, and sales or
 * a sales manager), each by a different person; one refusal sends it back to draft. Approved
 * versions are immutable: to change one, copy it into a new draft.
 */

export const definitionStatuses = ['draft', 'proposed', 'approved', 'active', 'retired'] as const;
export type DefinitionStatus = (typeof definitionStatuses)[number];
export type Role = 'admin' | 'marketing' | 'sales' | 'sales_manager' | 'viewer';
/** Each inner list is one side that must sign; any role in it will do. */
export type SignOffGroups = readonly (readonly Role[])[];
export const defaultSignOffGroups: SignOffGroups = [['marketing'], ['sales', 'sales_manager']];

export type Signer = { userId: string; roles: readonly Role[] };
export type Approval = { userId: string; role: Role; decision: 'approve' | 'refuse'; at: Date; comment: string | null };
export type DefinitionVersionState = {
  version: number;
  status: DefinitionStatus;
  /** Sign-offs of the current proposal round (a new proposal starts a new round). */
  approvals: Approval[];
  proposedAt: Date | null;
  approvedAt: Date | null;
  activatedAt: Date | null;
  retiredAt: Date | null;
};

export function newDraft(version: number): DefinitionVersionState {
  return { version, status: 'draft', approvals: [], proposedAt: null, approvedAt: null, activatedAt: null, retiredAt: null };
}

const groupText = (g: readonly Role[]): string => g.join(' or ');
const missingText = (missing: readonly (readonly Role[])[]): string => missing.map(groupText).join(' and from ');

export type SignOffStatus = {
  complete: boolean;
  /** Which approval (by user) covers which group; one person covers at most one group. */
  covered: { group: readonly Role[]; userId: string }[];
  missing: (readonly Role[])[];
};

/** Matches approvals to groups so that each group is signed by a different person (small bipartite matching). */
export function signOffStatus(approvals: readonly Approval[], groups: SignOffGroups = defaultSignOffGroups): SignOffStatus {
  const approvers = new Map<string, Set<Role>>();
  for (const a of approvals) {
    if (a.decision !== 'approve') continue;
    const roles = approvers.get(a.userId) ?? new Set<Role>();
    roles.add(a.role);
    approvers.set(a.userId, roles);
  }
  const users = [...approvers.keys()];
  const assigned: (string | null)[] = groups.map(() => null);
  const tryAssign = (gi: number, seen: Set<string>): boolean => {
    for (const user of users) {
      if (seen.has(user) || !(groups[gi] ?? []).some((r) => approvers.get(user)?.has(r))) continue;
      seen.add(user);
      const holder = assigned.indexOf(user);
      if (holder === -1 || tryAssign(holder, seen)) {
        // The holder group, if any, has just been moved to another person.
        assigned[gi] = user;
        return true;
      }
    }
    return false;
  };
  groups.forEach((_, gi) => { tryAssign(gi, new Set()); });
  const covered: SignOffStatus['covered'] = [];
  const missing: (readonly Role[])[] = [];
  groups.forEach((group, gi) => {
    const user = assigned[gi];
    if (user) covered.push({ group, userId: user });
    else missing.push(group);
  });
  return { complete: missing.length === 0, covered, missing };
}

/** Only drafts can be edited. */
export function canEdit(v: DefinitionVersionState): Result<true> {
  if (v.status === 'draft') return ok(true);
  if (v.status === 'proposed') return fail('Conflict', `Version ${v.version} is proposed for sign-off; withdraw it to a draft before editing.`);
  return fail('Conflict', `Version ${v.version} is ${v.status} and cannot change; copy it into a new draft to make changes.`);
}

export function decidePropose(v: DefinitionVersionState, now: Date): Result<DefinitionVersionState> {
  if (v.status !== 'draft') return fail('Conflict', `Only a draft can be proposed; version ${v.version} is ${v.status}.`);
  return ok({ ...v, status: 'proposed', approvals: [], proposedAt: now });
}

export function decideWithdraw(v: DefinitionVersionState): Result<DefinitionVersionState> {
  if (v.status !== 'proposed') return fail('Conflict', `Only a proposed version can be withdrawn; version ${v.version} is ${v.status}.`);
  return ok({ ...v, status: 'draft', proposedAt: null });
}

export type ApprovalRequest = { decision: 'approve' | 'refuse'; comment?: string | null };
export type ApprovalOutcome = { version: DefinitionVersionState; approval: Approval; signOff: SignOffStatus };

/**
 * Records one person's sign-off or refusal. The last needed approval moves the version to
 * approved; a refusal (comment required) sends it back to draft.
 * @example decideApproval(v, { userId: 'u1', roles: ['marketing'] }, { decision: 'approve' }, now)
 */
export function decideApproval(
  v: DefinitionVersionState, signer: Signer, request: ApprovalRequest, now: Date, groups: SignOffGroups = defaultSignOffGroups,
): Result<ApprovalOutcome> {
  if (v.status !== 'proposed') {
    return fail('Conflict', `Version ${v.version} is ${v.status}; only a proposed version can be approved or refused.`);
  }
  const signing = groups.flat();
  const eligible = signer.roles.filter((r) => signing.includes(r));
  if (!eligible.length) {
    return fail('Forbidden', `Signing a definition needs the role ${groups.map(groupText).join(', or ')}; you have ${signer.roles.join(', ') || 'no role'}.`);
  }
  const comment = request.comment?.trim() || null;
  if (v.approvals.some((a) => a.userId === signer.userId && a.decision === 'approve') && request.decision === 'approve') {
    return fail('Conflict', `You have already approved version ${v.version}; ${missingOr(v, groups)}`);
  }
  if (request.decision === 'refuse') {
    if (!comment) return fail('ValidationFailed', 'Refusing a definition needs a comment saying what to change.', [{ path: 'comment', message: 'required when refusing' }]);
    const approval: Approval = { userId: signer.userId, role: eligible[0] as Role, decision: 'refuse', at: now, comment };
    const approvals = [...v.approvals, approval];
    return ok({ version: { ...v, status: 'draft', approvals, proposedAt: null }, approval, signOff: signOffStatus(approvals, groups) });
  }
  // Sign with the role that fills a gap, so a sales manager who is also in marketing counts where needed.
  const before = signOffStatus(v.approvals, groups);
  const role = eligible.find((r) => before.missing.some((g) => g.includes(r))) ?? (eligible[0] as Role);
  const approval: Approval = { userId: signer.userId, role, decision: 'approve', at: now, comment };
  const approvals = [...v.approvals, approval];
  const signOff = signOffStatus(approvals, groups);
  const version: DefinitionVersionState = signOff.complete ? { ...v, approvals, status: 'approved', approvedAt: now } : { ...v, approvals };
  return ok({ version, approval, signOff });
}

function missingOr(v: DefinitionVersionState, groups: SignOffGroups): string {
  const status = signOffStatus(v.approvals, groups);
  return status.complete ? 'it is fully signed.' : `it still needs approval from ${missingText(status.missing)}.`;
}

/** Whether a version may become the active one; the refusal names the side that has not signed. */
export function canActivate(v: DefinitionVersionState, groups: SignOffGroups = defaultSignOffGroups): Result<true> {
  const status = signOffStatus(v.approvals, groups);
  switch (v.status) {
    case 'approved':
      if (status.complete) return ok(true);
      return fail('Conflict', `Version ${v.version} cannot be activated: it still needs approval from ${missingText(status.missing)} under the current sign-off rules.`);
    case 'draft':
      return fail('Conflict', `Version ${v.version} is a draft: propose it and get approval from ${missingText(groups)} before activating.`);
    case 'proposed':
      return fail('Conflict', `Version ${v.version} cannot be activated yet: it still needs approval from ${missingText(status.missing)}.`);
    case 'active':
      return fail('Conflict', `Version ${v.version} is already active.`);
    case 'retired':
      return fail('Conflict', `Version ${v.version} is retired; copy it into a new draft and have it signed again to use it.`);
  }
}

export type Activation = { activated: DefinitionVersionState; retired: DefinitionVersionState | null };

/** Activates an approved version and retires the one it replaces. */
export function decideActivation(
  next: DefinitionVersionState, current: DefinitionVersionState | null, now: Date, groups: SignOffGroups = defaultSignOffGroups,
): Result<Activation> {
  const allowed = canActivate(next, groups);
  if (!allowed.ok) return allowed;
  if (current && current.status !== 'active') {
    return fail('Conflict', `Version ${current.version} is ${current.status}, not the active version.`);
  }
  return ok({
    activated: { ...next, status: 'active', activatedAt: now },
    retired: current ? { ...current, status: 'retired', retiredAt: now } : null,
  });
}

/** Retires an active version (leaving no active definition) or shelves an approved one. */
export function decideRetire(v: DefinitionVersionState, now: Date): Result<DefinitionVersionState> {
  if (v.status !== 'active' && v.status !== 'approved') return fail('Conflict', `Only an active or approved version can be retired; version ${v.version} is ${v.status}.`);
  return ok({ ...v, status: 'retired', retiredAt: now });
}
