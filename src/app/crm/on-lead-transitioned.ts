import { activeCrmProviders, hasCrmRecord } from '../../storage/crm.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';

/** Seconds a push waits, so a burst of transitions (an MQL walking mql → sal → …) goes out as one push. */
export const crmPushDelaySeconds = 10;

/**
 * LeadTransitioned subscriber: a lead that became an MQL, or one a CRM record stands for, is pushed
 * by a `crm-push` job enqueued in the same transaction (outbox: a rolled-back transition pushes
 * nothing; the CRM is never called inside the transaction). One pending job per connection
 * (job_key), so a burst makes one push; transitions the CRM itself caused are not pushed back (the
 * push compares the lead's stage time with what was last pushed or pulled).
 */
export async function onLeadTransitionedPushToCrm(trx: Trx, e: DomainEvents['LeadTransitioned']): Promise<void> {
  const providers = await activeCrmProviders(trx, e.workspaceId);
  if (!providers.length) return;
  if (e.to !== 'mql' && !(await hasCrmRecord(trx, e.workspaceId, e.leadId))) return;
  for (const provider of providers) {
    await enqueue(trx, 'crm-push', { workspaceId: e.workspaceId, provider }, {
      jobKey: `crm-push:${e.workspaceId}:${provider}`, runAt: new Date(e.at.getTime() + crmPushDelaySeconds * 1000), maxAttempts: 10,
    });
  }
}
