import { sql } from 'kysely';
import type { Trx } from './db.ts';
import './schema-imports.ts';

/** Set-based lookups and updates for imports: one statement per chunk, keyed by the chunk's values. */

const any = (values: string[]) => sql<string>`ANY(${values}::text[])`;

export async function findContactsByEmails(trx: Trx, workspaceId: string, emails: string[]): Promise<Map<string, { id: string; accountId: string | null }>> {
  if (emails.length === 0) return new Map();
  const rows = await trx.selectFrom('contact').select(['id', 'email', 'account_id']).where('workspace_id', '=', workspaceId).where('email', '=', any(emails)).execute();
  return new Map(rows.map((r) => [r.email!, { id: r.id, accountId: r.account_id }]));
}

export async function findContactAccounts(trx: Trx, workspaceId: string, ids: string[]): Promise<Map<string, { email: string | null; accountId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom('contact').select(['id', 'email', 'account_id']).where('workspace_id', '=', workspaceId).where('id', '=', sql<string>`ANY(${ids}::uuid[])`).execute();
  return new Map(rows.map((r) => [r.id, { email: r.email, accountId: r.account_id }]));
}

export type ContactUpdate = {
  id: string; email: string | null; firstName: string | null; lastName: string | null; title: string | null; phone: string | null;
  country: string | null; accountId: string | null; attributes: Record<string, unknown>; firstTouchAt: Date | null; firstSource: string | null;
};

/**
 * Applies file values over stored ones (a blank cell keeps what is stored). Never replaces an email,
 * an account link or a first touch that is already set: those come from identity resolution and
 * the first interaction, which a later export must not rewrite. Answers how many rows changed.
 */
