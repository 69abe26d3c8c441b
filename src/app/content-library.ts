import { auditContent, gapMap, type ContentAudit, type GapCell } from '../core/content/content-coverage.rules.ts';
import { cleanComment, normalizeRating, type RatingInput } from '../core/content/content-rating.rules.ts';
import { assetConsumptionStats, type AssetConsumptionStats } from '../core/content/content-stats.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { insertActivity } from '../storage/activities.repo.ts';
import {
  assetUsage, type AssetUsage, findAssetByUrl, findContactByIdentity, insertRating, linkedOpportunities, listAssetFacts, listConsumptions, listProgressions, listRatings,
  ratingSummary, updateContentAsset, upsertUserRating, type ContentAssetPatch, type ContentRating, type RatingSummary,
} from '../storage/content-library.repo.ts';
import { getContentAsset, type ContentAsset } from '../storage/content.repo.ts';
import type { DbOrTrx } from '../storage/db.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { getUser } from '../storage/users.repo.ts';
import { getWorkspace } from '../storage/workspaces.repo.ts';
import type { AppDeps } from './context.ts';
import { withTransaction } from './transaction.ts';
import { loadBuyingStages } from './buying-stages.ts';
import type { Page, PageRequest } from '../storage/page.ts';

/** Refuses a buying stage outside the workspace's agreed list (settings.buyingStages). */
export async function checkBuyingStage(db: DbOrTrx, workspaceId: string, stage: string | null | undefined): Promise<Result<null>> {
  if (stage === null || stage === undefined) return ok(null);
  const buyingStages = await loadBuyingStages(db, workspaceId);
  return buyingStages.includes(stage) ? ok(null)
    : fail('ValidationFailed', `Unknown buying stage '${stage}'. This workspace's stages: ${buyingStages.join(', ')}.`, [{ path: 'buying_stage', message: `one of ${buyingStages.join(', ')}` }]);
}

export async function changeContentAsset(deps: AppDeps, workspaceId: string, id: string, patch: ContentAssetPatch): Promise<Result<ContentAsset>> {
  const current = await getContentAsset(deps.db, workspaceId, id);
  if (!current) return fail('NotFound', `Content asset ${id} not found in this workspace.`);
  const stage = await checkBuyingStage(deps.db, workspaceId, patch.buyingStage);
  if (!stage.ok) return stage;
  if (patch.ownerId && !(await getUser(deps.db, workspaceId, patch.ownerId))) return fail('ValidationFailed', `User ${patch.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  const published = patch.publishedOn === undefined ? current.publishedOn : patch.publishedOn;
  const expires = patch.expiresOn === undefined ? current.expiresOn : patch.expiresOn;
  if (published && expires && expires < published) return fail('ValidationFailed', `expires_on (${expires}) is before published_on (${published}).`, [{ path: 'expires_on', message: 'before published_on' }]);
  try {
    const updated = await updateContentAsset(deps.db, workspaceId, id, patch);
    return updated ? ok(updated) : fail('NotFound', `Content asset ${id} not found in this workspace.`);
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A content asset with URL ${patch.url} already exists.`, [{ path: 'url', message: 'taken' }]);
    throw e;
  }
}

export type ProspectRating = RatingInput & { assetId?: string; url?: string; comment?: string | null; anonymousId?: string; email?: string };

/** A prospect's rating from the tracking snippet: the asset by id or URL; the person when already known. */
export async function rateAsProspect(deps: AppDeps, workspaceId: string, input: ProspectRating): Promise<Result<ContentRating>> {
  const assetId = input.assetId ?? (input.url ? await findAssetByUrl(deps.db, workspaceId, input.url) : null);
  const asset = assetId ? await getContentAsset(deps.db, workspaceId, assetId) : null;
  if (!asset) return fail('NotFound', 'Unknown content asset: send asset_id or the URL of a content asset.', [{ path: 'asset_id', message: 'unknown asset' }]);
  const normalized = normalizeRating(input);
  if (!normalized.ok) return normalized;
  const contactId = (input.anonymousId ? await findContactByIdentity(deps.db, workspaceId, 'anonymous_id', input.anonymousId) : null)
    ?? (input.email ? await findContactByIdentity(deps.db, workspaceId, 'email', input.email.trim().toLowerCase()) : null);
  const at = deps.clock.now();
  const comment = cleanComment(input.comment);
  return ok(await withTransaction(deps, async (trx) => {
    const rating = await insertRating(trx, workspaceId, { assetId: asset.id, ...normalized.value, comment, source: 'prospect', contactId, userId: null, at });
    if (contactId) {
      await insertActivity(trx, workspaceId, {
        contactId, type: 'content_rating', occurredAt: at, source: null, medium: null, campaignId: null, utmCampaign: null, contentId: asset.id,
        url: asset.url, referrer: null, eventName: null, properties: { rating: rating.rating, scale: rating.scale }, actorUserId: null, idempotencyKey: `content-rating:${rating.id}`,
      });
    }
    return rating;
  }));
}

