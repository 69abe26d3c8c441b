import { z } from 'zod';
import { getWorkspace, mergeWorkspaceSettings } from '../storage/workspaces.repo.ts';
import { withAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { fail, ok, type Result } from '../core/result.ts';

/**
 * Channels counted as marketing when nobody has agreed a list: everything a marketing team runs.
 * 'sales', 'direct' and 'unknown' are deliberately absent.
 */
export const defaultMarketingChannels = [
  'paid_search', 'organic_search', 'social', 'paid_social', 'email', 'display', 'referral', 'content', 'event', 'webinar', 'affiliate', 'other_publicities',
] as const;

export type AttributionSettings = { target: number; lookbackDays: number; halfLifeDays: number; marketingChannels: string[] };
export const defaultAttributionSettings: AttributionSettings = { target: 0.3, lookbackDays: 365, halfLifeDays: 7, marketingChannels: [...defaultMarketingChannels] };

const stored = z.object({
  marketingContributionTarget: z.number().min(0).max(1).optional(),
  attributionLookbackDays: z.number().int().min(0).max(3650).optional(),
  attributionHalfLifeDays: z.number().positive().max(3650).optional(),
  marketingChannels: z.array(z.string()).optional(),
});

/** The workspace's agreement, with defaults for what was never set (a malformed value falls back too). */
export function attributionSettingsOf(settings: Record<string, unknown>): AttributionSettings {
  const parsed = stored.safeParse(settings);
  const s = parsed.success ? parsed.data : {};
  return {
    target: s.marketingContributionTarget ?? defaultAttributionSettings.target,
    lookbackDays: s.attributionLookbackDays ?? defaultAttributionSettings.lookbackDays,
    halfLifeDays: s.attributionHalfLifeDays ?? defaultAttributionSettings.halfLifeDays,
    marketingChannels: s.marketingChannels ?? defaultAttributionSettings.marketingChannels,
  };
}

export async function attributionSettings(deps: AppDeps, workspaceId: string): Promise<Result<AttributionSettings>> {
  const ws = await getWorkspace(deps.db, workspaceId);
  return ws ? ok(attributionSettingsOf(ws.settings)) : fail('NotFound', `Workspace ${workspaceId} not found.`);
}

export async function changeAttributionSettings(deps: AppDeps, workspaceId: string, patch: Partial<AttributionSettings>): Promise<Result<AttributionSettings>> {
  const set: Record<string, unknown> = {};
  if (patch.target !== undefined) set.marketingContributionTarget = patch.target;
  if (patch.lookbackDays !== undefined) set.attributionLookbackDays = patch.lookbackDays;
  if (patch.halfLifeDays !== undefined) set.attributionHalfLifeDays = patch.halfLifeDays;
  if (patch.marketingChannels !== undefined) set.marketingChannels = [...new Set(patch.marketingChannels.map((c) => c.trim().toLowerCase()).filter(Boolean))];
  if (Object.keys(set).length) {
    const before = await attributionSettings(deps, workspaceId);
    await withAudit(deps, (trx) => mergeWorkspaceSettings(trx, workspaceId, set), () => ({
      workspaceId, action: 'attribution_settings.changed', object: { type: 'attribution_settings', id: null }, at: deps.clock.now(),
      before: before.ok ? before.value : null, after: set,
    }));
  }
  return attributionSettings(deps, workspaceId);
}
