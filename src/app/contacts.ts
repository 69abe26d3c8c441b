import { consentChanges, type ConsentChange } from '../core/consent.rules.ts';
import { emailDomain, normalizeDomain, normalizeEmail } from '../core/identity.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { findAccountByDomain, getAccount, insertAccount, listAccounts, type Account, type NewAccount } from '../storage/accounts.repo.ts';
import { listActivitiesForContact, type Activity } from '../storage/activities.repo.ts';
import { listContactContentRatings, type ContactContentRating } from '../storage/contact-content-ratings.repo.ts';
import { listContactConflicts, listContactIdentities, listContactMerges, type ContactIdentity, type ContactMergeEntry, type IdentityConflictEntry } from '../storage/contact-identity.repo.ts';
import { findContactByEmail, getContact, insertContact, listContacts, updateContact, type Contact, type ContactFields } from '../storage/contacts.repo.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import { getUser } from '../storage/users.repo.ts';
import { recordContactConsent } from './consent.ts';
import type { AppDeps } from './context.ts';
import { isFreeMailDomain } from './free-mail.ts';
import { publish } from './events/dispatcher.ts';
import { withTransaction } from './transaction.ts';

const notFound = (what: string, id: string) => fail('NotFound', `${what} ${id} not found in this workspace.`);

async function checkReferences(deps: AppDeps, workspaceId: string, f: { accountId?: string | null; ownerId?: string | null }): Promise<Result<null>> {
  if (f.accountId && !(await getAccount(deps.db, workspaceId, f.accountId))) {
    return fail('ValidationFailed', `Account ${f.accountId} does not exist in this workspace.`, [{ path: 'account_id', message: 'unknown account' }]);
  }
  if (f.ownerId && !(await getUser(deps.db, workspaceId, f.ownerId))) {
    return fail('ValidationFailed', `User ${f.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  }
  return ok(null);
}

/** Matches a business email's domain to an account (never a free-mail domain). */
export async function accountForEmail(deps: AppDeps, workspaceId: string, email: string | null): Promise<Account | null> {
  if (!email) return null;
  const domain = emailDomain(email);
  if (isFreeMailDomain(domain)) return null;
  return findAccountByDomain(deps.db, workspaceId, domain);
}

/**
 * REST consent (`{ email_marketing: 'refused' | {status, at?, basis?} | true, … }`) as changes sourced
 * `api`; anything unreadable is refused with where it is, before anything is written.
 */
function apiConsent(deps: AppDeps, consent: Record<string, unknown> | undefined): Result<ConsentChange[]> {
  if (consent === undefined) return ok([]);
  const { changes, problems } = consentChanges(consent, { at: deps.clock.now(), source: 'api' });
  if (problems.length) return fail('ValidationFailed', `The consent could not be read: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`, problems);
  return ok(changes);
}

export async function createContact(deps: AppDeps, workspaceId: string, input: ContactFields): Promise<Result<Contact>> {
  const consent = apiConsent(deps, input.consent);
  if (!consent.ok) return consent;
  let email: string | null = null;
  if (input.email != null) {
    email = normalizeEmail(input.email);
    if (!email) return fail('ValidationFailed', `'${input.email}' is not a valid email address.`, [{ path: 'email', message: 'invalid email' }]);
    if (await findContactByEmail(deps.db, workspaceId, email)) {
      return fail('Conflict', `A contact with email ${email} already exists.`, [{ path: 'email', message: 'taken' }]);
    }
  }
  const refs = await checkReferences(deps, workspaceId, input);
  if (!refs.ok) return refs;
  const accountId = input.accountId ?? (await accountForEmail(deps, workspaceId, email))?.id ?? null;
  try {
    return ok(await withTransaction(deps, async (trx) => {
      const created = await insertContact(trx, workspaceId, { ...input, consent: undefined, email, accountId, status: email ? 'known' : 'anonymous' });
      await publish(trx, 'ContactCreated', { workspaceId, contactId: created.id, email, accountId, origin: 'api', at: deps.clock.now() });
      if (consent.value.length === 0) return created;
      await recordContactConsent(trx, workspaceId, created.id, consent.value, deps.clock.now(), 'api');
      return (await getContact(trx, workspaceId, created.id))!;
    }));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A contact with email ${email} already exists.`, [{ path: 'email', message: 'taken' }]);
    throw e;
  }
}

