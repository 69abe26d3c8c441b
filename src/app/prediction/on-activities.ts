import type { Trx } from '../../storage/db.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import { hasModel } from '../../storage/predictions.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';

/**
 * ActivitiesStored subscriber: where the workspace has a model, the people who just acted are re-predicted by a
 * `predict-contacts` job queued in the same transaction. Not inside it: a prediction reads the person's whole
 * history (~0.1 ms to score, but a few ms to read), and ingestion must not wait for an informative number.
 */
export async function queuePredictionsOnActivities(trx: Trx, e: DomainEvents['ActivitiesStored']): Promise<void> {
  if (e.activities.length === 0 || !(await hasModel(trx, e.workspaceId))) return;
  const contactIds = [...new Set(e.activities.map((a) => a.contactId))];
  for (let i = 0; i < contactIds.length; i += 1000) {
    await enqueue(trx, 'predict-contacts', { workspaceId: e.workspaceId, contactIds: contactIds.slice(i, i + 1000) }, { maxAttempts: 3 });
  }
}
