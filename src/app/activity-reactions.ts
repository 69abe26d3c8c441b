import type { Trx } from '../storage/db.ts';
import type { DomainEvents, StoredActivity } from './events/domain-events.ts';
import { publish } from './events/dispatcher.ts';

/**
 * Everything that follows from newly stored activities happens in the storing transaction, whichever
 * door they came through (Segment API, snippet, forms, POST /api/v1/activities, nurture opens and
 * clicks): the door publishes ActivitiesStored and the subscribers registered in src/app/compose.ts
 * react — scoring and qualification (an MQL transition routes, starts SLA clocks and alerts through
 * LeadTransitioned), high-intent alerts (HighIntentSignalled), sales touches stopping first-touch clocks.
 * Answers the published payload (scoring's outcome for it: `scoringOutcomeOf`); nothing is published
 * for an empty list.
 */
export async function publishActivitiesStored(trx: Trx, workspaceId: string, activities: readonly StoredActivity[], at: Date, channel: string): Promise<DomainEvents['ActivitiesStored']> {
  const event = { workspaceId, activities, at, channel };
  if (activities.length) await publish(trx, 'ActivitiesStored', event);
  return event;
}
