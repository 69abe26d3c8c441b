import type { Trx } from '../../storage/db.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { publishWebhookEvents, type LifecycleEvent } from './publish.ts';

/**
 * Domain events → lifecycle webhook events (registered in src/app/compose.ts). Each handler runs in
 * the transaction that made the fact true and only queues deliveries (publishWebhookEvents): nothing
 * is sent for a change that rolls back, and no receiver can slow the change down. Payloads are thin —
 * ids and the facts of the change, snake_case like the REST API — so receivers fetch the record when
 * they need more, and an erased person leaves nothing in queued events.
 */

const actorOf = (a: Actor) => ({ type: a.type, id: a.id });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function contactCreatedEvents(e: DomainEvents['ContactCreated']): LifecycleEvent[] {
  return [{ type: 'contact.created', at: e.at, data: { contact_id: e.contactId, account_id: e.accountId, origin: e.origin } }];
}

/** `fields`: which traits changed (names only, never the values: receivers read the contact). */
export function contactUpdatedEvents(e: DomainEvents['ContactUpdated']): LifecycleEvent[] {
  return [{ type: 'contact.updated', at: e.at, data: { contact_id: e.contactId, fields: [...e.fields] } }];
}

export function contactsMergedEvents(e: DomainEvents['ContactsMerged']): LifecycleEvent[] {
  return e.merges.map((m) => ({ type: 'contact.merged', at: e.at, data: { contact_id: m.winnerId, merged_contact_id: m.loserId } }));
}

export function contactErasedEvents(e: DomainEvents['ContactErased']): LifecycleEvent[] {
  return [{ type: 'contact.erased', at: e.at, data: { contact_id: e.contactId, erased_by: actorOf(e.erasedBy) } }];
}

export function leadOpenedEvents(e: DomainEvents['LeadOpened']): LifecycleEvent[] {
  return [{
    type: 'lead.opened', at: e.at,
    data: { lead_id: e.leadId, contact_id: e.contactId, account_id: e.accountId, owner_id: e.ownerId, origin: e.origin, definition_id: e.definitionId, actor: actorOf(e.actor) },
  }];
}

/** Every transition is `lead.stage_changed`; one into `mql` is also `lead.mql` (what most tools listen for). */
export function leadTransitionedEvents(e: DomainEvents['LeadTransitioned']): LifecycleEvent[] {
  const data = {
    lead_id: e.leadId, contact_id: e.contactId, transition_id: e.transitionId, from: e.from, to: e.to, actor: actorOf(e.actor),
    reason_code: e.reasonCode, note: e.note, definition_id: e.definitionId, is_recycle: e.isRecycle, recheck_at: iso(e.recheckAt),
  };
  const events: LifecycleEvent[] = [{ type: 'lead.stage_changed', at: e.at, data }];
  if (e.to === 'mql') events.push({ type: 'lead.mql', at: e.at, data });
  return events;
}

export function leadAssignedEvents(e: DomainEvents['LeadAssigned']): LifecycleEvent[] {
  return [{
    type: 'lead.assigned', at: e.at,
    data: { lead_id: e.leadId, contact_id: e.contactId, owner_id: e.ownerId, previous_owner_id: e.previousOwnerId, reason: e.reason, rule_kind: e.ruleKind, actor: actorOf(e.actor) },
  }];
}

/** Won and lost once, when the deal closes (later edits of a closed deal are not news). */
export function opportunityChangedEvents(e: DomainEvents['OpportunityChanged']): LifecycleEvent[] {
  if (!(e.isWon || e.isLost) || (e.change !== 'closed' && e.change !== 'created')) return [];
  return [{
    type: e.isWon ? 'opportunity.won' : 'opportunity.lost', at: e.at,
    data: { opportunity_id: e.opportunityId, stage: e.stage, amount: e.amount, currency: e.currency, close_date: e.closeDate, lead_ids: [...e.leadIds], actor: actorOf(e.actor) },
  }];
}

const handler = <E extends { workspaceId: string }>(map: (e: E) => LifecycleEvent[]) => async (trx: Trx, e: E): Promise<void> => {
  await publishWebhookEvents(trx, e.workspaceId, map(e));
};

/** The subscriptions, for the composition module: event name → handler. */
export const lifecycleWebhookSubscribers = {
  ContactCreated: handler(contactCreatedEvents),
  ContactUpdated: handler(contactUpdatedEvents),
  ContactsMerged: handler(contactsMergedEvents),
  ContactErased: handler(contactErasedEvents),
  LeadOpened: handler(leadOpenedEvents),
  LeadTransitioned: handler(leadTransitionedEvents),
  LeadAssigned: handler(leadAssignedEvents),
  OpportunityChanged: handler(opportunityChangedEvents),
} satisfies { [K in keyof DomainEvents]?: (trx: Trx, e: DomainEvents[K]) => Promise<void> };
