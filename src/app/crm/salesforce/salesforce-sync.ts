import {
  leadMoveForStatus, salesforceLeadFields, salesforceOpportunityOutcome, salesforceStageUpdate, type LeadFacts, type SalesforceMapping,
} from '../../../core/crm/crm-mapping.rules.ts';
import { ok } from '../../../core/result.ts';
import {
  contactIdsByEmail, findLinkByExternal, leadsToPush, upsertLink, userIdsByEmail, type CrmPushLead,
} from '../../../storage/crm.repo.ts';
import { getLead } from '../../../storage/leads.repo.ts';
import { applyRemoteDealInTrx, linkLeadToLocalDealInTrx, walkLeadInTrx, type RemoteDeal } from '../apply-remote.ts';
import type { SyncContext } from '../sync-context.ts';
import { CrmApiError, soqlDateTime, soqlString, type SalesforceApi, type SoqlRecord } from './salesforce-client.ts';

/**
 * One Salesforce sync: push (new MQLs become Leads — or a Task on the Contact when the person is
 * already a Contact — with score, rating, why-qualified text, source and owner mapped by email;
 * stage changes update Lead Status), then pull (Leads by SystemModstamp: status changes and
 * conversions; Opportunities by SystemModstamp with their OpportunityContactRoles: stage, amount,
 * currency, close date, won/lost) through the lead↔deal rule.
 */
const pushBatch = 200;
const idChunk = 200;

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const unique = <T>(xs: (T | null | undefined)[]) => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined))];
const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function queryIn(api: SalesforceApi, select: string, field: string, values: string[], extra = ''): Promise<SoqlRecord[]> {
  const out: SoqlRecord[] = [];
  for (const part of chunks(values, idChunk)) {
    out.push(...await api.queryAll(`${select} WHERE ${extra}${field} IN (${part.map(soqlString).join(', ')})`));
  }
  return out;
}

const facts = (l: CrmPushLead): LeadFacts => ({
  leadId: l.leadId, stage: l.stage, source: l.source, rating: l.rating, fitScore: l.fitScore, engagementScore: l.engagementScore,
  email: l.email, firstName: l.firstName, lastName: l.lastName, title: l.title, phone: l.phone, accountName: l.accountName, why: l.why,
});

/** Stops the run when the org's daily API budget is nearly spent (the rest waits for the next sync). */
function checkBudget(ctx: SyncContext, api: SalesforceApi, budget: number): void {
  const usage = api.apiUsage();
  if (usage && usage.limit > 0 && usage.used / usage.limit >= budget) {
    ctx.stoppedEarly = `Salesforce API budget reached: ${usage.used} of ${usage.limit} daily requests used (the connector stops at ${Math.round(budget * 100)}%); the rest syncs on a later run.`;
    throw new CrmApiError('limit', 'API_BUDGET', ctx.stoppedEarly);
  }
}

export async function syncSalesforce(ctx: SyncContext, api: SalesforceApi, m: SalesforceMapping): Promise<void> {
  const budget = 0.9;
  await pushLeads(ctx, api, m);
  if (ctx.scope === 'push') return;
  checkBudget(ctx, api, budget);
  const convertedDeals = await pullLeads(ctx, api, m);
  checkBudget(ctx, api, budget);
  await pullOpportunities(ctx, api, m, convertedDeals);
}

// ---- push ------------------------------------------------------------------------------------

