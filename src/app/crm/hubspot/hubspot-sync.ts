import { hubspotContactProperties, hubspotDealOutcome, hubspotLeadMove, type HubspotContactState, type HubspotMapping, type LeadFacts } from '../../../core/crm/crm-mapping.rules.ts';
import { ok } from '../../../core/result.ts';
import { accountIdsByDomain, contactIdsByEmail, findLinkByExternal, leadsToPush, upsertLink, userIdsByEmail, type CrmPushLead } from '../../../storage/crm.repo.ts';
import { getLead } from '../../../storage/leads.repo.ts';
import { applyRemoteDealInTrx, walkLeadInTrx, type RemoteDeal } from '../apply-remote.ts';
import type { SyncContext } from '../sync-context.ts';
import { classifyHubspotError, type HubspotApi } from './hubspot-client.ts';

/**
 * One HubSpot sync: push (MQLs and their later stage changes become contact properties — score,
 * rating, stage, why — and the lifecycle stage; owner mapped by email to a HubSpot owner), then
 * pull: contacts changed since the cursor (search by `lastmodifieddate`) whose lifecycle stage or
 * lead status a HubSpot user changed move their lead through ordinary transitions, with reasons;
 * then deals changed since the cursor (their contacts through associations v4, pipeline stages
 * mapped to won/lost) through the lead↔deal rule. Batch endpoints throughout;
 * the client retries 429 answers (secondly limit) itself.
 */
const pushBatch = 100;

const unique = <T>(xs: (T | null | undefined)[]) => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined && x !== ''))];
const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function call<T>(f: () => Promise<T>): Promise<T> {
  try { return await f(); } catch (e) { throw classifyHubspotError(e); }
}

const facts = (l: CrmPushLead): LeadFacts => ({
  leadId: l.leadId, stage: l.stage, source: l.source, rating: l.rating, fitScore: l.fitScore, engagementScore: l.engagementScore,
  email: l.email, firstName: l.firstName, lastName: l.lastName, title: l.title, phone: l.phone, accountName: l.accountName, why: l.why,
});

export async function syncHubspot(ctx: SyncContext, api: HubspotApi, m: HubspotMapping): Promise<void> {
  await pushContacts(ctx, api, m);
  if (ctx.scope === 'push') return;
  await pullContacts(ctx, api, m);
  await pullDeals(ctx, api, m);
}

async function ownerIds(api: HubspotApi, emails: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const email of emails) {
    const page = await call(() => api.client.crm.owners.ownersApi.getPage(email, undefined, 1));
    const owner = page.results[0];
    if (owner?.email) out.set(owner.email.toLowerCase(), owner.id);
  }
  return out;
}

