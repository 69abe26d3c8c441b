import type { SegmentMessage } from '../../core/segment-message.schema.ts';
import { grantsConsent, identifiersOfMessage } from '../../core/privacy/suppression.rules.ts';
import type { DbOrTrx, Trx } from '../../storage/db.ts';
import { identifierKey, liftSuppression, suppressedAmong } from '../../storage/personal-data.repo.ts';

/**
 * Keeps the messages that do not come from an erased person (one query for the whole batch): a message
 * carrying a suppressed email, anonymous id or user id is dropped (counted by the caller) unless it
 * grants consent again, which lifts the suppression of its identifiers. Workspaces that never erased
 * anyone answer from an empty join.
 */
export async function admitUnsuppressed<T extends { msg: SegmentMessage; email: string | null }>(trx: Trx, workspaceId: string, items: readonly T[], at: Date, onDrop: () => void): Promise<T[]> {
  const ids = items.flatMap((p) => identifiersOfMessage(p.msg, p.email));
  const suppressed = await suppressedAmong(trx, workspaceId, ids);
  if (suppressed.size === 0) return [...items];
  const lifting = items.filter((p) => grantsConsent(p.msg, at));
  const lifted = lifting.flatMap((p) => identifiersOfMessage(p.msg, p.email));
  await liftSuppression(trx, workspaceId, lifted);
  const liftedKeys = new Set(lifted.map(identifierKey));
  return items.filter((p) => {
    const blocked = identifiersOfMessage(p.msg, p.email).some((i) => suppressed.has(identifierKey(i)) && !liftedKeys.has(identifierKey(i)));
    if (blocked) onDrop();
    return !blocked;
  });
}

/** Which of the emails belong to erased people (imports: one query per chunk). */
export async function suppressedEmails(db: DbOrTrx, workspaceId: string, emails: readonly string[]): Promise<Set<string>> {
  const found = await suppressedAmong(db, workspaceId, emails.map((value) => ({ kind: 'email' as const, value })));
  return new Set([...found].map((k) => k.slice('email:'.length)));
}

/**
 * Drops the items whose email belongs to an erased person (one query for all of them): an import
 * must not bring an erased person back. `onDrop` reports each dropped item (without its email).
 */
export async function withoutErasedEmails<T>(db: DbOrTrx, workspaceId: string, items: readonly T[], emailOf: (item: T) => string | undefined | null, onDrop: (item: T) => void): Promise<T[]> {
  const emails = items.flatMap((i) => { const e = emailOf(i); return e ? [e] : []; });
  const erased = emails.length ? await suppressedEmails(db, workspaceId, emails) : new Set<string>();
  if (erased.size === 0) return [...items];
  return items.filter((i) => {
    const e = emailOf(i)?.trim().toLowerCase();
    if (e && erased.has(e)) { onDrop(i); return false; }
    return true;
  });
}
