import { salesTouchTypes, type ActivityType } from '../core/activity.ts';
import type { Trx } from '../storage/db.ts';
import { getLead } from '../storage/leads.repo.ts';
import { createLeadAlert } from './handoff/alerts.ts';
import { onSalesActivity } from './handoff/on-lead-transition.ts';
import { scoreActivities, type PersistedActivity, type ScoringOutcome } from './scoring/score-activities.ts';

/**
 * Everything that follows from newly stored activities, in the storing transaction, whichever way
 * they arrived (Segment API, snippet, forms, POST /api/v1/activities):
 * - scoring and qualification (an MQL transition routes, starts SLA clocks and alerts by itself);
 * - a known lead consuming agreed high-intent content alerts its owner (deduplicated per burst);
 * - a sales touch stops the first-touch SLA clock.
 */
export async function reactToActivities(trx: Trx, workspaceId: string, activities: readonly PersistedActivity[], now: Date): Promise<ScoringOutcome> {
  const scoring = await scoreActivities(trx, workspaceId, [...activities], now);
  await alertOwnersOfHighIntent(trx, workspaceId, scoring, now);
  for (const a of activities) {
    if (salesTouchTypes.includes(a.type as ActivityType)) await onSalesActivity(trx, workspaceId, a.contactId, { type: a.type, occurredAt: a.occurredAt }, now);
  }
  return scoring;
}

async function alertOwnersOfHighIntent(trx: Trx, workspaceId: string, scoring: ScoringOutcome, now: Date): Promise<void> {
  const justQualified = new Set(scoring.mqls.map((m) => m.leadId));
  const seen = new Set<string>();
  for (const signal of scoring.highIntent) {
    // A lead that became MQL in this batch already got its assignment alert, which says what they read.
    if (!signal.leadId || seen.has(signal.leadId) || justQualified.has(signal.leadId)) continue;
    seen.add(signal.leadId);
    const lead = await getLead(trx, workspaceId, signal.leadId);
    if (!lead?.ownerId) continue;
    await createLeadAlert(trx, workspaceId, { userId: lead.ownerId, lead, kind: 'high_intent', reason: `consumed high-intent content: ${signal.detail}`, now });
  }
}
