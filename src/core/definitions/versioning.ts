import { fail, ok, type Result } from '../result.ts';

/**
 * A definition version's life: draft → proposed → approved → active → retired. The agreement is
 * between two sides, marketing and sales; every change to what is active needs both:
 * - adopting (activate, or replace the active one) — a proposed version needs a sign-off from each
 *   side's designated approvers, each side by a different person; one refusal (with a comment) sends
 *   it back to draft, owned by its author's side;
 * - retiring the active version — requested by an approver (counting as their side's sign-off) and
 *   signed by the other side, in its own round; a refusal cancels the request.
 * Who is an approver of which side is decided by `governance.ts`; these rules get the signer's sides.
 * Approved versions are immutable: to change one, copy it into a new draft.
 */

export const definitionStatuses = ['draft', 'proposed', 'approved', 'active', 'retired'] as const;
export type DefinitionStatus = (typeof definitionStatuses)[number];
export const sides = ['marketing', 'sales'] as const;
export type Side = (typeof sides)[number];
/** Each inner list is one group that must sign; a signer of any side in it will do. */
export type SignOffGroups = readonly (readonly Side[])[];
export const defaultSignOffGroups: SignOffGroups = [['marketing'], ['sales']];

/** A person signing, with the sides whose approver lists name them (empty: not an approver). */
export type Signer = { userId: string; sides: readonly Side[] };
export type Approval = { userId: string; side: Side; decision: 'approve' | 'refuse'; at: Date; comment: string | null };
export type Retirement = { requestedAt: Date; requestedBy: string; reason: string; approvals: Approval[] };
export type DefinitionVersionState = {
  version: number;
  status: DefinitionStatus;
  /** Sign-offs of the current proposal round (a new proposal starts a new round). */
  approvals: Approval[];
  proposedAt: Date | null;
  approvedAt: Date | null;
  activatedAt: Date | null;
  retiredAt: Date | null;
  /** The saved document's revision (every edit adds one) and the revision the kept backtest replayed. */
  revision?: number;
  backtestRevision?: number | null;
  /** A pending request to retire this (active) version. */
  retirement?: Retirement | null;
};

export function newDraft(version: number): DefinitionVersionState {
  return { version, status: 'draft', approvals: [], proposedAt: null, approvedAt: null, activatedAt: null, retiredAt: null, revision: 1, backtestRevision: null, retirement: null };
}

const groupText = (g: readonly Side[]): string => g.join(' or ');
const missingText = (missing: readonly (readonly Side[])[]): string => missing.map(groupText).join(' and from ');

export type SignOffStatus = {
  complete: boolean;
  /** Which approval (by user) covers which group; one person covers at most one group. */
  covered: { group: readonly Side[]; userId: string }[];
  missing: (readonly Side[])[];
};