/**
 * A salesperson's rating and comment from the app ("used it in a call, helped / didn't"). One per
 * person per asset: rating again replaces the earlier rating (`created` false).
 */
export async function rateAsSales(deps: AppDeps, workspaceId: string, userId: string | null, assetId: string, input: RatingInput & { comment?: string | null }): Promise<Result<{ rating: ContentRating; created: boolean }>> {
  if (!userId) return fail('ValidationFailed', 'Ratings from the app need a user: log in or use a personal API key.', [{ path: 'authorization', message: 'no user' }]);
  if (!(await getContentAsset(deps.db, workspaceId, assetId))) return fail('NotFound', `Content asset ${assetId} not found in this workspace.`);
  const normalized = normalizeRating(input);
  if (!normalized.ok) return normalized;
  return ok(await upsertUserRating(deps.db, workspaceId, { assetId, ...normalized.value, comment: cleanComment(input.comment), source: 'sales', contactId: null, userId, at: deps.clock.now() }));
}

export async function ratingsOf(deps: AppDeps, workspaceId: string, assetId: string, page: PageRequest): Promise<Result<{ summary: RatingSummary; ratings: Page<ContentRating> }>> {
  if (!(await getContentAsset(deps.db, workspaceId, assetId))) return fail('NotFound', `Content asset ${assetId} not found in this workspace.`);
  return ok({ summary: await ratingSummary(deps.db, workspaceId, assetId), ratings: await listRatings(deps.db, workspaceId, assetId, page) });
}

export type AssetStats = AssetConsumptionStats & { ratings: RatingSummary; influencedPipeline: { opportunities: number; amount: number; wonAmount: number } };

/** Per-asset stats: consumption by stage and persona, influence within `windowDays`, ratings and influenced pipeline. */
export async function assetStats(deps: AppDeps, workspaceId: string, assetId: string, windowDays: number): Promise<Result<AssetStats>> {
  if (!(await getContentAsset(deps.db, workspaceId, assetId))) return fail('NotFound', `Content asset ${assetId} not found in this workspace.`);
  const consumptions = await listConsumptions(deps.db, workspaceId, assetId);
  const contacts = [...new Set(consumptions.map((c) => c.contactId))];
  const stats = assetConsumptionStats(consumptions, await listProgressions(deps.db, workspaceId, contacts), windowDays);
  const opps = await linkedOpportunities(deps.db, workspaceId, contacts);
  return ok({
    ...stats, ratings: await ratingSummary(deps.db, workspaceId, assetId),
    influencedPipeline: { opportunities: opps.length, amount: opps.reduce((s, o) => s + o.amount, 0), wonAmount: opps.filter((o) => o.status === 'won').reduce((s, o) => s + o.amount, 0) },
  });
}

export type AuditRequest = { unusedDays: number; maxAgeDays: number; lowRating: number; minRatings: number };

export async function contentAudit(deps: AppDeps, workspaceId: string, r: AuditRequest): Promise<ContentAudit & { buyingStages: string[] }> {
  const buyingStages = await loadBuyingStages(deps.db, workspaceId);
  const now = deps.clock.now();
  return { buyingStages, ...auditContent(await listAssetFacts(deps.db, workspaceId), buyingStages, { ...r, now, today: now.toISOString().slice(0, 10) }) };
}

/** The coverage grid; personas and topics listed in settings (personas, topics) appear even without content. */
export async function contentGapMap(deps: AppDeps, workspaceId: string, by: 'persona' | 'topic', t: { weakRating: number; minAssets: number }): Promise<{ stages: string[]; keys: string[]; cells: GapCell[] }> {
  const buyingStages = await loadBuyingStages(deps.db, workspaceId);
  const settings = (await getWorkspace(deps.db, workspaceId))?.settings ?? {};
  const configured = settings[by === 'persona' ? 'personas' : 'topics'];
  const known = Array.isArray(configured) ? configured.filter((x): x is string => typeof x === 'string') : [];
  const cells = gapMap(await listAssetFacts(deps.db, workspaceId), buyingStages, by, known, deps.clock.now().toISOString().slice(0, 10), t);
  return { stages: buyingStages, keys: [...new Set(cells.map((c) => c.key))], cells };
}

/** Ratings and usage of a page of assets (the library list's extra columns), set-based. */
export async function contentUsage(deps: AppDeps, workspaceId: string, assetIds: readonly string[]): Promise<Map<string, AssetUsage>> {
  return assetUsage(deps.db, workspaceId, assetIds);
}
