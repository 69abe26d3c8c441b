import { modelsOf } from '../../core/definitions/predicted.ts';
import type { Trx } from '../../storage/db.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { currentSnapshots, latestModelRef, modelsByIds, predictedWithoutCurrentLead, upsertPredictions } from '../../storage/predictions.repo.ts';
import { publish } from '../events/dispatcher.ts';
import { loadActiveDefinition } from '../definition-facts.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { predictPeople, scoringModel, type ScoringModel } from './predict-people.ts';

/** More people than this in one publish (a bulk path) are re-predicted by queued jobs of this size instead. */
export const IN_TRANSACTION_MAX_CONTACTS = 1000;

/**
 * ActivitiesStored subscriber, registered BEFORE scoring (src/app/compose.ts). Where the workspace has a model:
 *
 * - **The active definition reads a model** (a `predicted` rule or the inbox sort): the people who just acted are
 *   re-predicted INSIDE the ingest transaction — one feature query for the batch's people, the pure scorer per person
 *   and model (the latest and every model the definition reads), one multi-row upsert — so the scoring subscriber
 *   that runs next reads the new probability, and an activity that pushes it over a predicted MQL threshold makes
 *   the MQL in the same request. Nothing is queued (no double work) and no PredictionsRefreshed is published: the
 *   batch's people are about to be scored anyway.
 * - **The model only informs** (no rule reads it): a `predict-contacts` job queued in the same transaction, as
 *   before — ingestion does not wait for a number that decides nothing. Bulk publishes (over
 *   IN_TRANSACTION_MAX_CONTACTS people) take the job path too.
 *
 * Without a model the cost is one indexed lookup of the latest model (as the old "has a model?" check).
 */
export async function predictOnActivities(trx: Trx, e: DomainEvents['ActivitiesStored']): Promise<void> {
  if (e.activities.length === 0) return;
  const latest = await latestModelRef(trx, e.workspaceId);
  if (!latest) return;
  const contactIds = [...new Set(e.activities.map((a) => a.contactId))];
  const active = await loadActiveDefinition(trx, e.workspaceId);
  const inUse = active ? modelsOf(active.definition) : [];
  if (inUse.length === 0 || contactIds.length > IN_TRANSACTION_MAX_CONTACTS) {
    for (let i = 0; i < contactIds.length; i += 1000) {
      await enqueue(trx, 'predict-contacts', { workspaceId: e.workspaceId, contactIds: contactIds.slice(i, i + 1000) }, { maxAttempts: 3 });
    }
    return;
  }
  const models = await modelsFor(trx, e.workspaceId, [...new Set([latest.id, ...inUse])]);
  const snapshots = await currentSnapshots(trx, e.workspaceId, { now: e.at, contactIds });
  await upsertPredictions(trx, e.workspaceId, predictPeople(models, snapshots, e.at));
  predictedHere.set(e, { models, inUse, contactIds });
}

/** Events whose people predictOnActivities predicted in the transaction (for predictOpenedLeads, which runs after scoring). */
const predictedHere = new WeakMap<DomainEvents['ActivitiesStored'], { models: ScoringModel[]; inUse: string[]; contactIds: string[] }>();

/**
 * ActivitiesStored subscriber, registered AFTER scoring: the people whose lead scoring just opened were predicted
 * (by predictOnActivities) before that lead existed, without its source and scores, which are model inputs — the
 * number a predicted MQL rule read for their first batch was not the one a refresh gives a moment later. They are
 * predicted again with their new lead, and PredictionsRefreshed re-scores them, so a predicted rule decides on the
 * same number in the same request. Only for events predictOnActivities predicted in the transaction (the active
 * definition reads a model, not a bulk publish): elsewhere it costs nothing. People who already had their current lead
 * are left alone (one indexed query).
 */
export async function predictOpenedLeads(trx: Trx, e: DomainEvents['ActivitiesStored']): Promise<void> {
  // Nothing to read where predictOnActivities did not predict in the transaction (no model, none in use, a bulk publish).
  const predicted = predictedHere.get(e);
  if (!predicted) return;
  const { models, inUse, contactIds } = predicted;
  const stale = await predictedWithoutCurrentLead(trx, e.workspaceId, inUse, contactIds);
  if (stale.length === 0) return;
  const snapshots = await currentSnapshots(trx, e.workspaceId, { now: e.at, contactIds: stale });
  await upsertPredictions(trx, e.workspaceId, predictPeople(models, snapshots, e.at));
  for (const modelId of inUse) await publish(trx, 'PredictionsRefreshed', { workspaceId: e.workspaceId, modelId, contactIds: stale, at: e.at });
}

// Trained models never change (a retraining is a new version with a new id), so the parsed parameters are kept per
// process by id: no invalidation needed, and a batch reads no model blob once its models were seen.
const MODEL_CACHE_SIZE = 64;
const modelCache = new Map<string, ScoringModel>();

async function modelsFor(trx: Trx, workspaceId: string, ids: string[]): Promise<ScoringModel[]> {
  const key = (id: string) => `${workspaceId}/${id}`;
  const missing = ids.filter((id) => !modelCache.has(key(id)));
  for (const m of await modelsByIds(trx, workspaceId, missing)) {
    if (modelCache.size >= MODEL_CACHE_SIZE) modelCache.delete(modelCache.keys().next().value!);
    modelCache.set(key(m.id), scoringModel(m));
  }
  // A definition naming a model is validated against the workspace's models, so each id resolves.
  return ids.flatMap((id) => modelCache.get(key(id)) ?? []);
}
