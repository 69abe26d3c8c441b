import { z } from 'zod';
import { parseDefinition, parseDefinitionText } from '../../core/definitions/definition-parse.ts';
import type { LeadDefinition } from '../../core/definitions/definition-schema.ts';
import { mayEditDraft, resolveApprovers, sideOfRole, sidesOf, validateApproverLists, type ApproverLists, type Approvers } from '../../core/definitions/governance.ts';
import {
  canEdit, decideActivation, decideApproval, decideEmergencyStop, decidePropose, decideRetire, decideWithdraw, defaultSignOffGroups,
  type Approval, type DefinitionVersionState, type Side, type SignOffGroups, type SignOffStatus,
} from '../../core/definitions/versioning.ts';
import { modelsOf } from '../../core/definitions/predicted.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import type { DbOrTrx, Trx } from '../../storage/db.ts';
import {
  clearApprovals, insertDefinitionEvent, listApprovals, loadDefinitionRefs, lockDefinitions, updateDefinition, upsertApproval,
  type DefinitionApprovalRecord, type DefinitionEventKind,
} from '../../storage/definition-versions.repo.ts';
import { insertDefinitionDraft, type LeadDefinitionRecord } from '../../storage/definitions.repo.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { modelVersionsByIds } from '../../storage/predictions.repo.ts';
import { listUsers } from '../../storage/users.repo.ts';
import { getWorkspace, mergeWorkspaceSettings } from '../../storage/workspaces.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import { publish } from '../events/dispatcher.ts';
import { inTransaction } from '../transaction.ts';

/**
 * A definition version's life through the API: draft (editable by its side, validated on every
 * save) → backtested → proposed → approved by both sides' designated approvers → active (the
 * previous active one retired in the same transaction) → retired (requested by one side, approved
 * by the other; or an admin's emergency stop). The decisions are the core's (versioning.ts,
 * governance.ts); this file locks, persists, logs (definition_event) and audits (audit_log) them.
 */

export type DefinitionInput = { document?: unknown; text?: string; format?: 'yaml' | 'json' };

/** Validates a document (or YAML/JSON text) against the schema and the workspace's content and fields. */
export async function validateDefinitionInput(db: DbOrTrx, workspaceId: string, input: DefinitionInput): Promise<Result<LeadDefinition>> {
  const loaded = await loadDefinitionRefs(db, workspaceId);
  const refs = { contentIds: new Set(loaded.contentIds), customFields: new Set(loaded.customFields) };
  if (input.text === undefined && input.document === undefined) return fail('ValidationFailed', 'Send the definition as `document` (an object) or as `text` with `format` yaml or json.', [{ path: 'document', message: 'required' }]);
  const parsed = input.text !== undefined ? parseDefinitionText(input.text, input.format ?? 'yaml', refs) : parseDefinition(input.document, refs);
  return parsed.ok ? checkModels(db, workspaceId, parsed.value) : parsed;
}

/** A definition may only name models trained in this workspace (predicted rules, the inbox sort). */
async function checkModels(db: DbOrTrx, workspaceId: string, definition: LeadDefinition): Promise<Result<LeadDefinition>> {
  const named = modelsOf(definition);
  if (named.length === 0) return ok(definition);
  const known = await modelVersionsByIds(db, workspaceId, named);
  const details = [
    ...(definition.predicted ?? []).flatMap((r, i) => (known.has(r.model) ? [] : [{ path: `predicted[${i}].model`, message: `no trained model ${r.model} in this workspace` }])),
    ...(definition.inbox?.sort === 'predicted' && !known.has(definition.inbox.model) ? [{ path: 'inbox.model', message: `no trained model ${definition.inbox.model} in this workspace` }] : []),
  ];
  if (details.length === 0) return ok(definition);
  return fail('ValidationFailed', `The definition names a model this workspace has not trained: ${[...new Set(named.filter((m) => !known.has(m)))].join(', ')}. Train one (POST /api/v1/models or \`leadloop model train\`) and use its id from GET /api/v1/models.`, details);
}

/** Both sides always sign: the groups are fixed; who speaks for a side is the approver list. */
export async function signOffGroupsOf(_db: DbOrTrx, _workspaceId: string): Promise<SignOffGroups> {
  return defaultSignOffGroups;
}

