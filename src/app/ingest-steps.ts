import { createIngestPipeline, type IngestPipeline, type IngestStep } from './ingest-pipeline.ts';
import { scoreActivities } from './scoring/score-activities.ts';

/**
 * Scores what was just stored, in the ingesting transaction: engagement moves incrementally and a
 * lead that meets the active definition becomes MQL before the HTTP answer is sent. The MQL
 * transition goes through the lead use case, so routing, SLA clocks and alerts follow from it.
 */
export const scoringStep: IngestStep = {
  name: 'score',
  run: async (trx, ctx, persisted) => {
    await scoreActivities(trx, ctx.workspaceId, [...persisted], ctx.receivedAt);
  },
};

/** The pipeline every server uses: the fixed capture steps, then these post-persist steps. */
export function createStandardIngestPipeline(): IngestPipeline {
  return createIngestPipeline({ steps: [scoringStep] });
}