async function pushLeads(ctx: SyncContext, api: SalesforceApi, m: SalesforceMapping): Promise<void> {
  const { deps, workspaceId, connection } = ctx;
  const leads = await leadsToPush(deps.db, workspaceId, connection.id, connection.pushSince, pushBatch);
  const fresh = leads.filter((l) => !l.externalId);
  const changed = leads.filter((l) => l.externalId);

  const ownerEmails = unique(fresh.map((l) => l.ownerEmail?.toLowerCase()));
  const owners = new Map((await queryIn(api, 'SELECT Id, Email FROM User', 'Email', ownerEmails, 'IsActive = true AND '))
    .map((u) => [String(u.Email).toLowerCase(), u.Id]));
  const emails = unique(fresh.map((l) => l.email?.toLowerCase()));
  const contacts = new Map((await queryIn(api, 'SELECT Id, Email FROM Contact', 'Email', emails)).map((c) => [String(c.Email).toLowerCase(), c.Id]));
  const openLeads = new Map((await queryIn(api, 'SELECT Id, Email FROM Lead', 'Email', emails, 'IsConverted = false AND '))
    .map((c) => [String(c.Email).toLowerCase(), c.Id]));

  type Planned = { lead: CrmPushLead; type: 'Lead' | 'Task'; id: string | null; fields: Record<string, unknown>; action: string };
  const planned: Planned[] = fresh.map((l) => {
    const email = l.email?.toLowerCase() ?? '';
    const ownerId = l.ownerEmail ? owners.get(l.ownerEmail.toLowerCase()) ?? null : null;
    const contactId = contacts.get(email);
    if (contactId) {
      const f = facts(l);
      return {
        lead: l, type: 'Task', id: null, action: `Task on existing Contact ${contactId}`,
        fields: {
          Subject: `Leadloop: sales-ready (${l.rating ?? 'unrated'})`.slice(0, 255), WhoId: contactId, Status: 'Not Started',
          Description: [`Score ${(f.fitScore ?? 0) + (f.engagementScore ?? 0)}, rating ${l.rating ?? '—'}, source ${l.source ?? '—'}`, l.why ?? ''].join('\n').slice(0, 32_000),
          ...(ownerId ? { OwnerId: ownerId } : {}),
        },
      };
    }
    const fields = salesforceLeadFields(m, facts(l), ownerId);
    const existing = openLeads.get(email);
    return existing
      ? { lead: l, type: 'Lead', id: existing, fields, action: `updated existing Lead ${existing}${ownerId ? '' : ownerNote(l)}` }
      : { lead: l, type: 'Lead', id: null, fields, action: `created Lead${ownerId ? '' : ownerNote(l)}` };
  });

  const updates = [] as Planned[];
  for (const l of changed) {
    if (l.externalType !== 'Lead' || l.pushedState?.converted) {
      await markPushed(ctx, l, l.externalType ?? 'Lead', l.externalId!, l.pushedState ?? {});
      continue;
    }
    const fields = salesforceStageUpdate(m, facts(l));
    updates.push({ lead: l, type: 'Lead', id: l.externalId, fields, action: `updated Lead ${fields.Status ? `Status → ${String(fields.Status)}` : 'fields'} (stage ${l.stage})` });
  }
  const all = [...planned, ...updates];
  if (ctx.dryRun) {
    for (const p of all) await ctx.log({ direction: 'push', objectType: p.type, externalId: p.id, localId: p.lead.leadId, action: p.action, outcome: 'would_change', error: null });
    return;
  }
  const creates = all.filter((p) => !p.id);
  const patches = all.filter((p) => p.id);
  const created = [
    ...await api.create('Lead', creates.filter((p) => p.type === 'Lead').map((p) => p.fields)).then((r) => r.map((x, i) => [creates.filter((p) => p.type === 'Lead')[i]!, x] as const)),
    ...await api.create('Task', creates.filter((p) => p.type === 'Task').map((p) => p.fields)).then((r) => r.map((x, i) => [creates.filter((p) => p.type === 'Task')[i]!, x] as const)),
    ...await api.update('Lead', patches.map((p) => ({ ...p.fields, Id: p.id! }))).then((r) => r.map((x, i) => [patches[i]!, x] as const)),
  ];
  for (const [p, result] of created) {
    if (!result.ok) {
      await ctx.log({ direction: 'push', objectType: p.type, externalId: p.id, localId: p.lead.leadId, action: p.action, outcome: 'failed', error: `${result.code}: ${result.message}` });
      continue;
    }
    const state = { status: p.fields.Status ?? null, stage: p.lead.stage };
    await upsertLink(ctx.deps.db, ctx.workspaceId, ctx.connection.id, {
      objectType: p.type, externalId: result.id, localKind: 'lead', localId: p.lead.leadId, remoteStamp: null, pushedAt: p.lead.stageEnteredAt, pushedState: state,
    });
    await ctx.log({ direction: 'push', objectType: p.type, externalId: result.id, localId: p.lead.leadId, action: p.action, outcome: 'changed', error: null });
  }
}

const ownerNote = (l: CrmPushLead) => (l.ownerEmail ? ` (owner ${l.ownerEmail} has no active Salesforce user: left to assignment rules)` : '');

async function markPushed(ctx: SyncContext, l: CrmPushLead, type: string, id: string, state: Record<string, unknown>): Promise<void> {
  if (ctx.dryRun) return;
  await upsertLink(ctx.deps.db, ctx.workspaceId, ctx.connection.id, { objectType: type, externalId: id, localKind: 'lead', localId: l.leadId, remoteStamp: null, pushedAt: l.stageEnteredAt, pushedState: state });
}

