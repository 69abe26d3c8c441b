import type { AppDeps } from '../app/context.ts';
import { recomputeDefinition } from '../app/scoring/refresh-scores.ts';
import type { JobHandler } from './catalogue.ts';

/** After an activation: every contact scored from scratch under the new active version. */
export function recomputeDefinitionHandler(deps: AppDeps): JobHandler<'recompute-definition'> {
  return async (p) => { await recomputeDefinition(deps, p.workspaceId, p.definitionId, deps.clock.now()); };
}
