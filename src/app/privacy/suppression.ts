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
  // A message sharing any identifier with a suppressed one is the same person (a form sends an identify
  // with the email and a track under a fresh anonymous id): blocked too, until nothing more spreads.
  const blockedKeys = new Set([...suppressed].filter((k) => !liftedKeys.has(k)));
  const keysOf = items.map((p) => identifiersOfMessage(p.msg, p.email).map(identifierKey));
  const blocked = new Set<number>();
  for (let grew = true; grew;) {
    grew = false;
    keysOf.forEach((keys, i) => {
      if (blocked.has(i) || !keys.some((k) => blockedKeys.has(k))) return;
      blocked.add(i);
      grew = true;
      for (const k of keys) if (!liftedKeys.has(k)) blockedKeys.add(k);
    });
  }
  return items.filter((_, i) => {
    if (blocked.has(i)) onDrop();
    return !blocked.has(i);
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
