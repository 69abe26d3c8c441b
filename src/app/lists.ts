import { normalizeEmail } from '../core/identity.ts';
import { getAccountsByIds, type Account } from '../storage/accounts.repo.ts';
import { findContactByEmail, getContactsByIds, type Contact } from '../storage/contacts.repo.ts';
import { listAccountRows, listLeadRows, listOpportunityRows, listPeople, type ListFilter, type ListRequest } from '../storage/lists.repo.ts';
import type { Lead } from '../storage/leads.repo.ts';
import type { Opportunity } from '../storage/opportunities.repo.ts';
import type { Page } from '../storage/page.ts';
import type { AppDeps } from './context.ts';

export type { ListFilter, ListRequest } from '../storage/lists.repo.ts';

/** A page of a list with the people and accounts its rows name, loaded with one `= ANY(ids)` query per kind (never per row). */
export type ListPage<T> = Page<T> & { contacts: Map<string, Contact>; accounts: Map<string, Account> };

async function withRelations<T>(deps: AppDeps, ws: string, page: Page<T>, contactIds: (string | null)[], accountIds: (string | null)[]): Promise<ListPage<T>> {
  const present = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => !!id))];
  const [contacts, accounts] = await Promise.all([getContactsByIds(deps.db, ws, present(contactIds)), getAccountsByIds(deps.db, ws, present(accountIds))]);
  return { ...page, contacts: new Map(contacts.map((c) => [c.id, c])), accounts: new Map(accounts.map((a) => [a.id, a])) };
}

export async function listPeoplePage(deps: AppDeps, ws: string, filter: ListFilter, req: ListRequest): Promise<ListPage<Contact>> {
  const page = await listPeople(deps.db, ws, filter, req);
  return withRelations(deps, ws, page, [], page.data.map((c) => c.accountId));
}

export async function listLeadsPage(deps: AppDeps, ws: string, filter: ListFilter, req: ListRequest): Promise<ListPage<Lead>> {
  const page = await listLeadRows(deps.db, ws, filter, req);
  return withRelations(deps, ws, page, page.data.map((l) => l.contactId), page.data.map((l) => l.accountId));
}

export async function listAccountsPage(deps: AppDeps, ws: string, filter: ListFilter, req: ListRequest): Promise<ListPage<Account>> {
  return withRelations(deps, ws, await listAccountRows(deps.db, ws, filter, req), [], []);
}

export async function listOpportunitiesPage(deps: AppDeps, ws: string, filter: ListFilter, req: ListRequest): Promise<ListPage<Opportunity>> {
  const page = await listOpportunityRows(deps.db, ws, filter, req);
  return withRelations(deps, ws, page, [], page.data.map((o) => o.accountId));
}

export type SearchHits = { people: (Contact & { account: Account | null })[]; accounts: Account[] };

/**
 * The header search box: a person by exact email first (the usual case: someone pasted an address),
 * then people and accounts whose name, email or domain contains the text.
 */
export async function searchEverything(deps: AppDeps, ws: string, q: string, limit = 8): Promise<SearchHits> {
  const email = normalizeEmail(q);
  const [exact, people, accounts] = await Promise.all([
    email ? findContactByEmail(deps.db, ws, email) : null,
    listPeoplePage(deps, ws, { q }, { sort: 'last_touch', limit }),
    listAccountRows(deps.db, ws, { q }, { sort: 'name', limit: Math.ceil(limit / 2) }),
  ]);
  const merged = exact && exact.status !== 'merged' ? [exact, ...people.data.filter((p) => p.id !== exact.id)].slice(0, limit) : people.data;
  const missing = merged.map((p) => p.accountId).filter((id): id is string => !!id && !people.accounts.has(id));
  const extra = missing.length ? await getAccountsByIds(deps.db, ws, missing) : [];
  const accountsById = new Map([...people.accounts, ...extra.map((a) => [a.id, a] as const)]);
  return { people: merged.map((p) => ({ ...p, account: p.accountId ? accountsById.get(p.accountId) ?? null : null })), accounts: accounts.data };
}
