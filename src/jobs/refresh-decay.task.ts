import type { Task } from 'graphile-worker';
import type { AppDeps } from '../app/context.ts';
import { refreshDecay } from '../app/scoring/refresh-scores.ts';

/** Cron: decays engagement to the injected clock's now, so ratings drop without new activity. */
export function refreshDecayTask(deps: AppDeps): Task {
  return async (_payload, helpers) => {
    const outcome = await refreshDecay(deps, deps.clock.now());
    if (outcome.changed) helpers.logger.info(`refresh-decay: ${outcome.changed} of ${outcome.examined} scores changed`);
  };
}
