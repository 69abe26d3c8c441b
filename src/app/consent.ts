import { mayContact, readConsent, recordConsent, type ConsentChange } from '../core/consent.rules.ts';
import { consentChangesFor, type IngestTrust } from '../core/ingest-trust.rules.ts';
import { lockContactConsents, trackingConsents, writeContactConsents, type StoredConsent } from '../storage/consent.repo.ts';
import type { DbOrTrx } from '../storage/db.ts';
import { insertConsentEvents } from '../storage/privacy-consent.repo.ts';

/**
 * Records consent changes for many contacts in the caller's transaction: every door's one way in.
 * Locks the contacts' rows, folds the changes in with the core's `recordConsent` (newest wins per
 * purpose) and keeps `unsubscribed_at` in step with email marketing: set when it ends withdrawn
 * (the earliest mark is kept; a refusal is "never subscribed", not an unsubscribe), cleared when
 * the person's newest choice is a grant.
 */
export async function recordContactConsents(db: DbOrTrx, workspaceId: string, changes: ReadonlyMap<string, readonly ConsentChange[]>, door?: { trust: IngestTrust; channel: string }): Promise<Map<string, StoredConsent>> {
  const ids = [...changes].filter(([, c]) => c.length > 0).map(([id]) => id);
  const current = await lockContactConsents(db, workspaceId, ids);
  const next: StoredConsent[] = [];
  const history: { contactId: string; change: ConsentChange }[] = [];
  for (const [id, stored] of current) {
    // A public (browser) key never changes what another channel granted (src/core/ingest-trust.rules.ts).
    const given = changes.get(id) ?? [];
    const allowed = door ? consentChangesFor(door.trust, door.channel, stored.consent, given).kept : given;
    for (const change of allowed) history.push({ contactId: id, change });
    const consent = recordConsent(stored.consent, allowed);
    const email = readConsent(consent).email_marketing;
    const unsubscribedAt = email?.status === 'granted' ? null : email?.status === 'withdrawn' ? stored.unsubscribedAt ?? new Date(email.at) : stored.unsubscribedAt;
    next.push({ id, consent, unsubscribedAt });
  }
  await writeContactConsents(db, workspaceId, next);
  // Every choice received is kept (source, legal basis, time): the contact page's consent history.
  await insertConsentEvents(db, workspaceId, history);
  return new Map(next.map((n) => [n.id, n]));
}

/** One contact's changes (REST, preference page, unsubscribe link). */
export async function recordContactConsent(db: DbOrTrx, workspaceId: string, contactId: string, changes: readonly ConsentChange[]): Promise<StoredConsent | null> {
  return (await recordContactConsents(db, workspaceId, new Map([[contactId, changes]]))).get(contactId) ?? null;
}

/** The contacts among `ids` who refused or withdrew tracking/profiling (one indexed read, only contacts holding a tracking record). */
export async function untrackedContacts(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  const records = await trackingConsents(db, workspaceId, ids);
  return new Set([...records].filter(([, doc]) => !mayContact(doc, 'tracking').allowed).map(([id]) => id));
}
