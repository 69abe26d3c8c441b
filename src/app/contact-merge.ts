import type { Merge } from '../core/identity-resolution.rules.ts';
import type { Trx } from '../storage/db.ts';
import { applyMerge } from '../storage/ingest.repo.ts';
import type { Stage } from '../core/lifecycle.ts';
import { findOpenLeadForContact, moveClosedLeads, moveLeadToContact } from '../storage/leads.repo.ts';
import { transitionLeadInTrx } from './leads.ts';

/**
 * Applies identity resolution's merges in the caller's transaction, in plan order (a contact that
 * absorbed another earlier in the batch may itself be folded later; winners are final). Each merge
 * moves the loser's references in two statements (`applyMerge`); a nurture enrollment of the loser
 * that had to end (the winner already has a live track) is exited as `merged`. The caller then
 * publishes ContactsMerged: scoring rebuilds the winners' scores, nurture drops the exited
 * enrollments' pending ticks.
 */
export async function applyMerges(trx: Trx, workspaceId: string, merges: readonly Merge[], at: Date): Promise<void> {
  for (const m of merges) {
    await applyMerge(trx, workspaceId, m, at);
    await closeDuplicateLead(trx, workspaceId, m, at);
  }
}

// How far a buying cycle got: on a merge, the one further along is the one people are working.
const progress: Partial<Record<Stage, number>> = { inquiry: 0, nurture: 1, mql: 2, sal: 3, sql: 4, opportunity: 5 };

/**
 * Both people had an open buying cycle: one person cannot be in two, and a rep must not work the same
 * person twice. The cycle further along continues (the winner's on a tie: a rep accepting the visitor's
 * lead must not lose it to a fresh inquiry); the other is disqualified as a duplicate through the ordinary
 * transition (its SLA clocks stop, alerts and nurture react, the stage history says why), and both end up
 * on the winner. A workspace without a 'duplicate' disqualify reason, or a lead the lifecycle cannot
 * disqualify (an opportunity), keeps the visitor's lead open on the merged contact, as before.
 */
async function closeDuplicateLead(trx: Trx, workspaceId: string, m: Merge, at: Date): Promise<void> {
  const visitors = await findOpenLeadForContact(trx, workspaceId, m.loserId);
  if (!visitors) return;
  const winners = await findOpenLeadForContact(trx, workspaceId, m.winnerId);
  const keepVisitors = winners !== null && (progress[visitors.stage] ?? 0) > (progress[winners.stage] ?? 0);
  const [closing, continuing] = keepVisitors ? [winners, visitors] : [visitors, winners];
  const closed = await transitionLeadInTrx(trx, workspaceId, closing!.id, {
    to: 'disqualified', reasonCode: 'duplicate', actor: { type: 'system', id: null }, at,
    note: `Duplicate: the visitor of contact ${m.loserId} was identified as contact ${m.winnerId}${continuing ? `; lead ${continuing.id} (${continuing.stage}) continues` : ''}.`,
  });
  if (!closed.ok) return;
  await moveClosedLeads(trx, workspaceId, m.loserId, m.winnerId, at);
  // The winner's own cycle is closed now, so the visitor's open one can join it.
  if (keepVisitors) await moveLeadToContact(trx, workspaceId, visitors.id, m.winnerId, at);
}
