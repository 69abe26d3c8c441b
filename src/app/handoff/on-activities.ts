import { salesTouchTypes, type ActivityType } from '../../core/activity.ts';
import type { Trx } from '../../storage/db.ts';
import { getLead } from '../../storage/leads.repo.ts';
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
  const seen = new Set<string>();
  for (const signal of event.signals) {
    if (!signal.leadId || seen.has(signal.leadId) || justQualified.has(signal.leadId)) continue;
    seen.add(signal.leadId);
    const lead = await getLead(trx, workspaceId, signal.leadId);
    if (!lead?.ownerId) continue;
    await createLeadAlert(trx, workspaceId, { userId: lead.ownerId, lead, kind: 'high_intent', reason: `consumed high-intent content: ${signal.detail}`, now });
  }
}