// ---- pull ------------------------------------------------------------------------------------

const oppFields = (m: SalesforceMapping) => ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'IsClosed', 'IsWon', 'OwnerId', 'SystemModstamp', ...(m.opportunity_currency_field ? [m.opportunity_currency_field] : [])];
const sinceClause = (since: string | null) => (since ? ` WHERE SystemModstamp >= ${soqlDateTime(since)}` : '');

/** Leads: status changes move Leadloop leads; conversions bring their opportunity. Answers the converted opportunities' ids. */
async function pullLeads(ctx: SyncContext, api: SalesforceApi, m: SalesforceMapping): Promise<Set<string>> {
  const idField = m.lead_fields.leadloop_id;
  const fields = ['Id', 'Status', 'IsConverted', 'ConvertedOpportunityId', 'ConvertedContactId', 'SystemModstamp', ...(idField ? [idField] : [])];
  const records = await api.queryAll(`SELECT ${fields.join(', ')} FROM Lead${sinceClause(ctx.since('Lead'))} ORDER BY SystemModstamp`);
  const converted = new Set<string>();
  const oppIds = unique(records.map((r) => (r.IsConverted ? str(r.ConvertedOpportunityId) : null)));
  const opps = new Map((await queryIn(api, `SELECT ${oppFields(m).join(', ')} FROM Opportunity`, 'Id', oppIds)).map((o) => [o.Id, o]));
  const deals = await remoteDeals(ctx, api, m, [...opps.values()]);
  for (const r of records) {
    const stamp = String(r.SystemModstamp);
    const link = await findLinkByExternal(ctx.deps.db, ctx.workspaceId, ctx.connection.id, 'Lead', r.Id);
    let leadId = link?.localId ?? null;
    // CRM users can type anything into the Leadloop id field: only a well-formed id is looked up.
    const typedId = idField ? str(r[idField]) : null;
    if (!leadId && typedId && uuidRe.test(typedId)) leadId = (await getLead(ctx.deps.db, ctx.workspaceId, typedId))?.id ?? null;
    if (!leadId) { ctx.counts.ignored++; ctx.stamp('Lead', stamp, false); continue; }
    if (link?.remoteStamp === stamp) { ctx.counts.unchanged++; ctx.stamp('Lead', stamp, false); continue; }
    const oppId = r.IsConverted ? str(r.ConvertedOpportunityId) : null;
    if (oppId) converted.add(oppId);
    const done = await ctx.record({ direction: 'pull', objectType: 'Lead', externalId: r.Id, localId: leadId }, async (trx) => {
      const actions: string[] = [];
      const lead = await getLead(trx, ctx.workspaceId, leadId);
      if (!lead) return ok({ changed: false, actions: ['lead gone'] });
      let pushedAt: Date | null = null;
      if (oppId) {
        const deal = deals.get(oppId);
        if (deal) {
          const applied = await applyRemoteDealInTrx(trx, ctx.workspaceId, ctx.connection.id, deal, { leadIds: [leadId], lostReasonCode: m.lost_reason_code, at: ctx.now() });
          if (!applied.ok) return applied;
          actions.push(`converted in Salesforce (Opportunity ${oppId})`, ...applied.value.actions);
          if (applied.value.opportunityId) {
            const linked = await linkLeadToLocalDealInTrx(trx, ctx.workspaceId, leadId, applied.value.opportunityId, `Salesforce: Lead ${r.Id} converted`, m.lost_reason_code, ctx.now());
            if (!linked.ok) return linked;
            actions.push(...linked.value);
          }
        }
        pushedAt = ctx.now();
      } else {
        const move = leadMoveForStatus(m, lead.stage, str(r.Status));
        if (move.kind === 'move') {
          const moved = await walkLeadInTrx(trx, ctx.workspaceId, leadId, move.path, move.reasonCode, `Salesforce: Lead Status "${String(r.Status)}"`, ctx.now());
          if (!moved.ok) return moved;
          if (moved.value) { actions.push(`Lead Status "${String(r.Status)}" → ${moved.value}`); pushedAt = ctx.now(); }
        }
      }
      await upsertLink(trx, ctx.workspaceId, ctx.connection.id, {
        objectType: 'Lead', externalId: r.Id, localKind: 'lead', localId: leadId, remoteStamp: stamp,
        // What Salesforce shows now needs no push back.
        ...(pushedAt ? { pushedAt, pushedState: { status: str(r.Status), converted: Boolean(r.IsConverted) } } : {}),
      });
      return ok({ changed: actions.length > 0, actions });
    });
    ctx.stamp('Lead', stamp, !done);
  }
  return converted;
}