export async function updateContactsBulk(trx: Trx, workspaceId: string, rows: ContactUpdate[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(rows.map((r) => ({
    id: r.id, email: r.email, first_name: r.firstName, last_name: r.lastName, title: r.title, phone: r.phone, country: r.country,
    account_id: r.accountId, attributes: r.attributes, first_touch_at: r.firstTouchAt, first_source: r.firstSource,
  })));
  const result = await sql`
    UPDATE contact c SET
      email = COALESCE(c.email, x.email), status = CASE WHEN COALESCE(c.email, x.email) IS NULL THEN c.status ELSE 'known' END,
      first_name = COALESCE(x.first_name, c.first_name), last_name = COALESCE(x.last_name, c.last_name), title = COALESCE(x.title, c.title),
      phone = COALESCE(x.phone, c.phone), country = COALESCE(x.country, c.country), account_id = COALESCE(c.account_id, x.account_id),
      attributes = c.attributes || x.attributes, first_touch_at = COALESCE(c.first_touch_at, x.first_touch_at),
      first_source = COALESCE(c.first_source, x.first_source), updated_at = now()
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, email text, first_name text, last_name text, title text, phone text, country text,
      account_id uuid, attributes jsonb, first_touch_at timestamptz, first_source text)
    WHERE c.workspace_id = ${workspaceId} AND c.id = x.id AND c.status <> 'merged'
      AND (c.email, c.first_name, c.last_name, c.title, c.phone, c.country, c.account_id, c.attributes, c.first_touch_at, c.first_source)
        IS DISTINCT FROM (COALESCE(c.email, x.email), COALESCE(x.first_name, c.first_name), COALESCE(x.last_name, c.last_name),
          COALESCE(x.title, c.title), COALESCE(x.phone, c.phone), COALESCE(x.country, c.country), COALESCE(c.account_id, x.account_id),
          c.attributes || x.attributes, COALESCE(c.first_touch_at, x.first_touch_at), COALESCE(c.first_source, x.first_source))`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

export type AccountKeys = { externalIds: string[]; domains: string[]; names: string[] };
export type AccountMatches = { byExternalId: Map<string, string>; byDomain: Map<string, string>; byName: Map<string, string> };

/** Accounts by external id, by domain and by case-insensitive name (names: the oldest account wins). */
export async function findAccounts(trx: Trx, workspaceId: string, keys: AccountKeys): Promise<AccountMatches> {
  const out: AccountMatches = { byExternalId: new Map(), byDomain: new Map(), byName: new Map() };
  if (keys.externalIds.length) {
    const rows = await trx.selectFrom('account').select(['id', 'external_id']).where('workspace_id', '=', workspaceId).where('external_id', '=', any(keys.externalIds)).execute();
    for (const r of rows) out.byExternalId.set(r.external_id!, r.id);
  }
  if (keys.domains.length) {
    const rows = await trx.selectFrom('account').select(['id', 'domain']).where('workspace_id', '=', workspaceId).where('domain', '=', any(keys.domains)).execute();
    for (const r of rows) out.byDomain.set(r.domain!, r.id);
  }
  if (keys.names.length) {
    const rows = await sql<{ id: string; key: string }>`SELECT DISTINCT ON (lower(name)) id, lower(name) AS key FROM account
      WHERE workspace_id = ${workspaceId} AND lower(name) = ANY(${keys.names}::text[]) ORDER BY lower(name), id`.execute(trx);
    for (const r of rows.rows) out.byName.set(r.key, r.id);
  }
  return out;
}

export type AccountUpdate = {
  id: string; name: string | null; domain: string | null; industry: string | null; employeeCount: number | null; country: string | null;
  annualRevenue: number | null; externalId: string | null; attributes: Record<string, unknown>;
};

export async function updateAccountsBulk(trx: Trx, workspaceId: string, rows: AccountUpdate[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(rows.map((r) => ({
    id: r.id, name: r.name, domain: r.domain, industry: r.industry, employee_count: r.employeeCount, country: r.country,
    annual_revenue: r.annualRevenue, external_id: r.externalId, attributes: r.attributes,
  })));
  const result = await sql`
    UPDATE account a SET name = COALESCE(x.name, a.name), domain = COALESCE(a.domain, x.domain), industry = COALESCE(x.industry, a.industry),
      employee_count = COALESCE(x.employee_count, a.employee_count), country = COALESCE(x.country, a.country),
      annual_revenue = COALESCE(x.annual_revenue, a.annual_revenue), external_id = COALESCE(a.external_id, x.external_id),
      attributes = a.attributes || x.attributes, updated_at = now()
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, name text, domain text, industry text, employee_count integer, country text,
      annual_revenue numeric, external_id text, attributes jsonb)
    WHERE a.workspace_id = ${workspaceId} AND a.id = x.id
      AND (a.name, a.domain, a.industry, a.employee_count, a.country, a.annual_revenue, a.external_id, a.attributes)
        IS DISTINCT FROM (COALESCE(x.name, a.name), COALESCE(a.domain, x.domain), COALESCE(x.industry, a.industry),
          COALESCE(x.employee_count, a.employee_count), COALESCE(x.country, a.country), COALESCE(x.annual_revenue, a.annual_revenue),
          COALESCE(a.external_id, x.external_id), a.attributes || x.attributes)`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

export async function findExternalRefs(trx: Trx, workspaceId: string, entity: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await trx.selectFrom('import_external_ref').select(['external_id', 'record_id']).where('workspace_id', '=', workspaceId)
    .where('entity', '=', entity).where('external_id', '=', any(externalIds)).execute();
  return new Map(rows.map((r) => [r.external_id, r.record_id]));
}

export type LeadState = { id: string; contactId: string; stage: string };

/**
 * Leads by id, and each contact's open lead (at most one: the lead_one_open index); with
 * `closedToo`, also each contact's latest lead whatever its stage. Locked.
 */
export async function findLeadStates(trx: Trx, workspaceId: string, leadIds: string[], contactIds: string[], closedToo = false): Promise<{
  byId: Map<string, LeadState>; openByContact: Map<string, LeadState>; latestByContact: Map<string, LeadState>;
}> {
  const byId = new Map<string, LeadState>();
  const openByContact = new Map<string, LeadState>();
  const latestByContact = new Map<string, LeadState>();
  if (leadIds.length === 0 && contactIds.length === 0) return { byId, openByContact, latestByContact };
  const rows = await sql<{ id: string; contact_id: string; stage: string }>`SELECT id, contact_id, stage FROM lead WHERE workspace_id = ${workspaceId}
    AND (id = ANY(${leadIds}::uuid[]) OR (contact_id = ANY(${contactIds}::uuid[]) AND (${closedToo} OR stage NOT IN ('won','lost','disqualified'))))
    ORDER BY opened_at, id FOR UPDATE`.execute(trx);
  for (const r of rows.rows) {
    const state = { id: r.id, contactId: r.contact_id, stage: r.stage };
    byId.set(r.id, state);
    latestByContact.set(r.contact_id, state);
    if (!['won', 'lost', 'disqualified'].includes(r.stage)) openByContact.set(r.contact_id, state);
  }
  return { byId, openByContact, latestByContact };
}

/** A lead's new stage; `mqlAt` when the walk passed mql (the lead's MQL date), else the stored one stays. */
export type LeadStageSet = { id: string; stage: string; at: Date; closes: boolean; mqlAt: Date | null; recycles: number; reasonCode: string | null };

export async function setLeadStagesBulk(trx: Trx, workspaceId: string, rows: LeadStageSet[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ id: r.id, stage: r.stage, at: r.at, closes: r.closes, mql_at: r.mqlAt, recycles: r.recycles, reason: r.reasonCode })));
  await sql`UPDATE lead l SET stage = x.stage, stage_entered_at = x.at, closed_at = CASE WHEN x.closes THEN x.at ELSE NULL END,
      mql_at = COALESCE(x.mql_at, l.mql_at), recycle_count = l.recycle_count + x.recycles,
      last_reason_code = COALESCE(x.reason, l.last_reason_code), updated_at = x.at
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, stage text, at timestamptz, closes boolean, mql_at timestamptz, recycles integer, reason text)
    WHERE l.workspace_id = ${workspaceId} AND l.id = x.id`.execute(trx);
}

export type OpportunityState = { id: string; stage: string; status: string; amount: number };

export async function findOpportunitiesByExternalIds(trx: Trx, workspaceId: string, externalIds: string[]): Promise<Map<string, OpportunityState>> {
  if (externalIds.length === 0) return new Map();
  const rows = await trx.selectFrom('opportunity').select(['id', 'external_id', 'stage', 'status', 'amount']).where('workspace_id', '=', workspaceId)
    .where('external_id', '=', any(externalIds)).forUpdate().execute();
  return new Map(rows.map((r) => [r.external_id!, { id: r.id, stage: r.stage, status: r.status, amount: Number(r.amount) }]));
}

export type OpportunityUpdate = {
  id: string; name: string; accountId: string | null; amount: number | null; currency: string | null; stage: string; status: string;
  closeDate: string | null; closedAt: Date | null; attributes: Record<string, unknown>;
};

/** Answers the ids that changed. */
export async function updateOpportunitiesBulk(trx: Trx, workspaceId: string, rows: OpportunityUpdate[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = JSON.stringify(rows.map((r) => ({
    id: r.id, name: r.name, account_id: r.accountId, amount: r.amount, currency: r.currency, stage: r.stage, status: r.status,
    close_date: r.closeDate, closed_at: r.closedAt, attributes: r.attributes,
  })));
  const result = await sql<{ id: string }>`
    UPDATE opportunity o SET name = x.name, account_id = COALESCE(x.account_id, o.account_id), amount = COALESCE(x.amount, o.amount),
      currency = COALESCE(x.currency, o.currency), stage = x.stage, status = x.status, close_date = COALESCE(x.close_date, o.close_date),
      closed_at = CASE WHEN x.status = 'open' THEN NULL WHEN o.status = x.status THEN o.closed_at ELSE x.closed_at END,
      attributes = o.attributes || x.attributes, updated_at = now()
    FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, name text, account_id uuid, amount numeric, currency text, stage text, status text,
      close_date date, closed_at timestamptz, attributes jsonb)
    WHERE o.workspace_id = ${workspaceId} AND o.id = x.id
      AND (o.name, o.account_id, o.amount, o.currency, o.stage, o.status, o.close_date, o.attributes)
        IS DISTINCT FROM (x.name, COALESCE(x.account_id, o.account_id), COALESCE(x.amount, o.amount), COALESCE(x.currency, o.currency),
          x.stage, x.status, COALESCE(x.close_date, o.close_date), o.attributes || x.attributes)
    RETURNING o.id`.execute(trx);
  return new Set(result.rows.map((r) => r.id));
}
