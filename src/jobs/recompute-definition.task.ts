import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { AppDeps } from '../app/context.ts';
import { recomputeDefinition } from '../app/scoring/refresh-scores.ts';

export const recomputeDefinitionPayload = z.object({ workspaceId: z.uuid(), definitionId: z.uuid() });

/** After an activation: every contact scored from scratch under the new active version. */
export function recomputeDefinitionTask(deps: AppDeps): Task {
  return async (payload) => {
    const p = recomputeDefinitionPayload.parse(payload);
    await recomputeDefinition(deps, p.workspaceId, p.definitionId, deps.clock.now());
  };
}