/** Matches approvals to groups so that each group is signed by a different person (small bipartite matching). */
export function signOffStatus(approvals: readonly Approval[], groups: SignOffGroups = defaultSignOffGroups): SignOffStatus {
  const approvers = new Map<string, Set<Side>>();
  for (const a of approvals) {
    if (a.decision !== 'approve') continue;
    const s = approvers.get(a.userId) ?? new Set<Side>();
    s.add(a.side);
    approvers.set(a.userId, s);
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
  const missing: (readonly Side[])[] = [];
  groups.forEach((group, gi) => {
    const user = assigned[gi];
    if (user) covered.push({ group, userId: user });
    else missing.push(group);
  });
  return { complete: missing.length === 0, covered, missing };
}

/** Only drafts can be edited (who may edit which draft: governance.ts mayEditDraft). */
export function canEdit(v: DefinitionVersionState): Result<true> {
  if (v.status === 'draft') return ok(true);
  if (v.status === 'proposed') return fail('Conflict', `Version ${v.version} is proposed for sign-off; withdraw it to a draft before editing.`);
  return fail('Conflict', `Version ${v.version} is ${v.status} and cannot change; copy it into a new draft to make changes.`);
}

/**
 * A draft can be proposed once a backtest of exactly its current revision is kept with it
 * ("backtested before adoption"): an edit after the backtest needs a new one.
 */
export function decidePropose(v: DefinitionVersionState, now: Date): Result<DefinitionVersionState> {
  if (v.status !== 'draft') return fail('Conflict', `Only a draft can be proposed; version ${v.version} is ${v.status}.`);
  const revision = v.revision ?? 1;
  if (v.backtestRevision === undefined || v.backtestRevision === null) {
    return fail('Conflict', `Version ${v.version} has not been backtested: run POST /api/v1/definitions/{id}/backtest (the Backtest button) on this draft, then propose it.`);
  }
  if (v.backtestRevision !== revision) {
    return fail('Conflict', `Version ${v.version} was edited after its backtest (backtest of revision ${v.backtestRevision}, the draft is at revision ${revision}): backtest it again, then propose it.`);
  }
  return ok({ ...v, status: 'proposed', approvals: [], proposedAt: now });
}

export function decideWithdraw(v: DefinitionVersionState): Result<DefinitionVersionState> {
  if (v.status !== 'proposed') return fail('Conflict', `Only a proposed version can be withdrawn; version ${v.version} is ${v.status}.`);
  return ok({ ...v, status: 'draft', proposedAt: null });
}

export type ApprovalRequest = { decision: 'approve' | 'refuse'; comment?: string | null };
export type ApprovalOutcome = { version: DefinitionVersionState; approval: Approval; signOff: SignOffStatus };

function notApprover(groups: SignOffGroups): Result<never> {
  return fail('Forbidden', `Signing a definition needs a designated approver of ${groups.map(groupText).join(', or of ')}; you are on no approver list (an admin sets them in Settings › Approvers).`);
}

/** Adds one approval or refusal to a round: the side signed is the one that fills a gap. */
function sign(
  round: readonly Approval[], signer: Signer, request: ApprovalRequest, now: Date, groups: SignOffGroups, version: number,
): Result<{ approval: Approval; approvals: Approval[]; signOff: SignOffStatus }> {
  const signing = groups.flat();
  const eligible = signer.sides.filter((s) => signing.includes(s));
  if (!eligible.length) return notApprover(groups);
  const comment = request.comment?.trim() || null;
  if (request.decision === 'refuse') {
    if (!comment) return fail('ValidationFailed', 'Refusing needs a comment saying what to change.', [{ path: 'comment', message: 'required when refusing' }]);
    const approval: Approval = { userId: signer.userId, side: eligible[0] as Side, decision: 'refuse', at: now, comment };
    const approvals = [...round, approval];
    return ok({ approval, approvals, signOff: signOffStatus(approvals, groups) });
  }
  if (round.some((a) => a.userId === signer.userId && a.decision === 'approve')) {
    const status = signOffStatus(round, groups);
    return fail('Conflict', `You have already approved version ${version}; ${status.complete ? 'it is fully signed.' : `it still needs approval from ${missingText(status.missing)}.`}`);
  }
  const before = signOffStatus(round, groups);
  const side = eligible.find((s) => before.missing.some((g) => g.includes(s))) ?? (eligible[0] as Side);
  const approval: Approval = { userId: signer.userId, side, decision: 'approve', at: now, comment };
  const approvals = [...round, approval];
  return ok({ approval, approvals, signOff: signOffStatus(approvals, groups) });
}

/**
 * Records one approver's sign-off or refusal of a proposed version. The last needed approval moves
 * it to approved; a refusal (comment required) sends it back to draft.
 * @example decideApproval(v, { userId: 'u1', sides: ['marketing'] }, { decision: 'approve' }, now)
 */
export function decideApproval(
  v: DefinitionVersionState, signer: Signer, request: ApprovalRequest, now: Date, groups: SignOffGroups = defaultSignOffGroups,
): Result<ApprovalOutcome> {
  if (v.status === 'active' && v.retirement) return decideRetirementApproval(v, signer, request, now, groups);
  if (v.status !== 'proposed') {
    return fail('Conflict', `Version ${v.version} is ${v.status}; only a proposed version (or an active one with a pending retirement) can be approved or refused.`);
  }
  const signed = sign(v.approvals, signer, request, now, groups, v.version);
  if (!signed.ok) return signed;
  const { approval, approvals, signOff } = signed.value;
  if (approval.decision === 'refuse') return ok({ version: { ...v, status: 'draft', approvals, proposedAt: null }, approval, signOff });
  const version: DefinitionVersionState = signOff.complete ? { ...v, approvals, status: 'approved', approvedAt: now } : { ...v, approvals };
  return ok({ version, approval, signOff });
}

/** Whether a version may become the active one; the refusal names the side that has not signed. */
export function canActivate(v: DefinitionVersionState, groups: SignOffGroups = defaultSignOffGroups): Result<true> {
  const status = signOffStatus(v.approvals, groups);
  switch (v.status) {
    case 'approved':
      if (status.complete) return ok(true);
      return fail('Conflict', `Version ${v.version} cannot be activated: it still needs approval from ${missingText(status.missing)} under the current sign-off rules.`);
    case 'draft':
      return fail('Conflict', `Version ${v.version} is a draft: backtest it, propose it and get approval from ${missingText(groups)} before activating.`);
    case 'proposed':
      return fail('Conflict', `Version ${v.version} cannot be activated yet: it still needs approval from ${missingText(status.missing)}.`);
    case 'active':
      return fail('Conflict', `Version ${v.version} is already active.`);
    case 'retired':
      return fail('Conflict', `Version ${v.version} is retired; copy it into a new draft and have it signed again to use it.`);
  }
}

export type Activation = { activated: DefinitionVersionState; retired: DefinitionVersionState | null };

/** Activates an approved version and retires the one it replaces (both sides signed the replacement). */
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
    retired: current ? { ...current, status: 'retired', retiredAt: now, retirement: null } : null,
  });
}

