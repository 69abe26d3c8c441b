import { z } from 'zod';
import { roles, type Role } from '../../core/access.ts';
import { parseDefinition, parseDefinitionText } from '../../core/definitions/definition-parse.ts';
import type { LeadDefinition } from '../../core/definitions/definition-schema.ts';
import {
  canEdit, decideActivation, decideApproval, decidePropose, decideRetire, decideWithdraw, defaultSignOffGroups,
  type Approval, type DefinitionVersionState, type SignOffGroups, type SignOffStatus,
} from '../../core/definitions/versioning.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import type { DbOrTrx, Trx } from '../../storage/db.ts';
import {
  clearApprovals, insertDefinitionEvent, listApprovals, loadDefinitionRefs, lockDefinitions, updateDefinition, upsertApproval,
  type DefinitionApprovalRecord, type DefinitionEventKind,
} from '../../storage/definition-versions.repo.ts';
import { insertDefinitionDraft, type LeadDefinitionRecord } from '../../storage/definitions.repo.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { publish } from '../events/dispatcher.ts';
import { getWorkspace } from '../../storage/workspaces.repo.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/**
 * A definition version's life through the API: draft (editable, validated on every save) →
 * proposed → approved by every sign-off group → active (the previous active one retired in the
 * same transaction) → retired. The decisions are the core's (versioning.ts); this file locks,
 * persists and logs them.
 */

export type DefinitionInput = { document?: unknown; text?: string; format?: 'yaml' | 'json' };
export type Signer = { userId: string; role: Role };

/** Validates a document (or YAML/JSON text) against the schema and the workspace's content and fields. */
export async function validateDefinitionInput(db: DbOrTrx, workspaceId: string, input: DefinitionInput): Promise<Result<LeadDefinition>> {
  const loaded = await loadDefinitionRefs(db, workspaceId);
  const refs = { contentIds: new Set(loaded.contentIds), customFields: new Set(loaded.customFields) };
  if (input.text !== undefined) return parseDefinitionText(input.text, input.format ?? 'yaml', refs);
  if (input.document === undefined) return fail('ValidationFailed', 'Send the definition as `document` (an object) or as `text` with `format` yaml or json.', [{ path: 'document', message: 'required' }]);
  return parseDefinition(input.document, refs);
}

const signOffGroupsSchema = z.array(z.array(z.enum(roles)).min(1)).min(1);

/** workspace.settings.signOffGroups, e.g. [["marketing"],["sales","sales_manager"]]; the default when unset or malformed. */
export async function signOffGroupsOf(db: DbOrTrx, workspaceId: string): Promise<SignOffGroups> {
  const ws = await getWorkspace(db, workspaceId);
  const parsed = signOffGroupsSchema.safeParse(ws?.settings.signOffGroups);
  return parsed.success ? parsed.data : defaultSignOffGroups;
}

export function versionState(record: LeadDefinitionRecord, approvals: readonly DefinitionApprovalRecord[]): DefinitionVersionState {
  return {
    version: record.version, status: record.status,
    approvals: approvals.map((a): Approval => ({ userId: a.userId, role: a.role as Role, decision: a.decision, at: a.at, comment: a.comment })),
    proposedAt: record.proposedAt, approvedAt: record.approvedAt, activatedAt: record.activatedAt, retiredAt: record.retiredAt,
  };
}

const notFound = (id: string) => fail('NotFound', `Definition ${id} not found in this workspace.`);

async function logEvent(trx: Trx, workspaceId: string, definitionId: string, kind: DefinitionEventKind, at: Date, who: { userId: string | null; role?: string | null; comment?: string | null }) {
  await insertDefinitionEvent(trx, workspaceId, { definitionId, at, kind, userId: who.userId, role: who.role ?? null, comment: who.comment ?? null });
}

/** Locks one version and returns it with its current sign-off round. */
async function lockOne(trx: Trx, workspaceId: string, id: string): Promise<Result<{ record: LeadDefinitionRecord; approvals: DefinitionApprovalRecord[] }>> {
  const [record] = await lockDefinitions(trx, workspaceId, [id], false);
  if (!record) return notFound(id);
  const approvals = (await listApprovals(trx, workspaceId, [id])).get(id) ?? [];
  return ok({ record, approvals });
}

export async function createDefinitionDraft(deps: AppDeps, workspaceId: string, input: DefinitionInput, userId: string | null): Promise<Result<LeadDefinitionRecord>> {
  const parsed = await validateDefinitionInput(deps.db, workspaceId, input);
  if (!parsed.ok) return parsed;
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const record = await insertDefinitionDraft(trx, workspaceId, { name: parsed.value.name, document: parsed.value as unknown as Record<string, unknown>, createdBy: userId, at });
    await logEvent(trx, workspaceId, record.id, 'created', at, { userId });
    return ok(record);
  });
}

/** Replaces a draft's document; proposed, approved, active and retired versions are immutable. */
export async function editDefinitionDraft(deps: AppDeps, workspaceId: string, id: string, input: DefinitionInput, userId: string | null): Promise<Result<LeadDefinitionRecord>> {
  const parsed = await validateDefinitionInput(deps.db, workspaceId, input);
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, workspaceId, id);
    if (!locked.ok) return locked;
    const editable = canEdit(versionState(locked.value.record, locked.value.approvals));
    if (!editable.ok) return editable;
    if (!parsed.ok) return parsed;
    const record = await updateDefinition(trx, workspaceId, id, { document: parsed.value as unknown as Record<string, unknown>, name: parsed.value.name });
    await logEvent(trx, workspaceId, id, 'edited', at, { userId });
    return ok(record);
  });
}