async function pushContacts(ctx: SyncContext, api: HubspotApi, m: HubspotMapping): Promise<void> {
  const leads = await leadsToPush(ctx.deps.db, ctx.workspaceId, ctx.connection.id, ctx.connection.pushSince, pushBatch);
  if (!leads.length) return;
  const owners = await ownerIds(api, unique(leads.map((l) => l.ownerEmail?.toLowerCase())));
  // People already in HubSpot (by email) are updated, never duplicated.
  const existing = new Map<string, string>();
  const seen = new Map<string, HubspotContactState>();
  for (const part of chunks(unique(leads.filter((l) => !l.externalId).map((l) => l.email?.toLowerCase())), 100)) {
    const found = await call(() => api.client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'IN' as never, values: part }] }], properties: ['email', 'lifecyclestage', 'hs_lead_status'], limit: 100, after: undefined as never, sorts: [],
    }));
    for (const c of found.results) {
      if (!c.properties.email) continue;
      existing.set(c.properties.email.toLowerCase(), c.id);
      seen.set(c.id, contactState(c.properties));
    }
  }
  type Planned = { lead: CrmPushLead; id: string | null; properties: Record<string, string>; action: string };
  const planned: Planned[] = leads.map((l) => {
    const properties = hubspotContactProperties(m, facts(l));
    const owner = l.ownerEmail ? owners.get(l.ownerEmail.toLowerCase()) : undefined;
    if (owner) properties.hubspot_owner_id = owner;
    const id = l.externalId ?? existing.get(l.email?.toLowerCase() ?? '') ?? null;
    const action = l.externalId ? `updated contact (stage ${l.stage}${properties.lifecyclestage ? `, lifecycle ${properties.lifecyclestage}` : ''})`
      : id ? `updated existing contact ${id} (MQL)` : 'created contact (MQL)';
    return { lead: l, id, properties, action: action + (l.ownerEmail && !owner ? ` (owner ${l.ownerEmail} is not a HubSpot owner)` : '') };
  });
  if (ctx.dryRun) {
    for (const p of planned) await ctx.log({ direction: 'push', objectType: 'contact', externalId: p.id, localId: p.lead.leadId, action: p.action, outcome: 'would_change', error: null });
    return;
  }
  const done = async (p: Planned, id: string) => {
    // What HubSpot shows now, remembered so a later pull acts only on a HubSpot user's change: what
    // we just created, or what the existing contact held (a contact already linked keeps its memory).
    const remoteState = p.lead.externalId ? undefined : seen.get(id) ?? { lifecyclestage: p.properties.lifecyclestage ?? null, hs_lead_status: null };
    await upsertLink(ctx.deps.db, ctx.workspaceId, ctx.connection.id, {
      objectType: 'contact', externalId: id, localKind: 'lead', localId: p.lead.leadId, remoteStamp: null, pushedAt: p.lead.stageEnteredAt, pushedState: { stage: p.lead.stage },
      ...(remoteState ? { remoteState } : {}),
    });
    await ctx.log({ direction: 'push', objectType: 'contact', externalId: id, localId: p.lead.leadId, action: p.action, outcome: 'changed', error: null });
  };
  const failed = (p: Planned, e: unknown) => {
    const err = classifyHubspotError(e);
    if (err.kind !== 'record') throw err;
    return ctx.log({ direction: 'push', objectType: 'contact', externalId: p.id, localId: p.lead.leadId, action: p.action, outcome: 'failed', error: `${err.code}: ${err.message}` });
  };
  // A batch is all-or-nothing in HubSpot: when one fails, the records go one by one so only the bad one fails.
  const updates = planned.filter((p) => p.id);
  for (const part of chunks(updates, 100)) {
    try {
      await api.client.crm.contacts.batchApi.update({ inputs: part.map((p) => ({ id: p.id!, properties: p.properties })) });
      for (const p of part) await done(p, p.id!);
    } catch (e) {
      if (classifyHubspotError(e).kind !== 'record') throw classifyHubspotError(e);
      for (const p of part) {
        try { await api.client.crm.contacts.basicApi.update(p.id!, { properties: p.properties }); await done(p, p.id!); } catch (x) { await failed(p, x); }
      }
    }
  }
  const creates = planned.filter((p) => !p.id);
  for (const part of chunks(creates, 100)) {
    try {
      const res = await api.client.crm.contacts.batchApi.create({ inputs: part.map((p) => ({ properties: p.properties, associations: [] })) });
      const byEmail = new Map(res.results.map((r) => [r.properties.email?.toLowerCase() ?? '', r.id]));
      for (const p of part) await done(p, byEmail.get(p.lead.email?.toLowerCase() ?? '') ?? res.results[part.indexOf(p)]!.id);
    } catch (e) {
      if (classifyHubspotError(e).kind !== 'record') throw classifyHubspotError(e);
      for (const p of part) {
        try { const r = await api.client.crm.contacts.basicApi.create({ properties: p.properties, associations: [] }); await done(p, r.id); } catch (x) { await failed(p, x); }
      }
    }
  }
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const contactState = (p: Record<string, string | null>): HubspotContactState => ({ lifecyclestage: p.lifecyclestage || null, hs_lead_status: p.hs_lead_status || null });

/**
 * Contacts changed in HubSpot since the cursor (search by `lastmodifieddate`, oldest first): a
 * lifecycle stage or lead status a HubSpot user changed walks the linked lead through ordinary
 * transitions (the one lifecycle rule, hand-off and nurture subscribers included) with the mapped
 * reason. Idempotent: a contact whose stamp was applied is unchanged; what the pull applied is not
 * pushed back.
 */
