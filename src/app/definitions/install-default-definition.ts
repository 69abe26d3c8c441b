import { defaultDefinition } from '../../core/definitions/default-definition.ts';
import type { LeadDefinition } from '../../core/definitions/definition-schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { listAllContentAssets } from '../../storage/content.repo.ts';
import { insertDefinitionEvent, updateDefinition, upsertApproval } from '../../storage/definition-versions.repo.ts';
import { getActiveDefinition, insertDefinitionDraft, listDefinitions, type LeadDefinitionRecord } from '../../storage/definitions.repo.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { approversOf } from './definition-lifecycle.ts';

/**
 * The core's starter definition for this workspace: its decision-stage content assets join the
 * high-intent list (the starter references no content ids, since those are per workspace).
 */
export async function defaultDefinitionFor(deps: AppDeps, workspaceId: string): Promise<LeadDefinition> {
  const decision = (await listAllContentAssets(deps.db, workspaceId)).filter((c) => c.buyingStage === 'decision').map((c) => c.id).sort();
  return { ...defaultDefinition, highIntent: { ...defaultDefinition.highIntent, contentIds: decision.slice(0, 50) } };
}

/**
 * Gives a workspace that has never had a definition the starter definition, active: the setup step
 * of a new workspace (demo seed, first run), before anyone can have agreed to anything. It is logged
 * and audited as installed by the system at setup (owners who are their side's approvers are recorded
 * as agreeing); every later change goes through sign-off. A
 * workspace that has (or had) any version is refused: re-activating must be signed by both sides.
 * @example await installDefaultDefinition(deps, ws.id, { marketingUserId: marketing.id, salesUserId: rep.id })
 */
export async function installDefaultDefinition(
  deps: AppDeps, workspaceId: string, owners: { marketingUserId: string; salesUserId: string },
): Promise<Result<LeadDefinitionRecord>> {
  const existing = await getActiveDefinition(deps.db, workspaceId);
  if (existing) return ok(existing);
  const marketing = await getUser(deps.db, workspaceId, owners.marketingUserId);
  const sales = await getUser(deps.db, workspaceId, owners.salesUserId);
  if (!marketing || !sales) return fail('ValidationFailed', 'Both owners must be users of this workspace.', [{ path: marketing ? 'salesUserId' : 'marketingUserId', message: 'unknown user' }]);
  const document = await defaultDefinitionFor(deps, workspaceId);
  const at = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    if ((await listDefinitions(trx, workspaceId)).length) {
      return fail('Conflict', 'This workspace already has definition versions: the starter is only installed at setup; propose a version for sign-off instead.');
    }
    const draft = await insertDefinitionDraft(trx, workspaceId, { name: document.name, document: document as unknown as Record<string, unknown>, createdBy: marketing.id, ownerSide: 'marketing', at });
    const record = await updateDefinition(trx, workspaceId, draft.id, { status: 'active', proposedAt: at, approvedAt: at, activatedAt: at });
    const comment = 'starter definition installed at workspace setup';
    // The owners who are their side's approvers are recorded as having agreed to the starter at setup.
    const approvers = await approversOf(trx, workspaceId);
    for (const side of ['marketing', 'sales'] as const) {
      const owner = side === 'marketing' ? marketing : sales;
      if (approvers[side].userIds.includes(owner.id)) await upsertApproval(trx, workspaceId, record.id, { userId: owner.id, role: side, decision: 'approve', comment, at });
    }
    await insertDefinitionEvent(trx, workspaceId, { definitionId: record.id, at, kind: 'created', userId: marketing.id, role: null, comment });
    await insertDefinitionEvent(trx, workspaceId, { definitionId: record.id, at, kind: 'activated', userId: null, role: null, comment });
    await recordAudit(trx, {
      workspaceId, actor: { kind: 'system', label: 'workspace setup' }, action: 'definition.installed', object: { type: 'definition', id: record.id },
      after: { version: record.version, name: record.name, status: record.status }, reason: comment, at,
    });
    await enqueue(trx, 'recompute-definition', { workspaceId, definitionId: record.id }, { jobKey: `recompute-definition:${workspaceId}` });
    return ok(record);
  });
}
