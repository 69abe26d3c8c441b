import { fail, ok, type Result } from '../../core/result.ts';
import type { Trx } from '../../storage/db.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import { eraseRegistered, findContactIdByEmail, findPerson, suppressedAmong, suppressIdentifiers, type Identifier, type Person } from '../../storage/personal-data.repo.ts';
import { recordAudit, type AuditActor } from '../audit.ts';
import { actorOf, type AppDeps, type Principal } from '../context.ts';
import { publish } from '../events/dispatcher.ts';
import { inTransaction } from '../transaction.ts';

export type ErasureTarget = { contactId: string } | { email: string };

/** What an erasure answers and the audit receipt records: ids, counts and times, never personal data. */
export type ErasureReceipt = {
  /** Null when asked by the email of a person erased before (the email's hash is all that is left). */
  contactId: string | null;
  status: 'erased' | 'already_erased';
  erasedAt: Date | null;
  /** Rows changed or deleted per `table.column` the registry reaches them by. */
  counts: Record<string, number>;
  /** Suppression entries written (hashed identifiers). */
  suppressed: number;
};

const identifiersOf = (p: Person): Identifier[] => [
  ...p.emails.map((value) => ({ kind: 'email' as const, value })),
  ...p.anonymousIds.map((value) => ({ kind: 'anonymous_id' as const, value })),
  ...p.userIds.map((value) => ({ kind: 'user_id' as const, value })),
];

/**
 * Erases a person (GDPR art. 17) in one transaction: every registry entry is deleted or anonymised,
 * the contact becomes a tombstone (activities, leads and deals keep their counts), the identifiers are
 * suppressed (hashed) so later traffic does not re-create the person, `ContactErased` is published so
 * integrations propagate it, and a receipt without personal data goes to the audit log.
 * Erasing twice is a no-op answered `already_erased`; an unknown person is NotFound.
 */
export async function erasePerson(deps: AppDeps, workspaceId: string, target: ErasureTarget, actor: Principal | AuditActor, reason: string | null = null): Promise<Result<ErasureReceipt>> {
  return inTransaction(deps, (trx) => erasePersonInTrx(trx, workspaceId, target, actor, deps.clock.now(), reason));
}

export async function erasePersonInTrx(trx: Trx, workspaceId: string, target: ErasureTarget, actor: Principal | AuditActor, at: Date, reason: string | null = null): Promise<Result<ErasureReceipt>> {
  const contactId = 'contactId' in target ? target.contactId : await findContactIdByEmail(trx, workspaceId, target.email);
  if (!contactId) {
    // The email of an erased person is gone; its hash says whether it was erased before.
    if ('email' in target && (await suppressedAmong(trx, workspaceId, [{ kind: 'email', value: target.email }])).size) {
      return ok({ contactId: null, status: 'already_erased', erasedAt: null, counts: {}, suppressed: 0 });
    }
    return fail('NotFound', 'No person with this id or email in this workspace.', [{ path: 'contactId' in target ? 'contact_id' : 'email', message: 'unknown person; check the id or the spelling of the email' }]);
  }
  const person = await findPerson(trx, workspaceId, contactId);
  if (!person) return fail('NotFound', `Contact ${contactId} does not exist in this workspace.`, [{ path: 'contact_id', message: 'unknown contact' }]);
  if (person.status === 'erased') {
    return ok({ contactId: person.rootId, status: 'already_erased', erasedAt: person.erasedAt ?? at, counts: {}, suppressed: 0 });
  }
  const erasedBy: Actor = 'permissions' in actor ? actorOf(actor) : actor.kind === 'system' ? { type: 'system', id: null } : { type: actor.kind === 'user' ? 'user' : 'api_key', id: actor.id };
  // Subscribers (CRM connectors, webhooks) run first, in this transaction, while the links they need still resolve.
  await publish(trx, 'ContactErased', { workspaceId, contactId: person.rootId, erasedBy, at, requestId: 'permissions' in actor ? actor.request?.id ?? null : null });
  const suppressed = await suppressIdentifiers(trx, workspaceId, identifiersOf(person), at);
  const counts = await eraseRegistered(trx, workspaceId, person, at);
  const receipt: ErasureReceipt = { contactId: person.rootId, status: 'erased', erasedAt: at, counts, suppressed };
  await recordAudit(trx, {
    workspaceId, actor, action: 'contact.erased', object: { type: 'contact', id: person.rootId }, at, reason,
    after: { erased_at: at.toISOString(), contacts: person.contactIds.length, leads: person.leadIds.length, suppressed, counts },
  });
  return ok(receipt);
}
