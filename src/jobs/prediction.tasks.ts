import { refreshPredictionsInUse } from '../app/prediction/models.ts';
import { workspacesWithModels } from '../storage/predictions.repo.ts';
import type { JobHandlers } from './catalogue.ts';
import type { JobDeps } from './handoff.tasks.ts';

/** Predictions refreshed after new activity, and nightly for everyone (recency features age without activity). */
export function predictionHandlers(deps: JobDeps): Pick<JobHandlers, 'predict-contacts' | 'refresh-predictions'> {
  return {
    'predict-contacts': async ({ workspaceId, contactIds }) => {
      const result = await refreshPredictionsInUse(deps, workspaceId, { contactIds });
      // A contact merged or erased since the job was queued is not an error worth retrying.
      if (!result.ok && result.code !== 'NotFound') throw new Error(result.message);
    },
    'refresh-predictions': async () => {
      for (const workspaceId of await workspacesWithModels(deps.db)) await refreshPredictionsInUse(deps, workspaceId);
    },
  };
}

export const predictionCrontab = ['23 4 * * * refresh-predictions ?max=1&fill=1d'];
