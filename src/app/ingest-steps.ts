import { createIngestPipeline, type IngestPipeline, type IngestStep } from './ingest-pipeline.ts';
import { reactToActivities } from './activity-reactions.ts';

/**
 * Reacts to what was just stored, in the ingesting transaction: engagement moves incrementally and a
 * lead that meets the active definition becomes MQL before the HTTP answer is sent (routing, SLA
 * clocks and alerts follow from the transition); high-intent reads alert owners; sales touches stop clocks.
 */
export const scoringStep: IngestStep = {
  name: 'score',
  run: async (trx, ctx, persisted) => {
    await reactToActivities(trx, ctx.workspaceId, persisted, ctx.receivedAt);
  },
};

/** The pipeline every server uses: the fixed capture steps, then these post-persist steps. */
export function createStandardIngestPipeline(): IngestPipeline {
  return createIngestPipeline({ steps: [scoringStep] });
}
