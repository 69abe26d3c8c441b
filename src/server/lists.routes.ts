import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAccountsPage, listLeadsPage, listOpportunitiesPage, listPeoplePage, type ListFilter, type ListRequest } from '../app/lists.ts';
import type { Principal } from '../app/context.ts';
import { decodeChangeCursor } from '../core/change-cursor.ts';
import { isStage, stages } from '../core/lifecycle.ts';
import { decodeSortCursor, defaultSort, isListSort, listSorts, type ListEntity } from '../core/lists.rules.ts';
import { allowedTransitions } from '../core/lifecycle.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses } from './contract/common.contract.ts';
import { toAccountDto, toContactDto } from './contract/contacts.contract.ts';
import { toOpportunityDto } from './contract/catalog.contract.ts';
import { toLeadDto } from './contract/leads.contract.ts';
import { accountsPageDto, leadsPageDto, listQuery, opportunitiesPageDto, peoplePageDto, type ListQuery } from './contract/lists.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';

type Parsed = { ok: true; filter: ListFilter; request: ListRequest } | { ok: false; path: string; message: string; hint: string };

// Filters that only some lists have: asking another list for them is a mistake worth a 400, not an empty page.
const onlyFor: Partial<Record<keyof ListQuery, ListEntity[]>> = {
  stage: ['people', 'leads', 'opportunities'], rating: ['people', 'leads'], source: ['people', 'leads'], campaign: ['people', 'leads'],
  consent: ['people', 'leads'], contact_id: ['leads'], status: ['opportunities'], country: ['accounts'], industry: ['accounts'],
  account_id: ['people', 'leads', 'opportunities'],
};

const startOf = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
const split = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** Turns the query into the repository's filter and page request, or says which parameter is wrong and how to fix it. */
function parseQuery(entity: ListEntity, q: ListQuery, p: Principal): Parsed {
  for (const [key, lists] of Object.entries(onlyFor) as [keyof ListQuery, ListEntity[]][]) {
    if (q[key] !== undefined && !lists.includes(entity)) return { ok: false, path: `querystring.${key}`, message: `The ${entity} list has no '${key}' filter.`, hint: `only on: ${lists.join(', ')}` };
  }
  const sort = q.sort ?? defaultSort(entity);
  if (!isListSort(entity, sort)) return { ok: false, path: 'querystring.sort', message: `Unknown sort '${sort}' for ${entity}.`, hint: `one of ${Object.keys(listSorts[entity]).join(', ')}` };
  const stage = split(q.stage);
  const bad = entity !== 'opportunities' ? stage?.filter((s) => !isStage(s)) ?? [] : [];
  if (bad.length) return { ok: false, path: 'querystring.stage', message: `Unknown stage(s): ${bad.join(', ')}.`, hint: `one of ${stages.join(', ')}` };
  let ownerId: string | undefined;
  if (q.owner === 'me') {
    if (!p.userId) return { ok: false, path: 'querystring.owner', message: "owner=me needs a user (a session or a personal API key).", hint: 'give a user id' };
    ownerId = p.userId;
  } else if (q.owner === 'none' || q.owner === undefined) ownerId = q.owner;
  else if (z.uuid().safeParse(q.owner).success) ownerId = q.owner;
  else return { ok: false, path: 'querystring.owner', message: "owner must be a user id, 'me' or 'none'.", hint: 'not a UUID' };
  const from = q.from ? startOf(q.from) : undefined;
  const to = q.to ? startOf(q.to) : undefined;
  if (from && to && from >= to) return { ok: false, path: 'querystring.to', message: `'to' (${q.to}) must be after 'from' (${q.from}).`, hint: 'to is exclusive' };
  const [purpose, status] = q.consent ? q.consent.split(':') as [string, 'granted' | 'refused' | 'none'] : [];
  const filter: ListFilter = {
    q: q.q || undefined, stage, ownerId, rating: split(q.rating), source: q.source, campaign: q.campaign,
    consent: purpose ? { purpose, status: status! } : undefined, from, to, accountId: q.account_id, contactId: q.contact_id,
    status: q.status, country: q.country, industry: q.industry,
  };
  const change = q.cursor ? decodeChangeCursor(q.cursor) : null;
  if (change || q.updated_since) {
    return { ok: true, filter, request: { sort, limit: q.limit, changes: { updatedSince: q.updated_since ? new Date(q.updated_since) : null, after: change } } };
  }
  return { ok: true, filter, request: { sort, limit: q.limit, after: q.cursor ? decodeSortCursor(q.cursor) : null } };
}

