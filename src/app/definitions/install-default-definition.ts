import { defaultDefinition } from '../../core/definitions/default-definition.ts';
import type { LeadDefinition } from '../../core/definitions/definition-schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { listAllContentAssets } from '../../storage/content.repo.ts';
import { getActiveDefinition, type LeadDefinitionRecord } from '../../storage/definitions.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import type { AppDeps } from '../context.ts';
import { activateDefinition, createDefinitionDraft, proposeDefinition, signDefinition } from './definition-lifecycle.ts';

/**
 * The core's starter definition for this workspace: its decision-stage content assets join the
 * high-intent list (the starter references no content ids, since those are per workspace).
 */
export async function defaultDefinitionFor(deps: AppDeps, workspaceId: string): Promise<LeadDefinition> {
  const decision = (await listAllContentAssets(deps.db, workspaceId)).filter((c) => c.buyingStage === 'decision').map((c) => c.id).sort();
  return { ...defaultDefinition, highIntent: { ...defaultDefinition.highIntent, contentIds: decision.slice(0, 50) } };
}

/**
 * Gives a workspace the default definition as a signed, active version: draft, propose, approve
 * by a marketing and a sales user, activate. Does nothing when a definition is already active.
 * @example await installDefaultDefinition(deps, ws.id, { marketingUserId: marketing.id, salesUserId: rep.id })
 */
export async function installDefaultDefinition(
  deps: AppDeps, workspaceId: string, signers: { marketingUserId: string; salesUserId: string },
): Promise<Result<LeadDefinitionRecord>> {
  const existing = await getActiveDefinition(deps.db, workspaceId);
  if (existing) return ok(existing);
  const marketing = await getUser(deps.db, workspaceId, signers.marketingUserId);
  const sales = await getUser(deps.db, workspaceId, signers.salesUserId);
  if (!marketing || !sales) return fail('ValidationFailed', 'Both signers must be users of this workspace.', [{ path: marketing ? 'salesUserId' : 'marketingUserId', message: 'unknown user' }]);
  const document = await defaultDefinitionFor(deps, workspaceId);
  const draft = await createDefinitionDraft(deps, workspaceId, { document }, marketing.id);
  if (!draft.ok) return draft;
  const id = draft.value.id;
  const proposed = await proposeDefinition(deps, workspaceId, id, marketing.id);
  if (!proposed.ok) return proposed;
  for (const signer of [marketing, sales]) {
    const signed = await signDefinition(deps, workspaceId, id, { userId: signer.id, role: signer.role }, { decision: 'approve', comment: 'starter definition' });
    if (!signed.ok) return signed;
  }
  const activated = await activateDefinition(deps, workspaceId, id, marketing.id);
  return activated.ok ? ok(activated.value.activated) : activated;
}
