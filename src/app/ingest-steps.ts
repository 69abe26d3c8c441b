import { createIngestPipeline, type IngestPipeline, type IngestStep } from './ingest-pipeline.ts';
import { reactToActivities } from './activity-reactions.ts';
import { inquiriesOnIdentify } from './scoring/inquiry-on-identify.ts';
import { rescoreMergedContacts } from './scoring/score-activities.ts';

/**
 * Reacts to what was just stored, in the ingesting transaction: engagement moves incrementally and a
 * lead that meets the active definition becomes MQL before the HTTP answer is sent (routing, SLA
 * clocks and alerts follow from the transition); high-intent reads alert owners; sales touches stop clocks.
 * A contact that absorbed merged contacts gets its score rebuilt from the whole history first (and
 * qualifies if that history makes it sales-ready).
 */
export const scoringStep: IngestStep = {
  name: 'score',
  run: async (trx, ctx, persisted) => {
    await reactToActivities(trx, ctx.workspaceId, persisted, ctx.receivedAt);
  },
  merged: async (trx, ctx, merges) => {
    await rescoreMergedContacts(trx, ctx.workspaceId, merges, ctx.receivedAt);
  },
  identified: async (trx, ctx, identified) => {
    await inquiriesOnIdentify(trx, ctx.workspaceId, identified, ctx.receivedAt);
  },
};

/** The pipeline every server uses: the fixed capture steps, then these post-persist steps. */
export function createStandardIngestPipeline(): IngestPipeline {
  return createIngestPipeline({ steps: [scoringStep] });
}