/**
 * Retiring: an approved (never active) version is shelved at once — nothing active changes; the
 * active version gets a retirement request, signed by the requester's side, that the other side
 * must approve (`decideApproval` on the active version) before scoring stops.
 */
export function decideRetire(
  v: DefinitionVersionState, requester: Signer, reason: string | null | undefined, now: Date, groups: SignOffGroups = defaultSignOffGroups,
): Result<{ version: DefinitionVersionState; signOff: SignOffStatus | null }> {
  if (v.status === 'approved') return ok({ version: { ...v, status: 'retired', retiredAt: now }, signOff: null });
  if (v.status !== 'active') return fail('Conflict', `Only an active or approved version can be retired; version ${v.version} is ${v.status}.`);
  if (v.retirement) return fail('Conflict', `Retiring version ${v.version} was already requested; it needs approval from ${missingText(signOffStatus(v.retirement.approvals, groups).missing)} (POST /api/v1/definitions/{id}/approvals).`);
  const text = reason?.trim();
  if (!text) return fail('ValidationFailed', 'Retiring the active definition stops scoring for the whole workspace: say why in `reason`.', [{ path: 'reason', message: 'required' }]);
  const signed = sign([], requester, { decision: 'approve', comment: text }, now, groups, v.version);
  if (!signed.ok) {
    if (signed.code === 'Forbidden') return fail('Forbidden', `Retiring the active definition needs both sides: a designated approver requests it and the other side approves. You are on no approver list; ask an approver, or an admin for an emergency stop.`);
    return signed;
  }
  const retirement: Retirement = { requestedAt: now, requestedBy: requester.userId, reason: text, approvals: signed.value.approvals };
  if (signed.value.signOff.complete) return ok({ version: { ...v, status: 'retired', retiredAt: now, retirement }, signOff: signed.value.signOff });
  return ok({ version: { ...v, retirement }, signOff: signed.value.signOff });
}

function decideRetirementApproval(
  v: DefinitionVersionState, signer: Signer, request: ApprovalRequest, now: Date, groups: SignOffGroups,
): Result<ApprovalOutcome> {
  const retirement = v.retirement!;
  const signed = sign(retirement.approvals, signer, request, now, groups, v.version);
  if (!signed.ok) return signed;
  const { approval, approvals, signOff } = signed.value;
  if (approval.decision === 'refuse') return ok({ version: { ...v, retirement: null }, approval, signOff });
  const next: Retirement = { ...retirement, approvals };
  const version: DefinitionVersionState = signOff.complete ? { ...v, status: 'retired', retiredAt: now, retirement: next } : { ...v, retirement: next };
  return ok({ version, approval, signOff });
}

/** The admin's emergency stop: the active version is retired at once (reason required; both sides are told). */
export function decideEmergencyStop(v: DefinitionVersionState, reason: string | null | undefined, now: Date): Result<DefinitionVersionState> {
  if (v.status !== 'active') return fail('Conflict', `The emergency stop retires the active version; version ${v.version} is ${v.status}.`);
  if (!reason?.trim()) return fail('ValidationFailed', 'An emergency stop needs a reason: both sides\' approvers are told why scoring stopped.', [{ path: 'reason', message: 'required' }]);
  return ok({ ...v, status: 'retired', retiredAt: now, retirement: null });
}
