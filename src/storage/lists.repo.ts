import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { encodeSortCursor, type ListEntity, type SortPosition } from '../core/lists.rules.ts';
import { toAccount, type Account } from './accounts.repo.ts';
import { changePage, type ChangeRequest } from './change-feed.ts';
import { toContact, type Contact } from './contacts.repo.ts';
import type { DbOrTrx } from './db.ts';
import { toLead, type Lead } from './leads.repo.ts';
import { toOpportunity, type Opportunity } from './opportunities.repo.ts';
import type { Page } from './page.ts';
import type { Database } from './schema.ts';

/** Filters of the list screens; every one optional, all of them ANDed. */
export type ListFilter = {
  q?: string; stage?: string[]; ownerId?: string | 'none'; rating?: string[]; source?: string; campaign?: string;
  consent?: { purpose: string; status: 'granted' | 'refused' | 'none' }; from?: Date; to?: Date;
  accountId?: string; contactId?: string; status?: string; country?: string; industry?: string;
};
export type ListRequest = { sort: string; limit: number; after?: SortPosition | null; changes?: ChangeRequest | null };

type Table = 'contact' | 'lead' | 'account' | 'opportunity';
/** `expr` names its table's columns as `$.column`; the list puts its table name there. */
type Sort = { expr: string; dir: 'asc' | 'desc'; cast: string };

// Sort expressions match the indexes of migration 2026-12-04-30-lists exactly, or PostgreSQL will not use them.
const sorts: Record<ListEntity, Record<string, Sort>> = {
  people: {
    newest: { expr: '$.id', dir: 'desc', cast: 'uuid' },
    updated: { expr: '$.updated_at', dir: 'desc', cast: 'timestamptz' },
    last_touch: { expr: "coalesce($.latest_touch_at, '-infinity'::timestamptz)", dir: 'desc', cast: 'timestamptz' },
    name: { expr: "lower(coalesce($.last_name, '') || ' ' || coalesce($.first_name, ''))", dir: 'asc', cast: 'text' },
  },
  leads: {
    newest: { expr: '$.id', dir: 'desc', cast: 'uuid' },
    opened: { expr: '$.opened_at', dir: 'desc', cast: 'timestamptz' },
    updated: { expr: '$.updated_at', dir: 'desc', cast: 'timestamptz' },
    score: { expr: "coalesce($.engagement_score, '-Infinity'::numeric)", dir: 'desc', cast: 'numeric' },
  },
  accounts: {
    name: { expr: 'lower($.name)', dir: 'asc', cast: 'text' },
    newest: { expr: '$.id', dir: 'desc', cast: 'uuid' },
    updated: { expr: '$.updated_at', dir: 'desc', cast: 'timestamptz' },
  },
  opportunities: {
    newest: { expr: '$.id', dir: 'desc', cast: 'uuid' },
    amount: { expr: '$.amount', dir: 'desc', cast: 'numeric' },
    close_date: { expr: "coalesce($.close_date, 'infinity'::date)", dir: 'asc', cast: 'date' },
    updated: { expr: '$.updated_at', dir: 'desc', cast: 'timestamptz' },
  },
};

const tableOf: Record<ListEntity, Table> = { people: 'contact', leads: 'lead', accounts: 'account', opportunities: 'opportunity' };

