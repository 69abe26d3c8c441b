import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { CampaignTable } from './schema.ts';

export type Campaign = {
  id: string; name: string; channel: string; utmSource: string | null; utmMedium: string | null; utmCampaign: string | null;
  startsOn: string | null; endsOn: string | null; budget: number | null; attributes: Record<string, unknown>; createdAt: Date;
};
export type CampaignCost = { campaignId: string; periodStart: string; amount: number; currency: string };

const toCampaign = (r: Selectable<CampaignTable>): Campaign => ({
  id: r.id, name: r.name, channel: r.channel, utmSource: r.utm_source, utmMedium: r.utm_medium, utmCampaign: r.utm_campaign,
  startsOn: r.starts_on, endsOn: r.ends_on, budget: r.budget === null ? null : Number(r.budget), attributes: r.attributes,
  createdAt: r.created_at,
});

export type NewCampaign = Omit<Campaign, 'id' | 'createdAt' | 'attributes'> & { attributes?: Record<string, unknown> };

export async function insertCampaign(db: DbOrTrx, workspaceId: string, c: NewCampaign): Promise<Campaign> {
  const row = await db.insertInto('campaign').values({
    workspace_id: workspaceId, id: newId(), name: c.name, channel: c.channel, utm_source: c.utmSource, utm_medium: c.utmMedium,
    utm_campaign: c.utmCampaign, starts_on: c.startsOn, ends_on: c.endsOn, budget: c.budget, attributes: JSON.stringify(c.attributes ?? {}),
  }).returningAll().executeTakeFirstOrThrow();
  return toCampaign(row);
}

export async function getCampaign(db: DbOrTrx, workspaceId: string, id: string): Promise<Campaign | null> {
  const row = await db.selectFrom('campaign').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toCampaign(row) : null;
}

export async function findCampaignByName(db: DbOrTrx, workspaceId: string, name: string): Promise<Campaign | null> {
  const row = await db.selectFrom('campaign').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  return row ? toCampaign(row) : null;
}

export async function listCampaigns(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<Campaign>> {
  let query = db.selectFrom('campaign').selectAll().where('workspace_id', '=', workspaceId);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toCampaign);
}

export async function upsertCampaignCosts(db: DbOrTrx, workspaceId: string, costs: CampaignCost[]): Promise<void> {
  if (costs.length === 0) return;
  await db.insertInto('campaign_cost').values(costs.map((c) => ({
    workspace_id: workspaceId, campaign_id: c.campaignId, period_start: c.periodStart, amount: c.amount, currency: c.currency,
  }))).onConflict((oc) => oc.columns(['workspace_id', 'campaign_id', 'period_start']).doUpdateSet((eb) => ({ amount: eb.ref('excluded.amount'), currency: eb.ref('excluded.currency') }))).execute();
}

export async function listCampaignCosts(db: DbOrTrx, workspaceId: string, campaignId: string): Promise<CampaignCost[]> {
  const rows = await db.selectFrom('campaign_cost').selectAll().where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).orderBy('period_start').execute();
  return rows.map((r) => ({ campaignId: r.campaign_id, periodStart: r.period_start, amount: Number(r.amount), currency: r.currency }));
}
