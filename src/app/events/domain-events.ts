import type { ActivityType } from '../../core/activity.ts';
import type { Stage } from '../../core/lifecycle.ts';
import type { Actor } from '../../storage/transitions.repo.ts';

/**
 * The domain events of Leadloop: facts a use case publishes, inside the transaction that made them
 * true, for other features to react to (src/app/events/dispatcher.ts runs the subscribers in that
 * transaction; src/app/compose.ts registers them). A feature never imports another feature's use
 * cases: it publishes what happened, and whoever cares subscribes.
 *
 * Payloads are plain data (ids, stages, times): what a subscriber needs to act without reading the
 * publisher's internals. Every payload carries `workspaceId`. Times are the business time of the
 * fact (the injected clock, or the activity's own time), never the wall clock of the subscriber.
 * Names are stable: other features and integrations (lifecycle webhooks, CRM connectors) match on them.
 */

/** One stored activity, as the doors (ingest, forms, logged touches, nurture tracking) stored it. */
export type StoredActivity = {
  id: string; contactId: string; type: ActivityType | (string & {}); occurredAt: Date; source: string | null; medium: string | null;
  campaignId: string | null; utmCampaign: string | null; contentId: string | null; url: string | null;
  eventName: string | null; properties: Record<string, unknown>;
  /** The Segment messageId of ingested activities (absent for other doors). */
  messageId?: string | null;
};

