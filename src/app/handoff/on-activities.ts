import { salesTouchTypes, type ActivityType } from '../../core/activity.ts';
import type { Trx } from '../../storage/db.ts';
import { getLeadsByIds } from '../../storage/leads.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { createLeadAlert } from './alerts.ts';
import { onSalesActivity } from './on-lead-transition.ts';

/**
 * Subscriber of ActivitiesStored (after scoring): a sales touch (call, email, meeting) on a contact
 * stops the first-touch clock of its open lead, in the storing transaction.
 */
export async function stopClocksOnSalesTouches(trx: Trx, event: DomainEvents['ActivitiesStored']): Promise<void> {
  for (const a of event.activities) {
    if (salesTouchTypes.includes(a.type as ActivityType)) await onSalesActivity(trx, event.workspaceId, a.contactId, { type: a.type, occurredAt: a.occurredAt }, event.at);
  }
}

/**
 * Subscriber of HighIntentSignalled: a known lead consuming agreed high-intent content alerts its
 * owner (one alert per lead and batch, and the usual per-burst dedupe). A lead that became MQL in the
 * same batch already got its assignment alert, which says what they read.
 */
export async function alertOwnersOfHighIntent(trx: Trx, event: DomainEvents['HighIntentSignalled']): Promise<void> {
  const { workspaceId, at: now } = event;
  const justQualified = new Set(event.qualifiedLeadIds);
  // The first signal of each lead, in signal order; the leads read in one query (a batch signals several).
  const first = new Map<string, (typeof event.signals)[number]>();
  for (const signal of event.signals) {
    if (signal.leadId && !first.has(signal.leadId) && !justQualified.has(signal.leadId)) first.set(signal.leadId, signal);
  }
  const leads = await getLeadsByIds(trx, workspaceId, [...first.keys()]);
  for (const [leadId, signal] of first) {
    const lead = leads.get(leadId);
    if (!lead?.ownerId) continue;
    await createLeadAlert(trx, workspaceId, { userId: lead.ownerId, lead, kind: 'high_intent', reason: `consumed high-intent content: ${signal.detail}`, now });
  }
}