async function pullContacts(ctx: SyncContext, api: HubspotApi, m: HubspotMapping): Promise<void> {
  const idProperty = m.contact_properties.leadloop_id;
  const since = ctx.since('contacts');
  const contacts: { id: string; properties: Record<string, string | null> }[] = [];
  let after: string | undefined;
  do {
    const page = await call(() => api.client.crm.contacts.searchApi.doSearch({
      filterGroups: since ? [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as never, value: String(Date.parse(since)) }] }] : [],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' } as never],
      properties: ['lifecyclestage', 'hs_lead_status', 'lastmodifieddate', ...(idProperty ? [idProperty] : [])], limit: 100, after: after as never,
    }));
    contacts.push(...page.results);
    after = page.paging?.next?.after;
  } while (after);
  for (const c of contacts) {
    const stamp = c.properties.lastmodifieddate ?? new Date(0).toISOString();
    const link = await findLinkByExternal(ctx.deps.db, ctx.workspaceId, ctx.connection.id, 'contact', c.id);
    let leadId = link?.localId ?? null;
    // HubSpot users can type anything into the Leadloop id property: only a well-formed id is looked up.
    const typedId = idProperty ? c.properties[idProperty] ?? null : null;
    if (!leadId && typedId && uuidRe.test(typedId)) leadId = (await getLead(ctx.deps.db, ctx.workspaceId, typedId))?.id ?? null;
    if (!leadId) { ctx.counts.ignored++; ctx.stamp('contacts', stamp, false); continue; }
    if (link?.remoteStamp === stamp) { ctx.counts.unchanged++; ctx.stamp('contacts', stamp, false); continue; }
    const now = contactState(c.properties);
    const previous = (link?.remoteState ?? null) as HubspotContactState | null;
    const done = await ctx.record({ direction: 'pull', objectType: 'contact', externalId: c.id, localId: leadId }, async (trx) => {
      const lead = await getLead(trx, ctx.workspaceId, leadId);
      if (!lead) return ok({ changed: false, actions: ['lead gone'] });
      const actions: string[] = [];
      const move = hubspotLeadMove(m, lead.stage, now, previous);
      let movedTo: string | null = null;
      if (move.kind === 'move') {
        const what = [now.hs_lead_status !== previous?.hs_lead_status && now.hs_lead_status ? `lead status "${now.hs_lead_status}"` : null,
          now.lifecyclestage !== previous?.lifecyclestage && now.lifecyclestage ? `lifecycle stage "${now.lifecyclestage}"` : null].filter(Boolean).join(', ');
        const moved = await walkLeadInTrx(trx, ctx.workspaceId, lead.id, move.path, move.reasonCode, `HubSpot: ${what}`, ctx.now());
        if (!moved.ok) return moved;
        if (moved.value) { actions.push(`HubSpot ${what} → ${moved.value}${move.reasonCode ? ` (${move.reasonCode})` : ''}`); movedTo = moved.value; }
      }
      await upsertLink(trx, ctx.workspaceId, ctx.connection.id, {
        objectType: 'contact', externalId: c.id, localKind: 'lead', localId: lead.id, remoteStamp: stamp, remoteState: now,
        // What HubSpot shows now needs no push back.
        ...(movedTo ? { pushedAt: ctx.now(), pushedState: { stage: movedTo, pulled: now } } : {}),
      });
      return ok({ changed: actions.length > 0, actions });
    });
    ctx.stamp('contacts', stamp, !done);
  }
}

