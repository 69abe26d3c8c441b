import type { Merge } from '../core/identity-resolution.rules.ts';
import type { Trx } from '../storage/db.ts';
import { applyMerge } from '../storage/ingest.repo.ts';
import { removeJob } from '../storage/jobs.repo.ts';
import { findOpenLeadForContact, moveClosedLeads } from '../storage/leads.repo.ts';
import { transitionLeadInTrx } from './leads.ts';
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
    await closeDuplicateLead(trx, workspaceId, m, at);
  }
}

/**
 * Both people had an open buying cycle: one person cannot be in two, and a rep must not work the same
 * person twice. The winner's lead continues; the visitor's is disqualified as a duplicate through the
 * ordinary transition (so its SLA clocks stop, its alerts and nurture react, and the stage history says why)
 * and then joins the winner's history. A workspace without a 'duplicate' disqualify reason, or a lead the
 * lifecycle cannot disqualify (an opportunity), keeps the lead open on the merged contact, as before.
 */
async function closeDuplicateLead(trx: Trx, workspaceId: string, m: Merge, at: Date): Promise<void> {
  const duplicate = await findOpenLeadForContact(trx, workspaceId, m.loserId);
  if (!duplicate) return;
  const kept = await findOpenLeadForContact(trx, workspaceId, m.winnerId);
  const closed = await transitionLeadInTrx(trx, workspaceId, duplicate.id, {
    to: 'disqualified', reasonCode: 'duplicate', actor: { type: 'system', id: null }, at,
    note: `Duplicate: this visitor was identified as contact ${m.winnerId}${kept ? `, whose lead ${kept.id} continues` : ''}.`,
  });
  if (closed.ok) await moveClosedLeads(trx, workspaceId, m.loserId, m.winnerId, at);
}
