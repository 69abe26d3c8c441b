import { sql } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import type { Campaign } from './campaigns.repo.ts';
import './schema-tasks.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

/** Campaign edits, members and performance (the campaigns screen); creation and listing are in campaigns.repo.ts. */

export type CampaignPatch = Partial<Pick<Campaign, 'name' | 'channel' | 'utmSource' | 'utmMedium' | 'utmCampaign' | 'startsOn' | 'endsOn' | 'budget'>>;

export async function updateCampaign(trx: Trx, workspaceId: string, id: string, p: CampaignPatch): Promise<void> {
  const set = {
    ...(p.name !== undefined ? { name: p.name } : {}), ...(p.channel !== undefined ? { channel: p.channel } : {}),
    ...(p.utmSource !== undefined ? { utm_source: p.utmSource } : {}), ...(p.utmMedium !== undefined ? { utm_medium: p.utmMedium } : {}),
    ...(p.utmCampaign !== undefined ? { utm_campaign: p.utmCampaign } : {}), ...(p.startsOn !== undefined ? { starts_on: p.startsOn } : {}),
    ...(p.endsOn !== undefined ? { ends_on: p.endsOn } : {}), ...(p.budget !== undefined ? { budget: p.budget } : {}),
  };
  if (Object.keys(set).length === 0) return;
  await trx.updateTable('campaign').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function lockCampaign(trx: Trx, workspaceId: string, id: string): Promise<boolean> {
  return !!(await trx.selectFrom('campaign').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst());
}

export async function deleteCampaignCosts(trx: Trx, workspaceId: string, campaignId: string, periods: readonly string[]): Promise<void> {
  if (periods.length === 0) return;
  await trx.deleteFrom('campaign_cost').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('period_start', 'in', [...periods]).execute();
}

/** Activities that name the campaign by id: history a deletion would leave pointing nowhere. */
export async function countCampaignActivities(db: DbOrTrx, workspaceId: string, campaignId: string): Promise<number> {
  const r = await db.selectFrom('activity').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Costs and members go with it (ON DELETE CASCADE). */
export async function deleteCampaign(trx: Trx, workspaceId: string, id: string): Promise<void> {
  await trx.deleteFrom('campaign').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export type CampaignMember = { contactId: string; name: string; email: string | null; status: string; addedAt: Date };

export async function addCampaignMembers(trx: Trx, workspaceId: string, campaignId: string, members: readonly { contactId: string; status: string }[], at: Date): Promise<number> {
  if (members.length === 0) return 0;
  const r = await trx.insertInto('campaign_member').values(members.map((m) => ({ workspace_id: workspaceId, campaign_id: campaignId, contact_id: m.contactId, status: m.status, added_at: at })))
    .onConflict((oc) => oc.columns(['workspace_id', 'campaign_id', 'contact_id']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status') }))).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

export async function removeCampaignMember(trx: Trx, workspaceId: string, campaignId: string, contactId: string): Promise<boolean> {
  const r = await trx.deleteFrom('campaign_member').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('contact_id', '=', contactId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const memberKeyset: Keyset<{ contact_id: string }> = { id: 'm.contact_id', idOf: (r) => r.contact_id, direction: 'desc', sort: { column: 'm.added_at', type: 'timestamptz' } };

/** A page of a campaign's members, newest first (by when added, then contact id: a member is one person). */
export async function listCampaignMembers(db: DbOrTrx, workspaceId: string, campaignId: string, page: PageRequest): Promise<Page<CampaignMember>> {
  const q = db.selectFrom('campaign_member as m').innerJoin('contact as c', (j) => j.onRef('c.workspace_id', '=', 'm.workspace_id').onRef('c.id', '=', 'm.contact_id'))
    .select(['m.contact_id', 'm.status', 'm.added_at', 'c.first_name', 'c.last_name', 'c.email'])
    .where('m.workspace_id', '=', workspaceId).where('m.campaign_id', '=', campaignId);
  return keysetPage(await keysetQuery(q, memberKeyset, page).execute(), memberKeyset, page.limit,
    (r) => ({ contactId: r.contact_id, name: [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email || 'Unnamed person', email: r.email, status: r.status, addedAt: r.added_at }));
}

export async function existingContactIds(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('contact').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

export type CampaignFunnel = { members: number; leads: number; mqls: number; opportunities: number; wonDeals: number; wonRevenue: number; pipeline: number; cost: number; costCurrencies: string[] };

/**
 * What a campaign brought: leads that came from it (lead.campaign is its name or utm_campaign, case
 * insensitive) or whose person is a member; their MQLs; the opportunities those leads are linked to,
 * open pipeline and won revenue; and the campaign's total cost.
 */
export async function campaignFunnel(db: DbOrTrx, workspaceId: string, campaignId: string): Promise<CampaignFunnel> {
  const r = await sql<{ members: number; leads: number; mqls: number; opportunities: number; won_deals: number; won_revenue: string | null; pipeline: string | null; cost: string | null; currencies: string[] | null }>`
    WITH c AS (SELECT name, utm_campaign FROM campaign WHERE workspace_id = ${workspaceId} AND id = ${campaignId}),
    leads AS (
      SELECT l.id, l.mql_at FROM lead l, c
      WHERE l.workspace_id = ${workspaceId} AND l.campaign IS NOT NULL AND (lower(l.campaign) = lower(c.name) OR lower(l.campaign) = lower(c.utm_campaign))
      UNION
      SELECT l.id, l.mql_at FROM campaign_member m JOIN lead l ON l.workspace_id = m.workspace_id AND l.contact_id = m.contact_id
      WHERE m.workspace_id = ${workspaceId} AND m.campaign_id = ${campaignId}
    ),
    opps AS (
      SELECT DISTINCT o.id, o.amount, o.status FROM leads JOIN opportunity_lead ol ON ol.workspace_id = ${workspaceId} AND ol.lead_id = leads.id
      JOIN opportunity o ON o.workspace_id = ol.workspace_id AND o.id = ol.opportunity_id
    )
    SELECT
      (SELECT count(*)::int FROM campaign_member WHERE workspace_id = ${workspaceId} AND campaign_id = ${campaignId}) AS members,
      (SELECT count(*)::int FROM leads) AS leads,
      (SELECT count(*)::int FROM leads WHERE mql_at IS NOT NULL) AS mqls,
      (SELECT count(*)::int FROM opps) AS opportunities,
      (SELECT count(*)::int FROM opps WHERE status = 'won') AS won_deals,
      (SELECT sum(amount) FROM opps WHERE status = 'won') AS won_revenue,
      (SELECT sum(amount) FROM opps WHERE status NOT IN ('won', 'lost')) AS pipeline,
      (SELECT sum(amount) FROM campaign_cost WHERE workspace_id = ${workspaceId} AND campaign_id = ${campaignId}) AS cost,
      (SELECT array_agg(DISTINCT currency) FROM campaign_cost WHERE workspace_id = ${workspaceId} AND campaign_id = ${campaignId}) AS currencies`.execute(db);
  const x = r.rows[0]!;
  return {
    members: x.members, leads: x.leads, mqls: x.mqls, opportunities: x.opportunities, wonDeals: x.won_deals, wonRevenue: Number(x.won_revenue ?? 0),
    pipeline: Number(x.pipeline ?? 0), cost: Number(x.cost ?? 0), costCurrencies: x.currencies ?? [],
  };
}