const approverListsSchema = z.object({ marketing: z.array(z.string()).optional(), sales: z.array(z.string()).optional() });

/** workspace.settings.approvers as stored (null when never set). */
export async function approverListsOf(db: DbOrTrx, workspaceId: string): Promise<ApproverLists | null> {
  const ws = await getWorkspace(db, workspaceId);
  const parsed = approverListsSchema.safeParse(ws?.settings.approvers);
  return parsed.success ? parsed.data : null;
}

/** Today's approvers of each side (the lists, or each side's managers by default). */
export async function approversOf(db: DbOrTrx, workspaceId: string): Promise<Approvers> {
  const [lists, users] = await Promise.all([approverListsOf(db, workspaceId), listUsers(db, workspaceId)]);
  return resolveApprovers(lists, users.map((u) => ({ id: u.id, role: u.role, disabled: u.disabledAt !== null })));
}

/** Approvals are stored with the side signed; rounds from before sides stored the signer's role. */
function sideOfStored(role: string): Side | null {
  if (role === 'marketing') return 'marketing';
  if (role === 'sales' || role === 'sales_manager') return 'sales';
  return null;
}

const toApprovals = (list: readonly DefinitionApprovalRecord[]): Approval[] => list.flatMap((a) => {
  const side = sideOfStored(a.role);
  return side ? [{ userId: a.userId, side, decision: a.decision, at: a.at, comment: a.comment }] : [];
});

export function versionState(record: LeadDefinitionRecord, approvals: readonly DefinitionApprovalRecord[], retireApprovals: readonly DefinitionApprovalRecord[] = []): DefinitionVersionState {
  return {
    version: record.version, status: record.status, approvals: toApprovals(approvals),
    proposedAt: record.proposedAt, approvedAt: record.approvedAt, activatedAt: record.activatedAt, retiredAt: record.retiredAt,
    revision: record.revision, backtestRevision: record.backtestRevision,
    retirement: record.retireRequest ? { requestedAt: record.retireRequest.at, requestedBy: record.retireRequest.by, reason: record.retireRequest.reason, approvals: toApprovals(retireApprovals) } : null,
  };
}

const notFound = (id: string) => fail('NotFound', `Definition ${id} not found in this workspace.`);

/** What the audit log keeps of a version's state (the document only where it changes). */
const stateOf = (r: LeadDefinitionRecord) => ({
  version: r.version, name: r.name, status: r.status, revision: r.revision, ownerSide: r.ownerSide,
  ...(r.retireRequest ? { retireRequest: { at: r.retireRequest.at.toISOString(), by: r.retireRequest.by, reason: r.retireRequest.reason } } : {}),
});

async function logEvent(trx: Trx, workspaceId: string, definitionId: string, kind: DefinitionEventKind, at: Date, who: { userId: string | null; role?: string | null; comment?: string | null }) {
  await insertDefinitionEvent(trx, workspaceId, { definitionId, at, kind, userId: who.userId, role: who.role ?? null, comment: who.comment ?? null });
}

async function audit(trx: Trx, p: Principal, action: string, at: Date, before: LeadDefinitionRecord | null, after: LeadDefinitionRecord | null, extra: { reason?: string | null; before?: unknown; after?: unknown } = {}) {
  const id = (after ?? before)!.id;
  await recordAudit(trx, {
    workspaceId: p.workspaceId, actor: p, action, object: { type: 'definition', id }, at, reason: extra.reason ?? null,
    before: extra.before ?? (before ? stateOf(before) : null), after: extra.after ?? (after ? stateOf(after) : null),
  });
}

/** Locks one version and returns it with its current sign-off rounds. */
async function lockOne(trx: Trx, workspaceId: string, id: string): Promise<Result<{ record: LeadDefinitionRecord; approvals: DefinitionApprovalRecord[]; retireApprovals: DefinitionApprovalRecord[] }>> {
  const [record] = await lockDefinitions(trx, workspaceId, [id], false);
  if (!record) return notFound(id);
  const approvals = (await listApprovals(trx, workspaceId, [id])).get(id) ?? [];
  const retireApprovals = record.retireRequest ? (await listApprovals(trx, workspaceId, [id], 'retire')).get(id) ?? [] : [];
  return ok({ record, approvals, retireApprovals });
}

