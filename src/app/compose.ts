import { domainEvents, type Dispatcher } from './events/dispatcher.ts';
import { onLeadTransition } from './handoff/on-lead-transition.ts';
import { onLeadStageChanged } from './nurture/on-lead-stage-changed.ts';
import { lifecycleWebhookSubscribers as webhooks } from './webhooks/lifecycle-subscribers.ts';

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
  // A lead moved: the hand-off first (routing on → mql, SLA clocks and timer, alerts, recycles back
  // to marketing), then nurture, which reads the lead as the hand-off left it.
  d.subscribe('LeadTransitioned', 'handoff', onLeadTransition);
  d.subscribe('LeadTransitioned', 'nurture', onLeadStageChanged);

  // Lifecycle webhooks last: they queue deliveries (outbox) of what the features above decided.
  d.subscribe('ContactCreated', 'webhooks', webhooks.ContactCreated);
  d.subscribe('ContactsMerged', 'webhooks', webhooks.ContactsMerged);
  d.subscribe('ContactErased', 'webhooks', webhooks.ContactErased);
  d.subscribe('LeadOpened', 'webhooks', webhooks.LeadOpened);
  d.subscribe('LeadTransitioned', 'webhooks', webhooks.LeadTransitioned);
  d.subscribe('LeadAssigned', 'webhooks', webhooks.LeadAssigned);
  d.subscribe('OpportunityChanged', 'webhooks', webhooks.OpportunityChanged);
}
