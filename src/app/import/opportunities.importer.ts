import { createHash } from 'node:crypto';
import type { Trx } from '../../storage/db.ts';
import { insertContactRolesBulk, insertOpportunitiesBulk, insertOpportunityStageChangesBulk, type OpportunityInsert, type OpportunityStageChangeInsert } from '../../storage/import-bulk.repo.ts';
import { findContactIdsByIdentity } from '../../storage/import-bulk.repo.ts';
import { existingDealLeadPairs, type DealLeadPair } from '../../storage/import-link.repo.ts';
import { findExternalRefs, findOpportunitiesByExternalIds, updateOpportunitiesBulk, type OpportunityUpdate } from '../../storage/import-match.repo.ts';
import { newId } from '../../storage/ids.ts';
import { resolveAccounts } from './accounts.importer.ts';
import { upsertPeople } from './contacts.importer.ts';
import { addRelated, emptyOutcome, lastRowPerKey, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { linkLeadsToDeals } from './lead-links.ts';
import { LEAD_REF } from './lead-targets.ts';
import { externalIdOf } from './import-presets.ts';

type Row = ImportRow<'opportunities'>;
type Status = 'open' | 'won' | 'lost';

/** Won/Closed flags when the export has them (Salesforce), else the stage name ('Closed Won', 'closedlost'). */
export function statusOf(v: Row['values']): Status {
  if (v.won === true) return 'won';
  if (v.closed === true) return 'lost';
  if (v.closed === false) return 'open';
  const stage = (v.stage ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (stage === 'closedwon' || stage === 'won') return 'won';
  if (stage === 'closedlost' || stage === 'lost') return 'lost';
  return 'open';
}

const defaultStage: Record<Status, string> = { open: 'Open', won: 'Closed Won', lost: 'Closed Lost' };

/**
 * Opportunities file: keyed by external id ('salesforce:006...', 'hubspot:123'); without one, by a
 * hash of name + account + close date. The account (Account ID / Account Name) and the contact
 * (contact email) are found or created; stage/status/amount changes are recorded like live ones.
 */
export async function importOpportunities(trx: Trx, ctx: ImportContext, input: Row[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const keyOf = (r: Row) => r.values.external_id ? externalIdOf(ctx.preset, r.values.external_id)
    : `import:${createHash('sha1').update(JSON.stringify(['opportunity', r.values.name, r.values.account_name ?? '', r.values.close_date?.toISOString() ?? ''])).digest('hex').slice(0, 32)}`;
  const rows = lastRowPerKey(ctx, input, (r) => [`external id:${keyOf(r)}`], 'external_id', outcome);
  // People first: a deal without a matching account joins its contact's account instead of creating a duplicate.
  const people = await upsertPeople(trx, ctx, rows.filter((r) => r.values.contact_email).map((r) => ({
    row: r.row, raw: r.raw, email: r.values.contact_email, company: r.values.account_name, attributes: {},
  })), outcome, 'related');
  const accounts = await resolveAccounts(trx, ctx, rows.map((r) => ({
    key: r.row, externalId: r.values.account_external_id ? externalIdOf(ctx.preset, r.values.account_external_id) : undefined, domain: null,
    company: r.values.account_name, fallback: people.get(r.row)?.accountId,
  })), outcome);
  const existing = await findOpportunitiesByExternalIds(trx, ctx.workspaceId, rows.map(keyOf));
  const ext = (ids: string[] | undefined) => (ids ?? []).map((id) => externalIdOf(ctx.preset, id));
  const contactsByExt = await findContactIdsByIdentity(trx, ctx.workspaceId, 'external_id', rows.flatMap((r) => ext(r.values.contact_external_id)));
  const leadsByExt = await findExternalRefs(trx, ctx.workspaceId, LEAD_REF, rows.flatMap((r) => ext(r.values.lead_external_id)));
  const pairs: DealLeadPair[] = [];

  const inserts: OpportunityInsert[] = [];
  const updates: (OpportunityUpdate & { before: { stage: string; status: string; amount: number } })[] = [];
  const changes: OpportunityStageChangeInsert[] = [];
  const roles: { opportunityId: string; contactId: string; role: string; isPrimary: boolean }[] = [];
  for (const r of rows) {
    const v = r.values;
    const status = statusOf(v);
    const createdAt = v.created_at ?? ctx.now;
    const closeDate = v.close_date ? v.close_date.toISOString().slice(0, 10) : null;
    const closedAt = status === 'open' ? null : v.close_date ?? createdAt;
    const attributes: Record<string, unknown> = { ...r.attributes, ...(v.source ? { lead_source: v.source } : {}) };
    const stage = v.stage ?? defaultStage[status];
    const accountId = accounts.get(r.row) ?? null;
    const found = existing.get(keyOf(r));
    const contactId = people.get(r.row)?.contactId;
    const id = found?.id ?? newId(createdAt.getTime());
    // The deal's people: its contact email, associated contact ids (HubSpot) and lead ids.
    const associated = ext(v.contact_external_id).flatMap((x) => (contactsByExt.has(x) ? [contactsByExt.get(x)!] : []));
    for (const c of [...(contactId ? [contactId] : []), ...associated]) pairs.push({ opportunityId: id, contactId: c });
    for (const c of associated) roles.push({ opportunityId: id, contactId: c, role: 'decision_maker', isPrimary: false });
    for (const x of ext(v.lead_external_id)) if (leadsByExt.has(x)) pairs.push({ opportunityId: id, leadId: leadsByExt.get(x)! });
    if (found) {
      updates.push({ id: found.id, name: v.name, accountId, amount: v.amount ?? null, currency: v.currency ?? null, stage, status, closeDate, closedAt, attributes, before: found });
      if (contactId) roles.push({ opportunityId: found.id, contactId, role: 'decision_maker', isPrimary: false });
      continue;
    }
    const amount = v.amount ?? 0;
    inserts.push({ id, name: v.name, accountId, amount, currency: v.currency ?? 'USD', stage, status, closeDate, ownerId: null, externalId: keyOf(r), attributes, createdAt, closedAt });
    changes.push({ id: newId(createdAt.getTime()), opportunityId: id, fromStage: null, toStage: stage, fromStatus: null, toStatus: status, amount, at: createdAt, actorType: 'system', actorId: null });
    if (contactId) roles.push({ opportunityId: id, contactId, role: 'decision_maker', isPrimary: true });
  }
  outcome.inserted += await insertOpportunitiesBulk(trx, ctx.workspaceId, inserts);
  const changed = await updateOpportunitiesBulk(trx, ctx.workspaceId, updates.map(({ before: _b, ...u }) => u));
  outcome.updated += changed.size;
  outcome.unchanged += updates.length - changed.size;
  for (const u of updates) {
    const amount = u.amount ?? u.before.amount;
    if (changed.has(u.id) && (u.stage !== u.before.stage || u.status !== u.before.status || amount !== u.before.amount)) {
      changes.push({ id: newId(ctx.now.getTime()), opportunityId: u.id, fromStage: u.before.stage, toStage: u.stage, fromStatus: u.before.status, toStatus: u.status, amount, at: ctx.now, actorType: 'system', actorId: null });
    }
  }
  await insertOpportunityStageChangesBulk(trx, ctx.workspaceId, changes);
  await insertContactRolesBulk(trx, ctx.workspaceId, roles);
  pairs.push(...await existingDealLeadPairs(trx, ctx.workspaceId, updates.map((u) => u.id)));
  const links = await linkLeadsToDeals(trx, ctx, { pairs, pendingFor: rows.map(keyOf) });
  addRelated(outcome, 'leads_linked', links.linked);
  addRelated(outcome, 'leads_moved', links.moved);
  return outcome;
}
