import type { Merge } from '../core/identity-resolution.rules.ts';
import type { Trx } from '../storage/db.ts';
import { applyMerge } from '../storage/ingest.repo.ts';
import { removeJob } from '../storage/jobs.repo.ts';
import { nurtureJobKey } from './nurture/nurture-enrollment.ts';

/**
 * Applies identity resolution's merges in the caller's transaction, in plan order (a contact that
 * absorbed another earlier in the batch may itself be folded later; winners are final). Each merge
 * moves the loser's references in two statements (`applyMerge`); a nurture enrollment of the loser
 * that had to end (the winner already has a live track) loses its pending tick. The winners'
 * scores are rebuilt afterwards by the ingest steps (`IngestStep.merged`).
 */
export async function applyMerges(trx: Trx, workspaceId: string, merges: readonly Merge[], at: Date): Promise<void> {
  for (const m of merges) {
    const { exitedEnrollmentIds } = await applyMerge(trx, workspaceId, m, at);
    for (const id of exitedEnrollmentIds) await removeJob(trx, nurtureJobKey(id));
  }
}
