import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { changePage } from './change-feed.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { AccountTable } from './schema.ts';

export type Account = {
  id: string; name: string; domain: string | null; industry: string | null; employeeCount: number | null;
  country: string | null; region: string | null; annualRevenue: number | null; ownerId: string | null;
  externalId: string | null; attributes: Record<string, unknown>; createdAt: Date; updatedAt: Date;
};

export function toAccount(r: Selectable<AccountTable>): Account {
  return {
    id: r.id, name: r.name, domain: r.domain, industry: r.industry, employeeCount: r.employee_count, country: r.country,
    region: r.region, annualRevenue: r.annual_revenue === null ? null : Number(r.annual_revenue), ownerId: r.owner_id,
    externalId: r.external_id, attributes: r.attributes, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export type NewAccount = {
  name: string; domain?: string | null; industry?: string | null; employeeCount?: number | null; country?: string | null;
  region?: string | null; annualRevenue?: number | null; ownerId?: string | null; externalId?: string | null; attributes?: Record<string, unknown>;
};

export async function insertAccount(db: DbOrTrx, workspaceId: string, a: NewAccount): Promise<Account> {
  const row = await db.insertInto('account').values({
    workspace_id: workspaceId, id: newId(), name: a.name, domain: a.domain ?? null, industry: a.industry ?? null,
    employee_count: a.employeeCount ?? null, country: a.country ?? null, region: a.region ?? null,
    annual_revenue: a.annualRevenue ?? null, owner_id: a.ownerId ?? null, external_id: a.externalId ?? null,
    attributes: JSON.stringify(a.attributes ?? {}),
  }).returningAll().executeTakeFirstOrThrow();
  return toAccount(row);
}

export async function getAccount(db: DbOrTrx, workspaceId: string, id: string): Promise<Account | null> {
  const row = await db.selectFrom('account').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toAccount(row) : null;
}

export async function findAccountByDomain(db: DbOrTrx, workspaceId: string, domain: string): Promise<Account | null> {
  const row = await db.selectFrom('account').selectAll().where('workspace_id', '=', workspaceId).where('domain', '=', domain).executeTakeFirst();
  return row ? toAccount(row) : null;
}

export async function listAccounts(db: DbOrTrx, workspaceId: string, filter: { domain?: string }, page: PageRequest): Promise<Page<Account>> {
  let query = db.selectFrom('account').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.domain) query = query.where('domain', '=', filter.domain);
  if (page.changes) return changePage(db, query, 'account', page.changes, page.limit, toAccount);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toAccount);
}

/** Accounts by id, set-based (one query for a page of rows). */
export async function getAccountsByIds(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('account').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...ids]).execute();
  return rows.map(toAccount);
}
