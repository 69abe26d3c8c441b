import type { AppDeps } from './context.ts';
import { loadActiveDefinition } from './definition-facts.ts';
import { modelVersionsByIds, predictionsOfContacts } from '../storage/predictions.repo.ts';

/** The inbox order the active (signed) definition asks for: a model's probability, or the priority bands. */
export type InboxSortView = { sort: 'priority' } | { sort: 'predicted'; modelId: string; modelVersion: number | null; definitionVersion: number };
export type InboxPrediction = { probability: number; modelVersion: number | null; topReason: string | null; computedAt: Date };

/**
 * With `inbox: {sort: 'predicted', model}` in the active definition, each listed person's stored prediction of that
 * model with its strongest reason for (one query for the page). Without it, no predictions: the inbox sort is
 * governed like the rest of the agreement, so a model nobody signed never reorders a rep's work.
 */
export async function inboxPredictions(deps: AppDeps, workspaceId: string, contactIds: readonly string[]): Promise<{ sort: InboxSortView; byContact: Map<string, InboxPrediction> }> {
  const active = await loadActiveDefinition(deps.db, workspaceId);
  const inbox = active?.definition.inbox;
  if (!active || inbox?.sort !== 'predicted') return { sort: { sort: 'priority' }, byContact: new Map() };
  const [versions, stored] = await Promise.all([
    modelVersionsByIds(deps.db, workspaceId, [inbox.model]),
    predictionsOfContacts(deps.db, workspaceId, inbox.model, [...new Set(contactIds)]),
  ]);
  const modelVersion = versions.get(inbox.model)?.version ?? null;
  const byContact = new Map<string, InboxPrediction>();
  for (const [contactId, p] of stored) {
    const e = p.explanation as { up?: { words: string }[]; down?: { words: string }[] } | null;
    byContact.set(contactId, { probability: p.probability, modelVersion, topReason: e?.up?.[0]?.words ?? e?.down?.[0]?.words ?? null, computedAt: p.computedAt });
  }
  return { sort: { sort: 'predicted', modelId: inbox.model, modelVersion, definitionVersion: active.record.version }, byContact };
}
