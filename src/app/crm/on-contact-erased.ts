import { crmLinksOfContact, listCrmConnections } from '../../storage/crm.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';

/**
 * ContactErased subscriber: for every CRM connection of the workspace (paused ones too: the job
 * waits for reconnection), a `crm-erase` job is enqueued in the erasing transaction with the CRM
 * ids that stand for the person (outbox: an erasure that rolls back deletes nothing in the CRM; the
 * CRM is never called inside the transaction). A connection with no record for the person still
 * gets a job, so its sync log shows the erasure was looked at.
 */
export async function onContactErasedEraseInCrm(trx: Trx, e: DomainEvents['ContactErased']): Promise<void> {
  const connections = await listCrmConnections(trx, e.workspaceId);
  if (!connections.length) return;
  const links = await crmLinksOfContact(trx, e.workspaceId, e.contactId);
  for (const c of connections) {
    const records = links.filter((l) => l.connectionId === c.id).map((l) => ({ objectType: l.objectType, externalId: l.externalId }));
    await enqueue(trx, 'crm-erase', { workspaceId: e.workspaceId, provider: c.provider, contactId: e.contactId, requestId: e.requestId, records }, {
      jobKey: `crm-erase:${c.id}:${e.contactId}`, runAt: e.at, maxAttempts: 25,
    });
  }
}
