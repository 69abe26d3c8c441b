import { createIngestPipeline, type IngestPipeline } from './ingest-pipeline.ts';

/**
 * The pipeline every server uses: the fixed capture steps and no extra post-persist steps. What
 * follows from a batch (scoring, qualification, alerts, sales touches, inquiries on identify,
 * rescoring merged contacts) is not a step any more: the pipeline publishes ActivitiesStored,
 * ContactsMerged and ContactsIdentified, and the subscribers registered in src/app/compose.ts react
 * in the batch's transaction. `IngestStep` stays the extension point for steps that answer per-activity
 * verdicts (drop, dead-letter).
 */
export function createStandardIngestPipeline(): IngestPipeline {
  return createIngestPipeline({ steps: [] });
}
