import { maskEmail, preferenceChanges, preferenceViews, unsubscribeAllChanges, type PreferenceGroup, type PreferenceView } from '../../core/consent-confirmation.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { DbOrTrx } from '../../storage/db.ts';
import { findPerson } from '../../storage/personal-data.repo.ts';
import { recordContactConsent } from '../consent.ts';
import type { AppDeps } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { signPersonLink, verifyPersonLink } from './consent-links.ts';

/**
 * The preference centre (`/preferences/{token}`): a person sees each purpose (marketing email, sales
 * contact, tracking and profiling) with its current state and grants or withdraws each one, or
 * unsubscribes from all email. Every change goes through the one consent write (`recordContactConsent`,
 * source `preference_centre`, basis consent, the clock's time), so senders stop at once and the
 * contact page's consent history shows it. The page shows the email masked and nothing else.
 */
export type PreferenceTarget = { workspaceId: string; contactId: string };
export type PreferencePage = { maskedEmail: string; preferences: PreferenceView[] };

const invalid = () => fail('NotFound', 'This link is not valid (it may have been mistyped, cut, or the person erased).');

/** The person a preference token (`p`) names. */
export async function preferenceTarget(deps: AppDeps, token: string): Promise<PreferenceTarget | null> {
  const link = await verifyPersonLink(deps.db, token, 'p');
  return link ? { workspaceId: link.workspaceId, contactId: link.id } : null;
}

/** A preference-centre link for a contact (used in confirmation emails; nurture emails carry their own). */
export async function preferenceToken(db: DbOrTrx, workspaceId: string, contactId: string): Promise<string> {
  return signPersonLink(db, { kind: 'p', workspaceId, id: contactId });
}

/** The contact the page acts on: merges followed; an erased person has no preference page. */
async function personOf(db: DbOrTrx, target: PreferenceTarget): Promise<string | null> {
  const person = await findPerson(db, target.workspaceId, target.contactId);
  return person && person.status !== 'erased' ? person.rootId : null;
}

export async function preferencePage(deps: AppDeps, target: PreferenceTarget): Promise<Result<PreferencePage>> {
  const id = await personOf(deps.db, target);
  const contact = id ? await getContact(deps.db, target.workspaceId, id) : null;
  if (!contact) return invalid();
  return ok({ maskedEmail: maskEmail(contact.email), preferences: preferenceViews(contact.consent) });
}

/** Grants or withdraws one purpose group. */
export async function choosePreference(deps: AppDeps, target: PreferenceTarget, group: PreferenceGroup, choice: 'granted' | 'withdrawn'): Promise<Result<PreferencePage>> {
  return change(deps, target, (now) => preferenceChanges(group, choice, now));
}

/** Withdraws every email purpose (marketing and sales email); tracking stays as it was. */
export async function unsubscribeFromAll(deps: AppDeps, target: PreferenceTarget): Promise<Result<PreferencePage>> {
  return change(deps, target, unsubscribeAllChanges);
}

async function change(deps: AppDeps, target: PreferenceTarget, changes: (now: Date) => ReturnType<typeof unsubscribeAllChanges>): Promise<Result<PreferencePage>> {
  const id = await personOf(deps.db, target);
  if (!id) return invalid();
  const now = deps.clock.now();
  await withTransaction(deps, async (trx) => {
    // A grant of email marketing announces itself (MarketingEmailAllowed): nurture enrols the open lead now.
    await recordContactConsent(trx, target.workspaceId, id, changes(now), now, 'preference_centre');
  });
  return preferencePage(deps, target);
}