const machineRefusal = (what: string) => fail('Forbidden', `${what} needs a person: log in, or use a personal API key (keys create --user EMAIL); a machine key cannot ${what.toLowerCase().startsWith('sign') ? 'sign' : 'change what is active'}.`);

export async function createDefinitionDraft(deps: AppDeps, p: Principal, input: DefinitionInput): Promise<Result<LeadDefinitionRecord>> {
  const parsed = await validateDefinitionInput(deps.db, p.workspaceId, input);
  if (!parsed.ok) return parsed;
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const record = await insertDefinitionDraft(trx, p.workspaceId, {
      name: parsed.value.name, document: parsed.value as unknown as Record<string, unknown>, createdBy: p.userId,
      ownerSide: p.userId ? sideOfRole(p.role) : null, at,
    });
    await logEvent(trx, p.workspaceId, record.id, 'created', at, { userId: p.userId });
    await audit(trx, p, 'definition.created', at, null, record, { after: { ...stateOf(record), document: record.document } });
    return ok(record);
  });
}

/** Replaces a draft's document (its side only); proposed, approved, active and retired versions are immutable. */
export async function editDefinitionDraft(deps: AppDeps, p: Principal, id: string, input: DefinitionInput): Promise<Result<LeadDefinitionRecord>> {
  const parsed = await validateDefinitionInput(deps.db, p.workspaceId, input);
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    const editable = canEdit(versionState(before, locked.value.approvals));
    if (!editable.ok) return editable;
    const allowed = mayEditDraft(before.ownerSide, p, before.version);
    if (!allowed.ok) return allowed;
    if (!parsed.ok) return parsed;
    const record = await updateDefinition(trx, p.workspaceId, id, { document: parsed.value as unknown as Record<string, unknown>, name: parsed.value.name });
    await logEvent(trx, p.workspaceId, id, 'edited', at, { userId: p.userId });
    await audit(trx, p, 'definition.edited', at, before, record, {
      before: { ...stateOf(before), document: before.document }, after: { ...stateOf(record), document: record.document },
    });
    return ok(record);
  });
}

/** Proposes a draft for sign-off: its side only, and only with a backtest of exactly this revision. */
export async function proposeDefinition(deps: AppDeps, p: Principal, id: string): Promise<Result<LeadDefinitionRecord>> {
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    if (before.status === 'draft') {
      const allowed = mayEditDraft(before.ownerSide, p, before.version);
      if (!allowed.ok) return allowed;
    }
    const next = decidePropose(versionState(before, locked.value.approvals), at);
    if (!next.ok) return next;
    await clearApprovals(trx, p.workspaceId, id);
    const record = await updateDefinition(trx, p.workspaceId, id, { status: 'proposed', proposedAt: at, approvedAt: null });
    await logEvent(trx, p.workspaceId, id, 'proposed', at, { userId: p.userId });
    await audit(trx, p, 'definition.proposed', at, before, record);
    return ok(record);
  });
}

export async function withdrawDefinition(deps: AppDeps, p: Principal, id: string): Promise<Result<LeadDefinitionRecord>> {
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    const next = decideWithdraw(versionState(before, locked.value.approvals));
    if (!next.ok) return next;
    const allowed = mayEditDraft(before.ownerSide, p, before.version);
    if (!allowed.ok) return allowed;
    const record = await updateDefinition(trx, p.workspaceId, id, { status: 'draft', proposedAt: null });
    await logEvent(trx, p.workspaceId, id, 'withdrawn', at, { userId: p.userId });
    await audit(trx, p, 'definition.withdrawn', at, before, record);
    return ok(record);
  });
}

export type SignOutcome = { definition: LeadDefinitionRecord; signOff: SignOffStatus };

/**
 * One approver's approval or refusal, for the side their approver list names: of a proposed
 * version (adoption), or of an active version's pending retirement. People only.
 */
