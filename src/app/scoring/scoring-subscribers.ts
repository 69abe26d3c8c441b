import type { Trx } from '../../storage/db.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { publish } from '../events/dispatcher.ts';
import { inquiriesOnIdentify } from './inquiry-on-identify.ts';
import { rescoreContactFit, rescoreContactsReadingModel, rescoreMergedContacts, scoreActivities, type ScoringOutcome } from './score-activities.ts';

type ActivitiesStored = DomainEvents['ActivitiesStored'];
// The outcome of scoring each published ActivitiesStored payload, for the door that published it
// (POST /api/v1/activities answers it). Keyed by the payload object, so it lives as long as the caller holds it.
const outcomes = new WeakMap<ActivitiesStored, ScoringOutcome>();

/**
 * Subscriber of ActivitiesStored (first): incremental scoring and qualification under the active
 * definition (an MQL transition publishes LeadTransitioned, so routing, clocks and alerts follow; a
 * new inquiry publishes LeadOpened and InquirySettled), then HighIntentSignalled for matched content.
 */
export async function scoreStoredActivities(trx: Trx, event: ActivitiesStored): Promise<void> {
  const outcome = await scoreActivities(trx, event.workspaceId, [...event.activities], event.at);
  outcomes.set(event, outcome);
  if (outcome.highIntent.length) {
    await publish(trx, 'HighIntentSignalled', {
      workspaceId: event.workspaceId, at: event.at, qualifiedLeadIds: outcome.mqls.map((m) => m.leadId),
      signals: outcome.highIntent.map((s) => ({ signalId: s.id, contactId: s.contactId, leadId: s.leadId, activityId: s.activityId, via: s.via, detail: s.detail })),
    });
  }
}

/** What scoring made of a payload this process published (null: not scored, e.g. no scoring subscriber). */
export function scoringOutcomeOf(event: ActivitiesStored): ScoringOutcome | null {
  return outcomes.get(event) ?? null;
}

/**
 * Subscriber of ContactsMerged: each winner's score is rebuilt from its whole merged history (a
 * 'merge' score event; MQL when now sales-ready). Ingestion publishes it after identity, traits and
 * groups and before the batch's activities are stored, so none counts twice.
 */
export async function rescoreOnMerge(trx: Trx, event: DomainEvents['ContactsMerged']): Promise<void> {
  await rescoreMergedContacts(trx, event.workspaceId, event.merges, event.at);
}

/** Subscriber of ContactsIdentified: history made while anonymous is judged by the inquiry rule. */
export async function inquiriesOnIdentified(trx: Trx, event: DomainEvents['ContactsIdentified']): Promise<void> {
  await inquiriesOnIdentify(trx, event.workspaceId, new Map(event.contacts.map((c) => [c.contactId, c.at])), event.at);
}

/** Subscriber of ContactUpdated: fit depends on who the contact is; re-scored (and re-qualified) under the active definition. */
export async function rescoreFitOnContactUpdated(trx: Trx, event: DomainEvents['ContactUpdated']): Promise<void> {
  await rescoreContactFit(trx, event.workspaceId, event.contactId, event.at);
}

/**
 * Subscriber of ContactsImported: with `qualify`, each person the import's rating qualifies goes
 * through live qualification (compared with the rating stored before the import, which the import
 * left in place for them).
 */
export async function qualifyImportedContacts(trx: Trx, event: DomainEvents['ContactsImported']): Promise<void> {
  if (!event.qualify) return;
  for (const contactId of event.qualifyingContactIds) await rescoreContactFit(trx, event.workspaceId, contactId, event.at);
}

/** Subscriber of PredictionsRefreshed: people re-scored (and re-qualified) when the active definition reads that model. */
export async function rescoreOnPredictions(trx: Trx, event: DomainEvents['PredictionsRefreshed']): Promise<void> {
  await rescoreContactsReadingModel(trx, event.workspaceId, event.modelId, event.contactIds, event.at);
}