/** `%part%` for LIKE, lower-cased (the trigram indexes are on lower(...)), with LIKE's own characters escaped. */
const likeOf = (q: string) => `%${q.trim().toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
const contactText = sql.raw("lower(coalesce(c2.email, '') || ' ' || coalesce(c2.first_name, '') || ' ' || coalesce(c2.last_name, ''))");
const accountText = sql.raw("lower(a2.name || ' ' || coalesce(a2.domain, ''))");

function contactsMatching(ws: string, q: string): RawBuilder<unknown> {
  return sql`SELECT c2.id FROM contact c2 WHERE c2.workspace_id = ${ws} AND ${contactText} LIKE ${likeOf(q)}`;
}
function accountsMatching(ws: string, q: string): RawBuilder<unknown> {
  return sql`SELECT a2.id FROM account a2 WHERE a2.workspace_id = ${ws} AND ${accountText} LIKE ${likeOf(q)}`;
}
function consentCondition(column: RawBuilder<unknown>, c: NonNullable<ListFilter['consent']>): RawBuilder<boolean> {
  const status = sql`${column} -> ${c.purpose} ->> 'status'`;
  if (c.status === 'none') return sql<boolean>`${status} IS NULL`;
  return c.status === 'granted' ? sql<boolean>`${status} = 'granted'` : sql<boolean>`${status} IN ('refused', 'withdrawn')`;
}

type AnyQuery = SelectQueryBuilder<Database, any, any>;

/** The WHERE conditions of one list, on its unaliased table (the change feed refers to `<table>.<column>`). */
function conditions(entity: ListEntity, ws: string, f: ListFilter): RawBuilder<boolean>[] {
  const t = sql.raw(tableOf[entity]);
  const col = (c: string) => sql.ref(`${tableOf[entity]}.${c}`);
  const out: RawBuilder<boolean>[] = [sql<boolean>`${col('workspace_id')} = ${ws}`];
  const add = (c: RawBuilder<boolean>) => out.push(c);
  if (f.ownerId) add(f.ownerId === 'none' ? sql<boolean>`${col('owner_id')} IS NULL` : sql<boolean>`${col('owner_id')} = ${f.ownerId}`);
  const dateCol = entity === 'leads' ? col('opened_at') : entity === 'opportunities' ? col('close_date') : col('created_at');
  if (f.from) add(sql<boolean>`${dateCol} >= ${f.from}`);
  if (f.to) add(sql<boolean>`${dateCol} < ${f.to}`);
  if (entity === 'people') {
    add(sql<boolean>`${col('status')} <> 'merged'`);
    if (f.q) add(sql<boolean>`(${col('id')} IN (${contactsMatching(ws, f.q)}) OR ${col('account_id')} IN (${accountsMatching(ws, f.q)}))`);
    if (f.accountId) add(sql<boolean>`${col('account_id')} = ${f.accountId}`);
    if (f.source) add(sql<boolean>`(${col('first_source')} = ${f.source} OR ${col('latest_source')} = ${f.source})`);
    if (f.campaign) add(sql<boolean>`(${col('first_campaign')} = ${f.campaign} OR ${col('latest_campaign')} = ${f.campaign})`);
    if (f.consent) add(consentCondition(col('consent'), f.consent));
    if (f.stage?.length || f.rating?.length) {
      const stage = f.stage?.length ? sql`AND l2.stage = ANY(${f.stage}::text[])` : sql``;
      const rating = f.rating?.length ? sql`AND l2.rating = ANY(${f.rating}::text[])` : sql``;
      add(sql<boolean>`EXISTS (SELECT 1 FROM lead l2 WHERE l2.workspace_id = ${ws} AND l2.contact_id = ${t}.id AND l2.closed_at IS NULL ${stage} ${rating})`);
    }
  } else if (entity === 'leads') {
    if (f.q) add(sql<boolean>`(${col('contact_id')} IN (${contactsMatching(ws, f.q)}) OR ${col('account_id')} IN (${accountsMatching(ws, f.q)}))`);
    if (f.stage?.length) add(sql<boolean>`${col('stage')} = ANY(${f.stage}::text[])`);
    if (f.rating?.length) add(sql<boolean>`${col('rating')} = ANY(${f.rating}::text[])`);
    if (f.source) add(sql<boolean>`(${col('source')} = ${f.source} OR ${col('latest_source')} = ${f.source})`);
    if (f.campaign) add(sql<boolean>`(${col('campaign')} = ${f.campaign} OR ${col('latest_campaign')} = ${f.campaign})`);
    if (f.accountId) add(sql<boolean>`${col('account_id')} = ${f.accountId}`);
    if (f.contactId) add(sql<boolean>`${col('contact_id')} = ${f.contactId}`);
    if (f.consent) {
      add(sql<boolean>`EXISTS (SELECT 1 FROM contact c3 WHERE c3.workspace_id = ${ws} AND c3.id = ${t}.contact_id AND ${consentCondition(sql.ref('c3.consent'), f.consent)})`);
    }
  } else if (entity === 'accounts') {
    if (f.q) add(sql<boolean>`${col('id')} IN (${accountsMatching(ws, f.q)})`);
    if (f.country) add(sql<boolean>`${col('country')} = ${f.country}`);
    if (f.industry) add(sql<boolean>`${col('industry')} = ${f.industry}`);
  } else {
    if (f.q) add(sql<boolean>`(lower(${col('name')}) LIKE ${likeOf(f.q)} OR ${col('account_id')} IN (${accountsMatching(ws, f.q)}))`);
    if (f.stage?.length) add(sql<boolean>`${col('stage')} = ANY(${f.stage}::text[])`);
    if (f.status) add(sql<boolean>`${col('status')} = ${f.status}`);
    if (f.accountId) add(sql<boolean>`${col('account_id')} = ${f.accountId}`);
  }
  return out;
}

/**
 * One page of a list: filtered, sorted by a keyset `(sort expression, id)` that an index serves
 * (so page 2,000 costs what page 1 costs), or, with `changes`, the list's change feed.
 */
async function listPage<R extends { id: string }, T>(db: DbOrTrx, entity: ListEntity, ws: string, filter: ListFilter, req: ListRequest, map: (r: R) => T): Promise<Page<T>> {
  const table = tableOf[entity];
  let query = (db.selectFrom(table) as unknown as AnyQuery).selectAll(table);
  for (const c of conditions(entity, ws, filter)) query = query.where(c);
  if (req.changes) return changePage(db, query, table, req.changes, req.limit, map as (r: unknown) => T) as Promise<Page<T>>;
  const sort = sorts[entity][req.sort] ?? Object.values(sorts[entity])[0]!;
  const expr = sql.raw(sort.expr.replaceAll('$.', `${table}.`));
  const id = sql.ref(`${table}.id`);
  const cmp = sql.raw(sort.dir === 'desc' ? '<' : '>');
  if (req.after) {
    query = sort.expr === '$.id'
      ? query.where(sql<boolean>`${id} ${cmp} ${req.after.id}::uuid`)
      : query.where(sql<boolean>`(${expr}, ${id}) ${cmp} (${req.after.value}::${sql.raw(sort.cast)}, ${req.after.id}::uuid)`);
  }
  const dir = sql.raw(sort.dir);
  const rows = await query.select(sql<string>`(${expr})::text`.as('sort_value'))
    .orderBy(sql`${expr} ${dir}`).orderBy(sql`${id} ${dir}`).limit(req.limit + 1).execute() as (R & { sort_value: string })[];
  const hasMore = rows.length > req.limit;
  const kept = hasMore ? rows.slice(0, req.limit) : rows;
  const last = kept.at(-1);
  return { data: kept.map(map), nextCursor: hasMore && last ? encodeSortCursor({ value: last.sort_value, id: last.id }) : null };
}

export const listPeople = (db: DbOrTrx, ws: string, f: ListFilter, r: ListRequest): Promise<Page<Contact>> => listPage(db, 'people', ws, f, r, toContact);
export const listLeadRows = (db: DbOrTrx, ws: string, f: ListFilter, r: ListRequest): Promise<Page<Lead>> => listPage(db, 'leads', ws, f, r, toLead);
export const listAccountRows = (db: DbOrTrx, ws: string, f: ListFilter, r: ListRequest): Promise<Page<Account>> => listPage(db, 'accounts', ws, f, r, toAccount);
export const listOpportunityRows = (db: DbOrTrx, ws: string, f: ListFilter, r: ListRequest): Promise<Page<Opportunity>> => listPage(db, 'opportunities', ws, f, r, toOpportunity);
