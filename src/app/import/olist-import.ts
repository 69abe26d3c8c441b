import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { historyPath, type HistoryStep } from '../../core/lead-history.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { withStageHistories } from '../../core/stage-history-summary.rules.ts';
import {
  ensureUsersBulk, findContactIdsByIdentity, insertActivitiesBulk, insertContactRolesBulk, insertContactsBulk, insertIdentitiesBulk,
  insertLeadsBulk, insertOpportunitiesBulk, insertOpportunityStageChangesBulk, insertTransitionsBulk, linkOpportunityLeadsBulk,
  lockWorkspaceForImport, type ActivityInsert, type ContactInsert, type LeadInsert, type OpportunityInsert, type TransitionInsert,
} from '../../storage/import-bulk.repo.ts';
import { newId } from '../../storage/ids.ts';
import { listReasonCodes } from '../../storage/reasons.repo.ts';
import { findWorkspaceByName } from '../../storage/workspaces.repo.ts';
import { analyzeAfterBulkLoad } from '../../storage/bulk.repo.ts';
import type { AppDeps } from '../context.ts';
import { createWorkspace } from '../workspaces.ts';
import { csvChunks, scanCsv } from './csv-source.ts';

export const OLIST_WORKSPACE_NAME = 'Olist marketing funnel';
const MQL_FILE = 'olist_marketing_qualified_leads_dataset.csv';
const DEALS_FILE = 'olist_closed_deals_dataset.csv';
const CHUNK = 1000;
const NOTE = 'imported from Olist';
const WALK_NOTE = 'imported from Olist; the data set only has the won date, so sal, sql and opportunity are dated at it (intermediate dates unknown)';

const text = z.string().trim();
const hexId = text.regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex id');
const mqlSchema = z.object({
  mql_id: hexId,
  first_contact_date: text.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
  landing_page_id: text,
  origin: text,
});
const dealSchema = z.object({
  mql_id: hexId, seller_id: text, sdr_id: hexId, sr_id: hexId,
  won_date: text.regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/, 'must be YYYY-MM-DD HH:MM:SS'),
  business_segment: text, lead_type: text, lead_behaviour_profile: text, has_company: text, has_gtin: text, average_stock: text,
  business_type: text, declared_product_catalog_size: text, declared_monthly_revenue: text,
});
type Mql = z.infer<typeof mqlSchema>;
type Deal = z.infer<typeof dealSchema>;

export type OlistOptions = { workspaceName?: string; onProgress?: (done: number, total: number, phase: string) => void };
export type OlistOutcome = { workspaceId: string; mqls: number; deals: number; skipped: number };

/**
 * Loads the Olist marketing funnel: every MQL as a contact (external id 'olist:<mql_id>') with a
 * landing-page view and a lead at mql; every closed deal as a won opportunity linked to its MQL's
 * lead, which walks mql→sal→sql→opportunity→won. Running it again changes nothing: MQLs already
 * present are skipped (each chunk is one transaction, so an MQL is either fully there or absent).
 * Counts answer what the workspace holds from the files, the same on every run.
 */
