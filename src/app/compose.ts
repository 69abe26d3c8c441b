import { domainEvents, type Dispatcher } from './events/dispatcher.ts';
import { alertOwnersOfHighIntent, stopClocksOnSalesTouches } from './handoff/on-activities.ts';
import { onLeadTransition } from './handoff/on-lead-transition.ts';
import { dropTicksOfMergedEnrollments, onInquiryOpened, onLeadStageChanged, onMarketingEmailAllowed } from './nurture/on-lead-stage-changed.ts';
import {
  inquiriesOnIdentified, qualifyImportedContacts, rescoreFitOnContactUpdated, rescoreOnMerge, rescoreOnPredictions, scoreStoredActivities,
} from './scoring/scoring-subscribers.ts';
import { onContactErasedEraseInCrm } from './crm/on-contact-erased.ts';
import { onLeadTransitionedPushToCrm } from './crm/on-lead-transitioned.ts';
import { predictOnActivities, predictOpenedLeads } from './prediction/on-activities.ts';
import { lifecycleWebhookSubscribers as webhooks } from './webhooks/lifecycle-subscribers.ts';
import { countLeadOpened, countLeadTransitioned, countStoredActivities, timedScoring } from './metrics.ts';

/**
 * The composition module: the one place where features meet. Every subscriber of every domain
 * event (src/app/events/domain-events.ts) is registered here, in the order it runs, so features
 * publish what happened and never import each other's use cases.
 *
 * Called once when a process starts: `openRuntime` (server, worker, CLI, demo), `createServer`,
 * the test database helper and the benches. Idempotent: later calls do nothing.
 */
export function composeApp(dispatcher: Dispatcher = domainEvents): Dispatcher {
  if (dispatcher.sealed()) return dispatcher;
  registerSubscribers(dispatcher);
  dispatcher.seal();
  return dispatcher;
}

function registerSubscribers(d: Dispatcher): void {
  // Stored activities (every door): prediction, then scoring — qualification publishes LeadOpened,
  // LeadTransitioned, InquirySettled and HighIntentSignalled, whose subscribers run inside it — then
  // the hand-off stops first-touch clocks on sales touches.
  // Scoring is timed for the operators' latency histogram (src/app/metrics.ts).
  // Prediction before scoring: where the active definition reads a conversion model, the people who acted are
  // re-predicted inside the transaction, so scoring reads the new probability (a predicted MQL in the same
  // request); where a model only informs, a queued job re-predicts them (src/app/prediction/on-activities.ts).
  d.subscribe('ActivitiesStored', 'prediction', predictOnActivities);
  d.subscribe('ActivitiesStored', 'scoring', timedScoring(scoreStoredActivities));
  // Then the people whose lead scoring just opened are predicted again with it (their lead's source and scores are
  // model inputs) and re-scored through PredictionsRefreshed: a predicted rule decides on the same number a refresh gives.
  d.subscribe('ActivitiesStored', 'prediction', predictOpenedLeads);
  d.subscribe('ActivitiesStored', 'handoff', stopClocksOnSalesTouches);
  // Identity: merged winners are re-scored from their whole history; newly known people's anonymous
  // history is judged by the inquiry rule.
  d.subscribe('ContactsMerged', 'scoring', rescoreOnMerge);
  d.subscribe('ContactsMerged', 'nurture', dropTicksOfMergedEnrollments);
  d.subscribe('ContactsIdentified', 'scoring', inquiriesOnIdentified);
  // A contact edited through the API: fit depends on who they are.
  d.subscribe('ContactUpdated', 'scoring', rescoreFitOnContactUpdated);
  // New predictions: people re-scored where the active definition reads that model.
  d.subscribe('PredictionsRefreshed', 'scoring', rescoreOnPredictions);
  // An import chunk rated its people; with --qualify the qualifying ones go through live qualification.
  d.subscribe('ContactsImported', 'scoring', qualifyImportedContacts);
  // A lead moved: the hand-off first (routing on → mql, SLA clocks and timer, alerts, recycles back
  // to marketing), then nurture, which reads the lead as the hand-off left it.
  d.subscribe('LeadTransitioned', 'handoff', onLeadTransition);
  d.subscribe('LeadTransitioned', 'nurture', onLeadStageChanged);
  // Then the CRM connectors: a `crm-push` job in the same transaction (never a CRM call inside it).
  d.subscribe('LeadTransitioned', 'crm', onLeadTransitionedPushToCrm);
  // Scoring's verdicts: a fresh inquiry joins a nurture track; high-intent reads alert the owner.
  d.subscribe('InquirySettled', 'nurture', onInquiryOpened);
  d.subscribe('MarketingEmailAllowed', 'nurture', onMarketingEmailAllowed);
  d.subscribe('HighIntentSignalled', 'handoff', alertOwnersOfHighIntent);
  // A person erased on request: each CRM connector queues a `crm-erase` job (delete there, logged).
  d.subscribe('ContactErased', 'crm', onContactErasedEraseInCrm);

  // Lifecycle webhooks last: they queue deliveries (outbox) of what the features above decided.
  d.subscribe('ContactCreated', 'webhooks', webhooks.ContactCreated);
  d.subscribe('ContactUpdated', 'webhooks', webhooks.ContactUpdated);
  d.subscribe('ContactsMerged', 'webhooks', webhooks.ContactsMerged);
  d.subscribe('ContactErased', 'webhooks', webhooks.ContactErased);
  d.subscribe('LeadOpened', 'webhooks', webhooks.LeadOpened);
  d.subscribe('LeadTransitioned', 'webhooks', webhooks.LeadTransitioned);
  d.subscribe('LeadAssigned', 'webhooks', webhooks.LeadAssigned);
  d.subscribe('OpportunityChanged', 'webhooks', webhooks.OpportunityChanged);

  // Operators' metrics at the very end (counts only, no writes): an event is counted once every subscriber
  // before it has done its work without throwing.
  d.subscribe('ActivitiesStored', 'metrics', countStoredActivities);
  d.subscribe('LeadOpened', 'metrics', countLeadOpened);
  d.subscribe('LeadTransitioned', 'metrics', countLeadTransitioned);
}