export async function signDefinition(
  deps: AppDeps, p: Principal, id: string, request: { decision: 'approve' | 'refuse'; comment?: string | null },
): Promise<Result<SignOutcome>> {
  if (!p.userId) return machineRefusal('Signing a definition');
  const userId = p.userId;
  const at = deps.clock.now();
  const approvers = await approversOf(deps.db, p.workspaceId);
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    const state = versionState(before, locked.value.approvals, locked.value.retireApprovals);
    const retiring = state.status === 'active' && !!state.retirement;
    const decided = decideApproval(state, { userId, sides: sidesOf(userId, approvers) }, request, at);
    if (!decided.ok) return decided;
    const { version, approval, signOff } = decided.value;
    const stored = { userId: approval.userId, role: approval.side, decision: approval.decision, comment: approval.comment, at };
    let record: LeadDefinitionRecord;
    if (retiring) {
      if (approval.decision === 'refuse') {
        await clearApprovals(trx, p.workspaceId, id, 'retire');
        record = await updateDefinition(trx, p.workspaceId, id, { retireRequest: null });
        await logEvent(trx, p.workspaceId, id, 'retirement_refused', at, { userId, role: approval.side, comment: approval.comment });
        await audit(trx, p, 'definition.retirement_refused', at, before, record, { reason: approval.comment });
      } else {
        await upsertApproval(trx, p.workspaceId, id, stored, 'retire');
        const done = version.status === 'retired';
        record = done ? await updateDefinition(trx, p.workspaceId, id, { status: 'retired', retiredAt: at }) : before;
        await logEvent(trx, p.workspaceId, id, 'retirement_approved', at, { userId, role: approval.side, comment: approval.comment });
        await audit(trx, p, 'definition.retirement_approved', at, before, record, { reason: approval.comment });
        if (done) {
          await logEvent(trx, p.workspaceId, id, 'retired', at, { userId, comment: `signed by both sides: ${before.retireRequest?.reason ?? ''}` });
          await audit(trx, p, 'definition.retired', at, before, record, { reason: before.retireRequest?.reason ?? null });
        }
      }
      return ok({ definition: record, signOff });
    }
    await upsertApproval(trx, p.workspaceId, id, stored);
    // A refusal sends the proposal back to its author's side (the draft keeps its owner side).
    record = await updateDefinition(trx, p.workspaceId, id, { status: version.status, proposedAt: version.proposedAt, approvedAt: version.approvedAt });
    const refused = approval.decision === 'refuse';
    await logEvent(trx, p.workspaceId, id, refused ? 'refused' : 'approved', at, { userId, role: approval.side, comment: approval.comment });
    await audit(trx, p, refused ? 'definition.refused' : 'definition.approved', at, before, record, { reason: approval.comment });
    return ok({ definition: record, signOff });
  });
}

export type ActivationOutcome = { activated: LeadDefinitionRecord; retired: LeadDefinitionRecord | null };

/**
 * Makes a version both sides approved the active one and retires the one it replaces, in one
 * transaction (the one-active index holds at every instant); a recompute of every contact's score
 * follows as a job. Done by an approver of either side or an admin, never by a machine key.
 */
export async function activateDefinition(deps: AppDeps, p: Principal, id: string): Promise<Result<ActivationOutcome>> {
  if (!p.userId) return machineRefusal('Activating a definition');
  const at = deps.clock.now();
  const approvers = await approversOf(deps.db, p.workspaceId);
  if (p.role !== 'admin' && !sidesOf(p.userId, approvers).length) {
    return fail('Forbidden', 'Activating a signed definition is done by a designated approver of marketing or sales, or an admin; you are on no approver list.');
  }
  return inTransaction(deps, async (trx) => {
    const locked = await lockDefinitions(trx, p.workspaceId, [id], true);
    const target = locked.find((r) => r.id === id);
    if (!target) return notFound(id);
    const current = locked.find((r) => r.status === 'active' && r.id !== id) ?? null;
    const approvals = await listApprovals(trx, p.workspaceId, locked.map((r) => r.id));
    const decided = decideActivation(
      versionState(target, approvals.get(id) ?? []), current ? versionState(current, approvals.get(current.id) ?? []) : null, at,
    );
    if (!decided.ok) return decided;
    let retired: LeadDefinitionRecord | null = null;
    if (current) {
      await clearApprovals(trx, p.workspaceId, current.id, 'retire');
      retired = await updateDefinition(trx, p.workspaceId, current.id, { status: 'retired', retiredAt: at, retireRequest: null });
      await logEvent(trx, p.workspaceId, current.id, 'retired', at, { userId: p.userId, comment: `replaced by version ${target.version}` });
      await audit(trx, p, 'definition.replaced', at, current, retired, { reason: `replaced by version ${target.version}` });
    }
    const activated = await updateDefinition(trx, p.workspaceId, id, { status: 'active', activatedAt: at });
    await logEvent(trx, p.workspaceId, id, 'activated', at, { userId: p.userId });
    await audit(trx, p, 'definition.activated', at, target, activated, { reason: current ? `replaces version ${current.version}` : null });
    await enqueue(trx, 'recompute-definition', { workspaceId: p.workspaceId, definitionId: id }, { jobKey: `recompute-definition:${p.workspaceId}` });
    await publish(trx, 'DefinitionActivated', { workspaceId: p.workspaceId, definitionId: id, version: activated.version, retiredDefinitionId: retired?.id ?? null, userId: p.userId, at });
    return ok({ activated, retired });
  });
}