export async function importOlist(deps: AppDeps, dir: string, options: OlistOptions = {}): Promise<Result<OlistOutcome>> {
  for (const file of [MQL_FILE, DEALS_FILE]) {
    if (!existsSync(path.join(dir, file))) return fail('NotFound', `${path.join(dir, file)} not found: point to the folder of the Olist marketing funnel data set.`, [{ path: 'dir', message: `missing ${file}` }]);
  }
  const mqlFile = path.join(dir, MQL_FILE);
  const scan = await scanCsv(createReadStream(mqlFile));
  if (!scan.ok) return scan;
  const missing = Object.keys(mqlSchema.shape).filter((c) => !scan.value.headers.includes(c));
  if (missing.length) return fail('ValidationFailed', `${MQL_FILE} lacks the column(s) ${missing.join(', ')}.`, missing.map((c) => ({ path: c, message: 'missing column' })));
  const dealsRead = await readDeals(path.join(dir, DEALS_FILE));
  if (!dealsRead.ok) return dealsRead;
  const { deals, invalid: invalidDeals } = dealsRead.value;

  const name = options.workspaceName ?? OLIST_WORKSPACE_NAME;
  const workspace = (await findWorkspaceByName(deps.db, name)) ?? (await createOrFind(deps, name));
  if (!workspace) return fail('Conflict', `Could not create workspace '${name}'.`);
  const workspaceId = workspace.id;
  const taxonomy = await listReasonCodes(deps.db, workspaceId);
  const walk = historyPath('mql', 'won', taxonomy);
  if (!walk.ok) return walk;

  const users = await deps.db.transaction().execute((trx) => ensureUsersBulk(trx, workspaceId, salesUsers([...deals.values()])));
  const total = scan.value.rows;
  let done = 0;
  let mqls = 0;
  let wonDeals = 0;
  let skipped = invalidDeals;
  const seenMqls = new Set<string>();
  const headers = scan.value.headers;
  for await (const chunk of csvChunks(createReadStream(mqlFile), CHUNK)) {
    const valid: Mql[] = [];
    for (const r of chunk) {
      const parsed = mqlSchema.safeParse(Object.fromEntries(headers.map((h, i) => [h, r.values[i] ?? ''])));
      if (parsed.success && !seenMqls.has(parsed.data.mql_id)) { valid.push(parsed.data); seenMqls.add(parsed.data.mql_id); } else skipped++;
    }
    await deps.db.transaction().execute(async (trx) => {
      await lockWorkspaceForImport(trx, workspaceId);
      const present = await findContactIdsByIdentity(trx, workspaceId, 'external_id', valid.map((m) => `olist:${m.mql_id}`));
      const fresh = valid.filter((m) => !present.has(`olist:${m.mql_id}`));
      await writeMqls(trx, workspaceId, fresh, deals, users, walk.value);
    });
    mqls += valid.length;
    wonDeals += valid.filter((m) => deals.has(m.mql_id)).length;
    done += chunk.length;
    options.onProgress?.(done, total, 'MQLs and deals');
  }
  // A deal whose MQL is not in the MQL file has nothing to link to.
  skipped += [...deals.keys()].filter((id) => !seenMqls.has(id)).length;
  await analyzeAfterBulkLoad(deps.db);
  return ok({ workspaceId, mqls, deals: wonDeals, skipped });
}

async function createOrFind(deps: AppDeps, name: string) {
  const created = await createWorkspace(deps, { name });
  // Two processes racing to create it: the loser uses the winner's.
  return created.ok ? created.value : findWorkspaceByName(deps.db, name);
}

async function readDeals(file: string): Promise<Result<{ deals: Map<string, Deal>; invalid: number }>> {
  const scan = await scanCsv(createReadStream(file));
  if (!scan.ok) return scan;
  const headers = scan.value.headers;
  const missing = Object.keys(dealSchema.shape).filter((c) => !headers.includes(c));
  if (missing.length) return fail('ValidationFailed', `${DEALS_FILE} lacks the column(s) ${missing.join(', ')}.`, missing.map((c) => ({ path: c, message: 'missing column' })));
  const deals = new Map<string, Deal>();
  let invalid = 0;
  // 842 rows: small enough to keep in memory and join by mql_id.
  for await (const chunk of csvChunks(createReadStream(file), CHUNK)) {
    for (const r of chunk) {
      const parsed = dealSchema.safeParse(Object.fromEntries(headers.map((h, i) => [h, r.values[i] ?? ''])));
      if (parsed.success && !deals.has(parsed.data.mql_id)) deals.set(parsed.data.mql_id, parsed.data); else invalid++;
    }
  }
  return ok({ deals, invalid });
}

const userEmail = (kind: 'sdr' | 'sr', id: string) => `${kind}-${id.slice(0, 8)}@olist.example`;

function salesUsers(deals: Deal[]) {
  const byEmail = new Map<string, { id: string; email: string; name: string; role: string }>();
  for (const d of deals) {
    for (const [kind, id] of [['sdr', d.sdr_id], ['sr', d.sr_id]] as const) {
      const email = userEmail(kind, id);
      if (!byEmail.has(email)) byEmail.set(email, { id: newId(), email, name: `Olist ${kind.toUpperCase()} ${id.slice(0, 8)}`, role: 'sales' });
    }
  }
  return [...byEmail.values()];
}

const dayStart = (ymd: string) => new Date(`${ymd}T00:00:00Z`);
const wonAtOf = (d: Deal) => new Date(`${d.won_date.length === 10 ? `${d.won_date}T00:00:00` : d.won_date.replace(' ', 'T')}Z`);

// Blank revenue means "not declared"; the opportunity needs an amount, so it is 0 (the raw value
// stays in the attributes).
const amountOf = (d: Deal) => {
  const n = Number(d.declared_monthly_revenue);
  return d.declared_monthly_revenue !== '' && Number.isFinite(n) && n >= 0 ? n : 0;
};