const pageFields = (page: { nextCursor: string | null; hasMore?: boolean }) => ({ next_cursor: page.nextCursor, ...(page.hasMore !== undefined ? { has_more: page.hasMore } : {}) });
const sortsText = (e: ListEntity) => Object.entries(listSorts[e]).map(([k, label]) => `${k} (${label})`).join(', ');

export function listsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['lists'];
  const parsed = (entity: ListEntity, q: ListQuery, p: Principal, reply: FastifyReply) => {
    const r = parseQuery(entity, q, p);
    if (!r.ok) void sendError(reply, 'ValidationFailed', r.message, [{ path: r.path, message: r.hint }]);
    return r.ok ? r : null;
  };

  app.get('/api/v1/lists/people', {
    config: { permission: 'read' },
    schema: { tags, summary: `People (contacts) list: search, filters, keyset pages; each with its account. Sorts: ${sortsText('people')}`, querystring: listQuery, response: { 200: peoplePageDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const r = parsed('people', request.query, p, reply);
    if (!r) return reply;
    const page = await listPeoplePage(deps.app, p.workspaceId, r.filter, r.request);
    return { data: page.data.map((c) => ({ ...toContactDto(c), account: c.accountId && page.accounts.has(c.accountId) ? toAccountDto(page.accounts.get(c.accountId)!) : null })), ...pageFields(page) };
  });

  app.get('/api/v1/lists/leads', {
    config: { permission: 'read' },
    schema: { tags, summary: `Leads list: search (person, company), filters, keyset pages; each with its person and account. Sorts: ${sortsText('leads')}`, querystring: listQuery, response: { 200: leadsPageDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const r = parsed('leads', request.query, p, reply);
    if (!r) return reply;
    const page = await listLeadsPage(deps.app, p.workspaceId, r.filter, r.request);
    return {
      data: page.data.map((l) => {
        const contact = page.contacts.get(l.contactId);
        const account = l.accountId ? page.accounts.get(l.accountId) : undefined;
        return { ...toLeadDto(l, allowedTransitions(l.stage)), contact: contact ? toContactDto(contact) : null, account: account ? toAccountDto(account) : null };
      }),
      ...pageFields(page),
    };
  });

  app.get('/api/v1/lists/accounts', {
    config: { permission: 'read' },
    schema: { tags, summary: `Accounts list: search (name, domain), filters, keyset pages. Sorts: ${sortsText('accounts')}`, querystring: listQuery, response: { 200: accountsPageDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const r = parsed('accounts', request.query, p, reply);
    if (!r) return reply;
    const page = await listAccountsPage(deps.app, p.workspaceId, r.filter, r.request);
    return { data: page.data.map(toAccountDto), ...pageFields(page) };
  });

  app.get('/api/v1/lists/opportunities', {
    config: { permission: 'read' },
    schema: { tags, summary: `Opportunities list: search (name, account), filters, keyset pages; each with its account. Sorts: ${sortsText('opportunities')}`, querystring: listQuery, response: { 200: opportunitiesPageDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const r = parsed('opportunities', request.query, p, reply);
    if (!r) return reply;
    const page = await listOpportunitiesPage(deps.app, p.workspaceId, r.filter, r.request);
    return { data: page.data.map((o) => ({ ...toOpportunityDto(o), account: o.accountId && page.accounts.has(o.accountId) ? toAccountDto(page.accounts.get(o.accountId)!) : null })), ...pageFields(page) };
  });
}
