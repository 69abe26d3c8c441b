import { fail, ok, type Result } from '../core/result.ts';
import { insertCampaign, listCampaigns, getCampaign, upsertCampaignCosts, listCampaignCosts, type Campaign, type CampaignCost, type NewCampaign } from '../storage/campaigns.repo.ts';
import { getContentAsset, insertContentAsset, listContentAssets, type ContentAsset, type NewContentAsset } from '../storage/content.repo.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import { getUser } from '../storage/users.repo.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { withTransaction } from './transaction.ts';
import { checkBuyingStage } from './content-library.ts';

/** Campaigns (with costs per period) and content assets: the marketing catalogue. */
export async function createCampaign(deps: AppDeps, workspaceId: string, input: NewCampaign & { costs?: Omit<CampaignCost, 'campaignId'>[] }): Promise<Result<Campaign & { costs: CampaignCost[] }>> {
  if (input.startsOn && input.endsOn && input.endsOn < input.startsOn) {
    return fail('ValidationFailed', `ends_on (${input.endsOn}) is before starts_on (${input.startsOn}).`, [{ path: 'ends_on', message: 'before starts_on' }]);
  }
  try {
    return ok(await withTransaction(deps, async (trx) => {
      const campaign = await insertCampaign(trx, workspaceId, input);
      const costs = (input.costs ?? []).map((c) => ({ ...c, campaignId: campaign.id }));
      await upsertCampaignCosts(trx, workspaceId, costs);
      await recordAudit(trx, { workspaceId, action: 'campaign.created', object: { type: 'campaign', id: campaign.id }, after: { ...campaign, costs }, at: deps.clock.now() });
      return { ...campaign, costs };
    }));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A campaign named '${input.name}' already exists.`, [{ path: 'name', message: 'taken' }]);
    throw e;
  }
}

export async function findCampaign(deps: AppDeps, workspaceId: string, id: string): Promise<Result<Campaign & { costs: CampaignCost[] }>> {
  const campaign = await getCampaign(deps.db, workspaceId, id);
  if (!campaign) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
  return ok({ ...campaign, costs: await listCampaignCosts(deps.db, workspaceId, id) });
}

export async function searchCampaigns(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<Campaign>> {
  return listCampaigns(deps.db, workspaceId, page);
}

export async function createContentAsset(deps: AppDeps, workspaceId: string, input: NewContentAsset): Promise<Result<ContentAsset>> {
  if (input.ownerId && !(await getUser(deps.db, workspaceId, input.ownerId))) {
    return fail('ValidationFailed', `User ${input.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  }
  if (input.publishedOn && input.expiresOn && input.expiresOn < input.publishedOn) {
    return fail('ValidationFailed', `expires_on (${input.expiresOn}) is before published_on (${input.publishedOn}).`, [{ path: 'expires_on', message: 'before published_on' }]);
  }
  const stage = await checkBuyingStage(deps.db, workspaceId, input.buyingStage);
  if (!stage.ok) return stage;
  try {
    return ok(await insertContentAsset(deps.db, workspaceId, input));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A content asset with URL ${input.url} already exists.`, [{ path: 'url', message: 'taken' }]);
    throw e;
  }
}

export async function findContentAsset(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ContentAsset>> {
  const asset = await getContentAsset(deps.db, workspaceId, id);
  return asset ? ok(asset) : fail('NotFound', `Content asset ${id} not found in this workspace.`);
}

export async function searchContent(deps: AppDeps, workspaceId: string, filter: { buyingStage?: string }, page: PageRequest): Promise<Page<ContentAsset>> {
  return listContentAssets(deps.db, workspaceId, filter, page);
}