/** Opportunities changed since the cursor (and the converted ones), with their contact roles, through the rule. */
async function pullOpportunities(ctx: SyncContext, api: SalesforceApi, m: SalesforceMapping, alreadyApplied: Set<string>): Promise<void> {
  const records = await api.queryAll(`SELECT ${oppFields(m).join(', ')} FROM Opportunity${sinceClause(ctx.since('Opportunity'))} ORDER BY SystemModstamp`);
  const deals = await remoteDeals(ctx, api, m, records);
  for (const r of records) {
    const stamp = String(r.SystemModstamp);
    const deal = deals.get(r.Id)!;
    const link = await findLinkByExternal(ctx.deps.db, ctx.workspaceId, ctx.connection.id, 'Opportunity', r.Id);
    if (link?.remoteStamp === stamp) { if (!alreadyApplied.has(r.Id)) ctx.counts.unchanged++; ctx.stamp('Opportunity', stamp, false); continue; }
    // Deals nobody in Leadloop is on stay in Salesforce (no person, no attribution).
    if (!link && deal.roles.length === 0) { ctx.counts.ignored++; ctx.stamp('Opportunity', stamp, false); continue; }
    const done = await ctx.record({ direction: 'pull', objectType: 'Opportunity', externalId: r.Id, localId: link?.localId ?? null }, async (trx) => {
      const applied = await applyRemoteDealInTrx(trx, ctx.workspaceId, ctx.connection.id, deal, { leadIds: [], lostReasonCode: m.lost_reason_code, at: ctx.now() });
      if (!applied.ok) return applied;
      return ok({ changed: applied.value.changed, actions: applied.value.actions });
    });
    ctx.stamp('Opportunity', stamp, !done);
  }
}

/** Salesforce Opportunities as the connector-neutral deal, contact roles and owners matched by email. */
async function remoteDeals(ctx: SyncContext, api: SalesforceApi, m: SalesforceMapping, records: SoqlRecord[]): Promise<Map<string, RemoteDeal>> {
  const ids = records.map((r) => r.Id);
  const roles = await queryIn(api, 'SELECT OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole', 'OpportunityId', ids);
  const contacts = await queryIn(api, 'SELECT Id, Email FROM Contact', 'Id', unique(roles.map((r) => str(r.ContactId))));
  const emailOfContact = new Map(contacts.map((c) => [c.Id, str(c.Email)?.toLowerCase() ?? null]));
  const local = await contactIdsByEmail(ctx.deps.db, ctx.workspaceId, unique([...emailOfContact.values()]));
  const users = await queryIn(api, 'SELECT Id, Email FROM User', 'Id', unique(records.map((r) => str(r.OwnerId))));
  const userEmail = new Map(users.map((u) => [u.Id, str(u.Email)?.toLowerCase() ?? null]));
  const localUsers = await userIdsByEmail(ctx.deps.db, ctx.workspaceId, unique([...userEmail.values()]));
  const out = new Map<string, RemoteDeal>();
  for (const r of records) {
    const dealRoles = roles.filter((x) => x.OpportunityId === r.Id).flatMap((x) => {
      const contactId = local.get(emailOfContact.get(String(x.ContactId)) ?? '');
      return contactId ? [{ contactId, role: str(x.Role)?.toLowerCase().replace(/\s+/g, '_') ?? 'influencer', isPrimary: Boolean(x.IsPrimary) }] : [];
    });
    const ownerEmail = userEmail.get(String(r.OwnerId)) ?? null;
    out.set(r.Id, {
      provider: 'salesforce', objectType: 'Opportunity', externalId: r.Id, stamp: String(r.SystemModstamp),
      name: str(r.Name) ?? r.Id, amount: Number(r.Amount ?? 0), stage: str(r.StageName) ?? 'Unknown',
      currency: (m.opportunity_currency_field ? str(r[m.opportunity_currency_field]) : null) ?? m.default_currency,
      outcome: salesforceOpportunityOutcome(m, { StageName: str(r.StageName), IsClosed: Boolean(r.IsClosed), IsWon: Boolean(r.IsWon) }),
      closeDate: str(r.CloseDate)?.slice(0, 10) ?? null, ownerId: ownerEmail ? localUsers.get(ownerEmail) ?? null : null, roles: dealRoles,
    });
  }
  return out;
}