export async function proposeDefinition(deps: AppDeps, workspaceId: string, id: string, userId: string | null): Promise<Result<LeadDefinitionRecord>> {
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, workspaceId, id);
    if (!locked.ok) return locked;
    const next = decidePropose(versionState(locked.value.record, locked.value.approvals), at);
    if (!next.ok) return next;
    await clearApprovals(trx, workspaceId, id);
    const record = await updateDefinition(trx, workspaceId, id, { status: 'proposed', proposedAt: at, approvedAt: null });
    await logEvent(trx, workspaceId, id, 'proposed', at, { userId });
    return ok(record);
  });
}

export async function withdrawDefinition(deps: AppDeps, workspaceId: string, id: string, userId: string | null): Promise<Result<LeadDefinitionRecord>> {
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, workspaceId, id);
    if (!locked.ok) return locked;
    const next = decideWithdraw(versionState(locked.value.record, locked.value.approvals));
    if (!next.ok) return next;
    const record = await updateDefinition(trx, workspaceId, id, { status: 'draft', proposedAt: null });
    await logEvent(trx, workspaceId, id, 'withdrawn', at, { userId });
    return ok(record);
  });
}

export type SignOutcome = { definition: LeadDefinitionRecord; signOff: SignOffStatus };

/** One person's approval or refusal, signing with their own role. */
export async function signDefinition(
  deps: AppDeps, workspaceId: string, id: string, signer: Signer, request: { decision: 'approve' | 'refuse'; comment?: string | null },
): Promise<Result<SignOutcome>> {
  const at = deps.clock.now();
  const groups = await signOffGroupsOf(deps.db, workspaceId);
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, workspaceId, id);
    if (!locked.ok) return locked;
    const decided = decideApproval(versionState(locked.value.record, locked.value.approvals), { userId: signer.userId, roles: [signer.role] }, request, at, groups);
    if (!decided.ok) return decided;
    const { version, approval, signOff } = decided.value;
    await upsertApproval(trx, workspaceId, id, { userId: approval.userId, role: approval.role, decision: approval.decision, comment: approval.comment, at });
    const record = await updateDefinition(trx, workspaceId, id, { status: version.status, proposedAt: version.proposedAt, approvedAt: version.approvedAt });
    await logEvent(trx, workspaceId, id, approval.decision === 'approve' ? 'approved' : 'refused', at, { userId: signer.userId, role: approval.role, comment: approval.comment });
    return ok({ definition: record, signOff });
  });
}

export type ActivationOutcome = { activated: LeadDefinitionRecord; retired: LeadDefinitionRecord | null };

/**
 * Makes an approved version the active one and retires the one it replaces, in one transaction
 * (the one-active index holds at every instant); a recompute of every contact's score follows as a job.
 */
export async function activateDefinition(deps: AppDeps, workspaceId: string, id: string, userId: string | null): Promise<Result<ActivationOutcome>> {
  const at = deps.clock.now();
  const groups = await signOffGroupsOf(deps.db, workspaceId);
  return inTransaction(deps, async (trx) => {
    const locked = await lockDefinitions(trx, workspaceId, [id], true);
    const target = locked.find((r) => r.id === id);
    if (!target) return notFound(id);
    const current = locked.find((r) => r.status === 'active' && r.id !== id) ?? null;
    const approvals = await listApprovals(trx, workspaceId, locked.map((r) => r.id));
    const decided = decideActivation(
      versionState(target, approvals.get(id) ?? []), current ? versionState(current, approvals.get(current.id) ?? []) : null, at, groups,
    );
    if (!decided.ok) return decided;
    let retired: LeadDefinitionRecord | null = null;
    if (current) {
      retired = await updateDefinition(trx, workspaceId, current.id, { status: 'retired', retiredAt: at });
      await logEvent(trx, workspaceId, current.id, 'retired', at, { userId, comment: `replaced by version ${target.version}` });
    }
    const activated = await updateDefinition(trx, workspaceId, id, { status: 'active', activatedAt: at });
    await logEvent(trx, workspaceId, id, 'activated', at, { userId });
    await enqueue(trx, 'recompute-definition', { workspaceId, definitionId: id }, { jobKey: `recompute-definition:${workspaceId}` });
    await publish(trx, 'DefinitionActivated', { workspaceId, definitionId: id, version: activated.version, retiredDefinitionId: retired?.id ?? null, userId, at });
    return ok({ activated, retired });
  });
}

/** Retires the active version (leaving the workspace unscored) or shelves an approved one. */
export async function retireDefinition(deps: AppDeps, workspaceId: string, id: string, userId: string | null): Promise<Result<LeadDefinitionRecord>> {
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const locked = await lockOne(trx, workspaceId, id);
    if (!locked.ok) return locked;
    const next = decideRetire(versionState(locked.value.record, locked.value.approvals), at);
    if (!next.ok) return next;
    const record = await updateDefinition(trx, workspaceId, id, { status: 'retired', retiredAt: at });
    await logEvent(trx, workspaceId, id, 'retired', at, { userId });
    return ok(record);
  });
}
