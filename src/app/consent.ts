import { applyDoubleOptIn, confirmationExpiry, doubleOptInOf, type DoubleOptInSettings } from '../core/consent-confirmation.rules.ts';
import { mayContact, readConsent, recordConsent, type ConsentChange } from '../core/consent.rules.ts';
import { consentChangesFor, type IngestTrust } from '../core/ingest-trust.rules.ts';
import { lockContactConsents, trackingConsents, writeContactConsents, type StoredConsent } from '../storage/consent.repo.ts';
import type { DbOrTrx, Trx } from '../storage/db.ts';
import { insertConsentEvents } from '../storage/privacy-consent.repo.ts';
import { openConsentRequests } from '../storage/consent-request.repo.ts';
import { enqueue } from '../storage/jobs.repo.ts';
import { getWorkspace } from '../storage/workspaces.repo.ts';
import { publish } from './events/dispatcher.ts';

/** Confirmation emails are sent in jobs of at most this many requests. */
const CONFIRMATIONS_PER_JOB = 200;

/**
 * Records consent changes for many contacts in the caller's transaction: every door's one way in.
 * Locks the contacts' rows, folds the changes in with the core's `recordConsent` (newest wins per
 * purpose) and keeps `unsubscribed_at` in step with email marketing: set when it ends withdrawn
 * (the earliest mark is kept; a refusal is "never subscribed", not an unsubscribe), cleared when
 * the person's newest choice is a grant.
 *
 * Under the workspace's double opt-in (`settings.consent.double_opt_in`), a door's grant of email
 * marketing is recorded `pending` (core `applyDoubleOptIn`) and, when that pending record is the
 * person's newest choice, a confirmation request is opened and its email queued (job
 * `consent-confirmation`, in this transaction: a rolled-back change sends nothing). `now` is when the
 * request is made (its expiry counts from it); default the newest change's time.
 *
 * A person whose email marketing becomes granted here (it was not: never asked, refused, withdrawn or pending) is
 * announced (MarketingEmailAllowed, `via` the door), so nurture enrols their open lead in this transaction rather than
 * at the next enroll sweep — whichever door recorded it: a form, Segment, the REST API, the confirmation link, the
 * preference centre. `announce: false` (the CSV import, thousands of people a chunk) leaves them to the sweep.
 */
export type ConsentOptions = { door?: { trust: IngestTrust; channel: string }; now?: Date; via?: string; announce?: boolean };

export async function recordContactConsents(db: Trx, workspaceId: string, changes: ReadonlyMap<string, readonly ConsentChange[]>, options: ConsentOptions = {}): Promise<Map<string, StoredConsent>> {
  const { door, now } = options;
  const ids = [...changes].filter(([, c]) => c.length > 0).map(([id]) => id);
  const doubleOptIn = await doubleOptInFor(db, workspaceId, changes);
  const current = await lockContactConsents(db, workspaceId, ids);
  const next: StoredConsent[] = [];
  const history: { contactId: string; change: ConsentChange }[] = [];
  const toConfirm: { contactId: string; source: string }[] = [];
  const nowAllowed: string[] = [];
  for (const [id, stored] of current) {
    // A public (browser) key never changes what another channel granted (src/core/ingest-trust.rules.ts).
    const given = changes.get(id) ?? [];
    const kept = door ? consentChangesFor(door.trust, door.channel, stored.consent, given).kept : given;
    const allowed = applyDoubleOptIn(stored.consent, kept, doubleOptIn);
    for (const change of allowed) history.push({ contactId: id, change });
    const consent = recordConsent(stored.consent, allowed);
    const email = readConsent(consent).email_marketing;
    // Asked only when the pending grant is now the person's choice (a newer refusal already answered it).
    const asked = email?.status === 'pending' ? allowed.find((c) => c.purpose === 'email_marketing' && c.status === 'pending' && c.at === email.at) : undefined;
    if (asked) toConfirm.push({ contactId: id, source: asked.source });
    if (email?.status === 'granted' && readConsent(stored.consent).email_marketing?.status !== 'granted') nowAllowed.push(id);
    const unsubscribedAt = email?.status === 'granted' ? null : email?.status === 'withdrawn' ? stored.unsubscribedAt ?? new Date(email.at) : stored.unsubscribedAt;
    next.push({ id, consent, unsubscribedAt });
  }
  await writeContactConsents(db, workspaceId, next);
  // Every choice received is kept (source, legal basis, time): the contact page's consent history.
  await insertConsentEvents(db, workspaceId, history);
  const at = () => now ?? new Date(Math.max(...history.map((h) => Date.parse(h.change.at))));
  if (options.announce !== false) {
    const via = options.via ?? door?.channel ?? 'api';
    for (const contactId of nowAllowed) await publish(db, 'MarketingEmailAllowed', { workspaceId, contactId, at: at(), via });
  }
  if (toConfirm.length) {
    const asked = at();
    const opened = await openConsentRequests(db, workspaceId, toConfirm, asked, confirmationExpiry(asked, doubleOptIn));
    for (let i = 0; i < opened.length; i += CONFIRMATIONS_PER_JOB) {
      await enqueue(db, 'consent-confirmation', { workspaceId, requestIds: opened.slice(i, i + CONFIRMATIONS_PER_JOB) }, { runAt: asked });
    }
  }
  return new Map(next.map((n) => [n.id, n]));
}

/** The workspace's double opt-in, read only when a change could need it (a grant of email marketing). */
async function doubleOptInFor(db: DbOrTrx, workspaceId: string, changes: ReadonlyMap<string, readonly ConsentChange[]>): Promise<DoubleOptInSettings> {
  const anyGrant = [...changes.values()].some((list) => list.some((c) => c.purpose === 'email_marketing' && c.status === 'granted'));
  return anyGrant ? doubleOptInOf((await getWorkspace(db, workspaceId))?.settings) : { enabled: false, confirmWithinDays: 7 };
}

/** One contact's changes (REST, preference page, confirmation link, unsubscribe link); `via` names the door. */
export async function recordContactConsent(db: Trx, workspaceId: string, contactId: string, changes: readonly ConsentChange[], now: Date | undefined, via: string): Promise<StoredConsent | null> {
  return (await recordContactConsents(db, workspaceId, new Map([[contactId, changes]]), { now, via })).get(contactId) ?? null;
}

/** The contacts among `ids` who refused or withdrew tracking/profiling (one indexed read, only contacts holding a tracking record). */
export async function untrackedContacts(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  const records = await trackingConsents(db, workspaceId, ids);
  return new Set([...records].filter(([, doc]) => !mayContact(doc, 'tracking').allowed).map(([id]) => id));
}