async function writeMqls(trx: Parameters<typeof lockWorkspaceForImport>[0], workspaceId: string, mqls: Mql[], deals: Map<string, Deal>, users: Map<string, string>, walk: HistoryStep[]) {
  const contacts: ContactInsert[] = [];
  const activities: ActivityInsert[] = [];
  const leads: LeadInsert[] = [];
  const transitions: TransitionInsert[] = [];
  const opportunities: OpportunityInsert[] = [];
  const roles: { opportunityId: string; contactId: string; role: string; isPrimary: boolean }[] = [];
  const links: { opportunityId: string; leadId: string }[] = [];
  const changes: Parameters<typeof insertOpportunityStageChangesBulk>[2] = [];
  const system = { actorType: 'system' as const, actorId: null, reasonCode: null, isRecycle: false };
  for (const m of mqls) {
    const at = dayStart(m.first_contact_date);
    // A blank origin is "not recorded", not the data set's own 'unknown' value: stored as no source.
    const source = m.origin === '' ? null : m.origin;
    const contactId = newId(at.getTime());
    contacts.push({
      id: contactId, email: null, firstName: null, lastName: null, title: null, phone: null, country: null, accountId: null,
      // Known to the CRM by its external id even without an email: not an anonymous visitor.
      status: 'known', attributes: { olist_mql_id: m.mql_id, landing_page_id: m.landing_page_id }, firstTouchAt: at, firstSource: source, createdAt: at,
    });
    activities.push({
      id: newId(at.getTime()), contactId, type: 'page_view', occurredAt: at, source, medium: null, utmCampaign: null,
      url: `/lp/${m.landing_page_id}`, eventName: null, properties: { landing_page_id: m.landing_page_id, imported_from: 'olist' }, idempotencyKey: `olist:lp:${m.mql_id}`,
    });
    const leadId = newId(at.getTime());
    const deal = deals.get(m.mql_id);
    transitions.push({ ...system, id: newId(at.getTime()), leadId, from: null, to: 'inquiry', at, note: NOTE });
    transitions.push({ ...system, id: newId(at.getTime()), leadId, from: 'inquiry', to: 'mql', at, note: NOTE });
    if (!deal) {
      leads.push({ id: leadId, contactId, accountId: null, stage: 'mql', ownerId: null, openedAt: at, stageEnteredAt: at, closedAt: null, mqlAt: at, source, firstTouchAt: at });
      continue;
    }
    const wonAt = wonAtOf(deal);
    // One deal in the data set is won before its first contact; the lead's history must not run backwards.
    const walkAt = wonAt < at ? at : wonAt;
    const sdr = users.get(userEmail('sdr', deal.sdr_id)) ?? null;
    const sr = users.get(userEmail('sr', deal.sr_id)) ?? null;
    leads.push({ id: leadId, contactId, accountId: null, stage: 'won', ownerId: sdr, openedAt: at, stageEnteredAt: walkAt, closedAt: walkAt, mqlAt: at, source, firstTouchAt: at });
    for (const step of walk) {
      transitions.push({ ...system, id: newId(walkAt.getTime()), leadId, from: step.from, to: step.to, at: walkAt, reasonCode: step.reasonCode, note: WALK_NOTE });
    }
    const opportunityId = newId(wonAt.getTime());
    const amount = amountOf(deal);
    const { mql_id: _m, won_date: _w, seller_id, ...kept } = deal;
    opportunities.push({
      id: opportunityId, name: `Olist seller ${seller_id.slice(0, 8)}${deal.business_segment ? ` (${deal.business_segment})` : ''}`,
      accountId: null, amount, currency: 'BRL', stage: 'Closed Won', status: 'won', closeDate: deal.won_date.slice(0, 10), ownerId: sr,
      externalId: `olist:${m.mql_id}`, attributes: { ...kept, seller_id }, createdAt: wonAt, closedAt: wonAt,
    });
    roles.push({ opportunityId, contactId, role: 'decision_maker', isPrimary: true });
    links.push({ opportunityId, leadId });
    changes.push({ id: newId(wonAt.getTime()), opportunityId, fromStage: null, toStage: 'Closed Won', fromStatus: null, toStatus: 'won', amount, at: wonAt, actorType: 'system', actorId: null });
  }
  await insertContactsBulk(trx, workspaceId, contacts);
  await insertIdentitiesBulk(trx, workspaceId, mqls.map((m, i) => ({ kind: 'external_id', value: `olist:${m.mql_id}`, contactId: contacts[i]!.id })));
  await insertActivitiesBulk(trx, workspaceId, activities);
  await insertLeadsBulk(trx, workspaceId, withStageHistories(leads, transitions));
  await insertTransitionsBulk(trx, workspaceId, transitions);
  await insertOpportunitiesBulk(trx, workspaceId, opportunities);
  await insertContactRolesBulk(trx, workspaceId, roles);
  await linkOpportunityLeadsBulk(trx, workspaceId, links);
  await insertOpportunityStageChangesBulk(trx, workspaceId, changes);
}