export type RetireOutcome = { definition: LeadDefinitionRecord; retired: boolean; signOff: SignOffStatus | null };

/**
 * Retiring the active version needs both sides: an approver's request counts as their side's
 * sign-off and the other side approves it (POST …/approvals). Shelving an approved, never-active
 * version changes nothing active: an approver or admin does it at once. People only.
 */
export async function retireDefinition(deps: AppDeps, p: Principal, id: string, reason: string | null): Promise<Result<RetireOutcome>> {
  if (!p.userId) return machineRefusal('Retiring a definition');
  const userId = p.userId;
  const at = deps.clock.now();
  const approvers = await approversOf(deps.db, p.workspaceId);
  const mySides = sidesOf(userId, approvers);
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    const state = versionState(before, locked.value.approvals, locked.value.retireApprovals);
    if (state.status === 'approved' && p.role !== 'admin' && !mySides.length) {
      return fail('Forbidden', 'Shelving an approved definition is done by a designated approver or an admin; you are on no approver list.');
    }
    const decided = decideRetire(state, { userId, sides: mySides }, reason, at);
    if (!decided.ok) return decided;
    const { version, signOff } = decided.value;
    if (state.status === 'approved') {
      const record = await updateDefinition(trx, p.workspaceId, id, { status: 'retired', retiredAt: at });
      await logEvent(trx, p.workspaceId, id, 'retired', at, { userId, comment: reason?.trim() || 'shelved before activation' });
      await audit(trx, p, 'definition.retired', at, before, record, { reason: reason?.trim() || 'shelved before activation' });
      return ok({ definition: record, retired: true, signOff: null });
    }
    const retirement = version.retirement!;
    const mine = retirement.approvals[0]!;
    await clearApprovals(trx, p.workspaceId, id, 'retire');
    await upsertApproval(trx, p.workspaceId, id, { userId, role: mine.side, decision: 'approve', comment: retirement.reason, at }, 'retire');
    let record = await updateDefinition(trx, p.workspaceId, id, { retireRequest: { at, by: userId, reason: retirement.reason } });
    await logEvent(trx, p.workspaceId, id, 'retirement_requested', at, { userId, role: mine.side, comment: retirement.reason });
    await audit(trx, p, 'definition.retirement_requested', at, before, record, { reason: retirement.reason });
    if (version.status === 'retired') {
      record = await updateDefinition(trx, p.workspaceId, id, { status: 'retired', retiredAt: at });
      await logEvent(trx, p.workspaceId, id, 'retired', at, { userId, comment: retirement.reason });
      await audit(trx, p, 'definition.retired', at, before, record, { reason: retirement.reason });
    }
    await enqueueGovernanceMail(trx, p.workspaceId, {
      kind: 'retirement_requested', definitionId: id, version: before.version, name: before.name, reason: retirement.reason, byUserId: userId,
      // An admin is on both default lists: one email each.
      to: [...new Set((signOff?.missing ?? []).flatMap((g) => g.flatMap((s) => approvers[s].userIds)))].filter((u) => u !== userId),
    }, at);
    return ok({ definition: record, retired: version.status === 'retired', signOff });
  });
}

/**
 * The admin's emergency stop: the active version is retired at once, with a reason, without waiting
 * for sign-off. Audit-logged; both sides' approvers are emailed (a job enqueued in this transaction).
 */
