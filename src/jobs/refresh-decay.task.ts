import type { AppDeps } from '../app/context.ts';
import { refreshDecay } from '../app/scoring/refresh-scores.ts';
import type { JobHandler } from './catalogue.ts';

/** Cron: decays engagement to the injected clock's now, so ratings drop without new activity. */
export function refreshDecayHandler(deps: AppDeps): JobHandler<'refresh-decay'> {
  return async (_payload, _job, helpers) => {
    const outcome = await refreshDecay(deps, deps.clock.now());
    if (outcome.changed) helpers?.logger.info(`refresh-decay: ${outcome.changed} of ${outcome.examined} scores changed`);
  };
}