async function pullDeals(ctx: SyncContext, api: HubspotApi, m: HubspotMapping): Promise<void> {
  const pipelines = await call(() => api.client.crm.pipelines.pipelinesApi.getAll('deals'));
  const stageMeta = new Map<string, { isClosed: boolean; probability: number | null; label: string }>();
  for (const p of pipelines.results) {
    for (const s of p.stages) {
      const meta = s.metadata as Record<string, string> | undefined;
      stageMeta.set(s.id, { isClosed: meta?.isClosed === 'true', probability: meta?.probability ? Number(meta.probability) : null, label: s.label });
    }
  }
  const since = ctx.since('deals');
  const deals: { id: string; properties: Record<string, string | null> }[] = [];
  let after: string | undefined;
  do {
    const page = await call(() => api.client.crm.deals.searchApi.doSearch({
      filterGroups: since ? [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE' as never, value: String(Date.parse(since)) }] }] : [],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' } as never], properties: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'deal_currency_code', 'hubspot_owner_id', 'hs_lastmodifieddate'],
      limit: 100, after: after as never,
    }));
    deals.push(...page.results);
    after = page.paging?.next?.after;
  } while (after);
  if (!deals.length) return;
  // deal ↔ contact associations (v4), then the contacts' emails, matched to Leadloop contacts.
  const contactIdsOf = new Map<string, string[]>();
  for (const part of chunks(deals.map((d) => d.id), 100)) {
    const res = await call(() => api.client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs: part.map((id) => ({ id })) }));
    for (const r of res.results) contactIdsOf.set(r._from.id, r.to.map((x) => String(x.toObjectId)));
  }
  const emails = new Map<string, string>();
  for (const part of chunks(unique([...contactIdsOf.values()].flat()), 100)) {
    const res = await call(() => api.client.crm.contacts.batchApi.read({ inputs: part.map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] }));
    for (const c of res.results) if (c.properties.email) emails.set(c.id, c.properties.email.toLowerCase());
  }
  const local = await contactIdsByEmail(ctx.deps.db, ctx.workspaceId, unique([...emails.values()]));
  // deal ↔ company: the company's domain finds the Leadloop account the deal belongs to.
  const companyOf = new Map<string, string>();
  for (const part of chunks(deals.map((d) => d.id), 100)) {
    const res = await call(() => api.client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: part.map((id) => ({ id })) }));
    for (const r of res.results) if (r.to[0]) companyOf.set(r._from.id, String(r.to[0].toObjectId));
  }
  const domains = new Map<string, string>();
  for (const part of chunks(unique([...companyOf.values()]), 100)) {
    const res = await call(() => api.client.crm.companies.batchApi.read({ inputs: part.map((id) => ({ id })), properties: ['domain', 'name'], propertiesWithHistory: [] }));
    for (const c of res.results) if (c.properties.domain) domains.set(c.id, c.properties.domain.toLowerCase().replace(/^www\./, ''));
  }
  const accounts = await accountIdsByDomain(ctx.deps.db, ctx.workspaceId, unique([...domains.values()]));
  const ownerEmail = new Map<string, string>();
  if (deals.some((d) => d.properties.hubspot_owner_id)) {
    const page = await call(() => api.client.crm.owners.ownersApi.getPage(undefined, undefined, 500));
    for (const o of page.results) if (o.email) ownerEmail.set(o.id, o.email.toLowerCase());
  }
  const users = await userIdsByEmail(ctx.deps.db, ctx.workspaceId, unique([...ownerEmail.values()]));
  for (const d of deals) {
    const p = d.properties;
    const stamp = p.hs_lastmodifieddate ?? new Date(0).toISOString();
    const link = await findLinkByExternal(ctx.deps.db, ctx.workspaceId, ctx.connection.id, 'deal', d.id);
    if (link?.remoteStamp === stamp) { ctx.counts.unchanged++; ctx.stamp('deals', stamp, false); continue; }
    const roles = (contactIdsOf.get(d.id) ?? []).flatMap((cid, i) => {
      const contactId = local.get(emails.get(cid) ?? '');
      return contactId ? [{ contactId, role: 'contact', isPrimary: i === 0 }] : [];
    });
    if (!link && !roles.length) { ctx.counts.ignored++; ctx.stamp('deals', stamp, false); continue; }
    const stage = p.dealstage ?? 'unknown';
    const owner = p.hubspot_owner_id ? ownerEmail.get(p.hubspot_owner_id) : undefined;
    const deal: RemoteDeal = {
      provider: 'hubspot', objectType: 'deal', externalId: d.id, stamp, name: p.dealname ?? `HubSpot deal ${d.id}`,
      amount: Number(p.amount ?? 0) || 0, currency: p.deal_currency_code ?? 'USD', stage: stageMeta.get(stage)?.label ?? stage,
      outcome: hubspotDealOutcome(m, stage, stageMeta.get(stage) ?? null), closeDate: p.closedate ? p.closedate.slice(0, 10) : null,
      ownerId: owner ? users.get(owner) ?? null : null, roles,
      accountId: accounts.get(domains.get(companyOf.get(d.id) ?? '') ?? '') ?? null,
    };
    const okDone = await ctx.record({ direction: 'pull', objectType: 'deal', externalId: d.id, localId: link?.localId ?? null }, async (trx) => {
      const applied = await applyRemoteDealInTrx(trx, ctx.workspaceId, ctx.connection.id, deal, { leadIds: [], lostReasonCode: m.lost_reason_code, at: ctx.now() });
      if (!applied.ok) return applied;
      return ok({ changed: applied.value.changed, actions: applied.value.actions });
    });
    ctx.stamp('deals', stamp, !okDone);
  }
}