export async function patchContact(deps: AppDeps, workspaceId: string, id: string, patch: ContactFields): Promise<Result<Contact>> {
  if (!(await getContact(deps.db, workspaceId, id))) return notFound('Contact', id);
  const consent = apiConsent(deps, patch.consent);
  if (!consent.ok) return consent;
  const next = { ...patch, consent: undefined };
  if (patch.email != null) {
    const email = normalizeEmail(patch.email);
    if (!email) return fail('ValidationFailed', `'${patch.email}' is not a valid email address.`, [{ path: 'email', message: 'invalid email' }]);
    const other = await findContactByEmail(deps.db, workspaceId, email);
    if (other && other.id !== id) return fail('Conflict', `Another contact (${other.id}) already has email ${email}.`, [{ path: 'email', message: 'taken' }]);
    next.email = email;
    next.status = 'known';
  }
  const refs = await checkReferences(deps, workspaceId, patch);
  if (!refs.ok) return refs;
  const updated = await withTransaction(deps, async (trx) => {
    const row = await updateContact(trx, workspaceId, id, next);
    // Fit depends on who the contact is: scoring re-scores it in this transaction (a ContactUpdated subscriber).
    if (row) await publish(trx, 'ContactUpdated', { workspaceId, contactId: id, fields: Object.keys(patch).filter((k) => patch[k as keyof ContactFields] !== undefined), at: deps.clock.now() });
    if (!row || consent.value.length === 0) return row;
    await recordContactConsent(trx, workspaceId, id, consent.value, deps.clock.now(), 'api');
    return getContact(trx, workspaceId, id);
  });
  return updated ? ok(updated) : notFound('Contact', id);
}

export async function findContact(deps: AppDeps, workspaceId: string, id: string): Promise<Result<Contact>> {
  const contact = await getContact(deps.db, workspaceId, id);
  return contact ? ok(contact) : notFound('Contact', id);
}

export async function searchContacts(deps: AppDeps, workspaceId: string, filter: { email?: string; accountId?: string; q?: string }, page: PageRequest): Promise<Page<Contact>> {
  const email = filter.email ? normalizeEmail(filter.email) ?? filter.email.trim().toLowerCase() : undefined;
  return listContacts(deps.db, workspaceId, { ...filter, email }, page);
}

export async function contactActivities(deps: AppDeps, workspaceId: string, id: string, page: PageRequest): Promise<Result<Page<Activity>>> {
  if (!(await getContact(deps.db, workspaceId, id))) return notFound('Contact', id);
  return ok(await listActivitiesForContact(deps.db, workspaceId, id, page));
}

/** The content ratings a contact gave (snippet ratings tied to the person), newest first. */
export async function contactContentRatings(deps: AppDeps, workspaceId: string, id: string, page: PageRequest): Promise<Result<Page<ContactContentRating>>> {
  if (!(await getContact(deps.db, workspaceId, id))) return notFound('Contact', id);
  return ok(await listContactContentRatings(deps.db, workspaceId, id, page));
}

export type ContactIdentityView = { identities: ContactIdentity[]; merges: ContactMergeEntry[]; conflicts: IdentityConflictEntry[] };

/**
 * Who a contact is, as the ingestion saw it: the identities bound to it now, the merges it took
 * part in (winner or loser) and the identity conflicts naming it on either side. A merged
 * contact answers too (its tombstone's log says where it went).
 */
export async function contactIdentity(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ContactIdentityView>> {
  if (!(await getContact(deps.db, workspaceId, id))) return notFound('Contact', id);
  const [identities, merges, conflicts] = await Promise.all([
    listContactIdentities(deps.db, workspaceId, id), listContactMerges(deps.db, workspaceId, id), listContactConflicts(deps.db, workspaceId, id),
  ]);
  return ok({ identities, merges, conflicts });
}

export async function createAccount(deps: AppDeps, workspaceId: string, input: NewAccount): Promise<Result<Account>> {
  let domain: string | null = null;
  if (input.domain != null) {
    domain = normalizeDomain(input.domain);
    if (!domain) return fail('ValidationFailed', `'${input.domain}' is not a valid domain (e.g. acme.com).`, [{ path: 'domain', message: 'invalid domain' }]);
    if (isFreeMailDomain(domain)) return fail('ValidationFailed', `${domain} is a free-mail domain and cannot identify a company.`, [{ path: 'domain', message: 'free-mail domain' }]);
  }
  const refs = await checkReferences(deps, workspaceId, { ownerId: input.ownerId });
  if (!refs.ok) return refs;
  try {
    return ok(await insertAccount(deps.db, workspaceId, { ...input, domain }));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `An account with domain ${domain} (or external id ${input.externalId}) already exists.`, [{ path: 'domain', message: 'taken' }]);
    throw e;
  }
}

export async function findAccount(deps: AppDeps, workspaceId: string, id: string): Promise<Result<Account>> {
  const account = await getAccount(deps.db, workspaceId, id);
  return account ? ok(account) : notFound('Account', id);
}

export async function searchAccounts(deps: AppDeps, workspaceId: string, filter: { domain?: string }, page: PageRequest): Promise<Page<Account>> {
  return listAccounts(deps.db, workspaceId, { domain: filter.domain ? normalizeDomain(filter.domain) ?? filter.domain : undefined }, page);
}