export async function emergencyStopDefinition(deps: AppDeps, p: Principal, id: string, reason: string | null): Promise<Result<LeadDefinitionRecord>> {
  if (!p.userId) return machineRefusal('An emergency stop');
  if (p.role !== 'admin') return fail('Forbidden', `The emergency stop is for admins only; you are ${p.role ?? 'without a role'}. To retire the active definition, ask an approver to request retirement.`);
  const userId = p.userId;
  const at = deps.clock.now();
  const approvers = await approversOf(deps.db, p.workspaceId);
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, p.workspaceId, id);
    if (!locked.ok) return locked;
    const before = locked.value.record;
    const decided = decideEmergencyStop(versionState(before, locked.value.approvals), reason, at);
    if (!decided.ok) return decided;
    const text = reason!.trim();
    await clearApprovals(trx, p.workspaceId, id, 'retire');
    const record = await updateDefinition(trx, p.workspaceId, id, { status: 'retired', retiredAt: at, retireRequest: null });
    await logEvent(trx, p.workspaceId, id, 'emergency_stopped', at, { userId, role: 'admin', comment: text });
    await audit(trx, p, 'definition.emergency_stopped', at, before, record, { reason: text });
    await enqueueGovernanceMail(trx, p.workspaceId, {
      kind: 'emergency_stopped', definitionId: id, version: before.version, name: before.name, reason: text, byUserId: userId,
      // The admin who stopped it knows; an admin is on both default lists (one email each).
      to: [...new Set([...approvers.marketing.userIds, ...approvers.sales.userIds])].filter((u) => u !== userId),
    }, at);
    return ok(record);
  });
}

export type GovernanceMail = {
  kind: 'emergency_stopped' | 'retirement_requested'; definitionId: string; version: number; name: string; reason: string; byUserId: string; to: string[];
};

async function enqueueGovernanceMail(trx: Trx, workspaceId: string, mail: GovernanceMail, at: Date): Promise<void> {
  const to = [...new Set(mail.to)];
  if (!to.length) return;
  await enqueue(trx, 'governance-notify', { workspaceId, ...mail, to }, { runAt: at });
}

export type ApproverView = Record<Side, { explicit: boolean; users: { id: string; name: string; email: string; role: string }[] }>;

/** Each side's approvers today, and whether the side uses an explicit list or its managers by default. */
export async function approversView(deps: AppDeps, workspaceId: string): Promise<ApproverView> {
  const [approvers, users] = await Promise.all([approversOf(deps.db, workspaceId), listUsers(deps.db, workspaceId)]);
  const byId = new Map(users.map((u) => [u.id, u]));
  const side = (s: Side) => ({
    explicit: approvers[s].explicit,
    users: approvers[s].userIds.map((id) => byId.get(id)!).map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role })),
  });
  return { marketing: side('marketing'), sales: side('sales') };
}

/**
 * Sets the approver lists (admins). An empty or missing list returns a side to its default (its
 * managers). Refused as a whole, naming each bad entry, when someone may not speak for that side.
 */
export async function setApprovers(deps: AppDeps, p: Principal, lists: ApproverLists): Promise<Result<ApproverView>> {
  const at = deps.clock.now();
  const users = await listUsers(deps.db, p.workspaceId);
  const valid = validateApproverLists(lists, users.map((u) => ({ id: u.id, role: u.role, disabled: u.disabledAt !== null, email: u.email })));
  if (!valid.ok) return valid;
  const before = await approversView(deps, p.workspaceId);
  const result = await inTransaction(deps, async (trx) => {
    await mergeWorkspaceSettings(trx, p.workspaceId, { approvers: valid.value });
    const after = resolveApprovers(valid.value, users.map((u) => ({ id: u.id, role: u.role, disabled: u.disabledAt !== null })));
    const emails = (ids: string[]) => ids.map((id) => users.find((u) => u.id === id)?.email ?? id);
    await recordAudit(trx, {
      workspaceId: p.workspaceId, actor: p, action: 'approvers.changed', object: { type: 'approvers', id: null }, at,
      before: { marketing: before.marketing.users.map((u) => u.email), sales: before.sales.users.map((u) => u.email) },
      after: { marketing: emails(after.marketing.userIds), sales: emails(after.sales.userIds) },
    });
    return ok(true);
  });
  if (!result.ok) return result;
  return ok(await approversView(deps, p.workspaceId));
}