export type DomainEvents = {
  /**
   * Activities were stored (any door: /v1/*, /t.js, forms, POST /api/v1/activities, logged sales
   * touches, nurture opens/clicks). `at` is when the batch was received. Subscribers: scoring and
   * qualification (which may open leads and transition them: nested events), high-intent alerts,
   * sales touches stopping first-touch clocks.
   */
  ActivitiesStored: { workspaceId: string; activities: readonly StoredActivity[]; at: Date; channel: string };

  /** A contact was created (by a door resolving a new identity, by hand, or by import). */
  ContactCreated: {
    workspaceId: string; contactId: string; email: string | null; accountId: string | null;
    origin: 'ingest' | 'api' | 'import' | 'demo'; at: Date;
  };

  /**
   * A contact's own fields were changed through the API (`fields`: the names given in the patch;
   * consent changes included as `consent`). Subscribers: scoring re-scores fit (fit depends on who
   * the contact is) and re-qualifies when the rating now says so.
   */
  ContactUpdated: { workspaceId: string; contactId: string; fields: readonly string[]; at: Date };

  /**
   * Contacts were folded into others (identity resolution): every reference of each loser now
   * points at its winner. Published once per batch, before the batch's activities are stored.
   */
  ContactsMerged: { workspaceId: string; merges: readonly { winnerId: string; loserId: string }[]; at: Date };

  /**
   * A new buying cycle: a lead opened at `inquiry`. `origin` says who opened it: `inquiry_rule` (the
   * active definition's inquiry rule on live traffic or an identify; `definitionId` is that version),
   * `api` (a person or key), `import`, or `opportunity` (a deal opened a lead).
   */
  LeadOpened: {
    workspaceId: string; leadId: string; contactId: string; accountId: string | null; ownerId: string | null;
    at: Date; actor: Actor; definitionId: string | null; origin: 'inquiry_rule' | 'api' | 'import' | 'opportunity';
  };

  /**
   * A lead moved through the lifecycle (one stage_transition row): `from` → `to` at `at`, by `actor`,
   * with `reasonCode` (rejections, recycles, disqualifications, lost) and `note`; `definitionId` is
   * the definition version that decided (automatic MQLs) or null. `isRecycle`: a hand-back from
   * sales to marketing. Subscribers (in order): hand-off (routing on → mql, SLA clocks, alerts,
   * giving recycled leads back to marketing), nurture (pause/exit/resume/enroll).
   */
  LeadTransitioned: {
    workspaceId: string; leadId: string; contactId: string; transitionId: string;
    from: Stage | null; to: Stage; at: Date; actor: Actor; reasonCode: string | null; note: string | null;
    definitionId: string | null; isRecycle: boolean; recheckAt: Date | null;
  };

  /**
   * A lead's owner changed: routing on MQL, a manager's reassignment, an SLA escalation, a recycle
   * giving it back to marketing (ownerId null), or a plain API assignment. `reason` is the recorded
   * explanation; `ruleKind` the kind of decision.
   */
  LeadAssigned: {
    workspaceId: string; leadId: string; contactId: string; ownerId: string | null; previousOwnerId: string | null;
    reason: string; ruleKind: string; actor: Actor; at: Date;
  };

  /**
   * A deal was created or changed (stage, amount, status) or its lead links changed. `isWon`/`isLost`
   * follow `status`; `leadIds` are the leads linked to it after the change; `change` says what happened.
   */
  OpportunityChanged: {
    workspaceId: string; opportunityId: string; change: 'created' | 'updated' | 'linked' | 'unlinked' | 'closed';
    stage: string; status: 'open' | 'won' | 'lost'; isWon: boolean; isLost: boolean;
    amount: number; currency: string; closeDate: string | null; leadIds: readonly string[]; actor: Actor; at: Date;
  };

  /** A lead definition version became the active one (the previous active version, if any, was retired). */
  /**
   * A model's predictions were stored for these people (refreshed on activity, nightly, or on request), in the
   * storing transaction. Subscriber: scoring re-evaluates them when the active definition's predicted rules read
   * this model (their points and predicted MQL condition follow the new probability).
   */
  PredictionsRefreshed: { workspaceId: string; modelId: string; contactIds: readonly string[]; at: Date };
  DefinitionActivated: {
    workspaceId: string; definitionId: string; version: number; retiredDefinitionId: string | null;
    userId: string | null; at: Date;
  };

  /**
   * An identify in a batch gave contacts their first email (`contacts`: each with the identify's
   * time): the history they made while anonymous can now be judged (scoring opens inquiries).
   */
  ContactsIdentified: { workspaceId: string; contacts: readonly { contactId: string; at: Date }[]; at: Date };

  /**
   * A CSV import chunk wrote these people (created or updated: `contactIds`) and rated them under
   * the active definition (the core's arithmetic, written with their score rows); `qualifyingContactIds`
   * are those the rating makes sales-ready. `qualify`: the import was asked to hand them to sales
   * (`--qualify`). Published in the chunk's transaction once its leads are written. Subscriber:
   * scoring's live qualification when `qualify` (an inquiry or a person without a lead becomes an
   * MQL, so routing, SLA clocks and alerts follow; nurture or closed leads only on a newly
   * qualifying rating; leads already with sales never move).
   */
  ContactsImported: { workspaceId: string; contactIds: readonly string[]; qualifyingContactIds: readonly string[]; qualify: boolean; at: Date };

  /**
   * Scoring settled a lead the inquiry rule opened (live activity, an identify, an import's
   * scoring): after the batch that opened it, it is still an inquiry (it did not also qualify), so
   * nurture may offer it a track. Published after LeadOpened, once the batch's qualification is known.
   */
  InquirySettled: { workspaceId: string; leadId: string; contactId: string; at: Date };

  /**
   * Stored activities matched high-intent content or URLs (the agreed list): one signal per match,
   * `leadId` the contact's open lead if any. `qualifiedLeadIds`: leads that became MQL in the same
   * batch (their owners already got the assignment alert). Published by scoring for live activities.
   */
  HighIntentSignalled: {
    workspaceId: string; at: Date; qualifiedLeadIds: readonly string[];
    signals: readonly { signalId: string; contactId: string; leadId: string | null; activityId: string; via: 'content' | 'url'; detail: string }[];
  };

  /**
   * A contact's personal data was erased (privacy request): subscribers drop or scrub what they
   * hold about it (sync mappings, queued deliveries). Published by the privacy feature.
   */
  ContactErased: { workspaceId: string; contactId: string; erasedBy: Actor; at: Date; requestId: string | null };

  /**
   * A person's email marketing consent became granted (it was not): through a form, Segment, the REST API, the
   * double opt-in confirmation link or the preference centre (`via`: the door's channel, `api`, `confirmation`,
   * `preference_centre`). Nurture enrols their open lead at once instead of at the next periodic sweep.
   * Published by recordContactConsents (src/app/consent.ts) in the transaction that recorded the consent; not by
   * the CSV import, whose people the sweep enrols.
   */
  MarketingEmailAllowed: { workspaceId: string; contactId: string; at: Date; via: string };
};

export type DomainEventName = keyof DomainEvents;
export type DomainEvent<K extends DomainEventName = DomainEventName> = { [N in K]: { name: N; payload: DomainEvents[N] } }[K];
