import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { planDto, ratingDto, ratingSummaryDto } from '../../../../src/server/contract/content-library.contract.ts';
import { get, qs } from '../../api/client.ts';
import { fetchAll, keys } from '../../api/queries.ts';
import type { ContentAsset } from '../../api/types.ts';

export type ContentRating = z.infer<typeof ratingDto>;
export type RatingSummary = z.infer<typeof ratingSummaryDto>;
export type ContentPlan = z.infer<typeof planDto>;
export type PlanStatus = ContentPlan['status'];

/** GET /content/:id/stats answers a loose record in the contract; this is its shape (content-library.routes.ts). */
export type AssetStats = {
  asset_id: string; consumptions: number; consumers: number;
  by_lifecycle_stage: Record<string, number>; by_persona: Record<string, number>;
  influence: { window_days: number; progressed: number; share: number | null };
  ratings: RatingSummary;
  influenced_pipeline: { label: string; opportunities: number; amount: number; won_amount: number };
};

export type GapBy = 'persona' | 'topic';
export type GapStatus = 'missing' | 'weak' | 'ok';
export type GapCell = { stage: string; key: string; assets: number; average_rating: number | null; consumers: number; status: GapStatus };
export type GapMap = { by: GapBy; stages: string[]; keys: string[]; cells: GapCell[] };

export const planStatuses: PlanStatus[] = ['idea', 'planned', 'in_progress', 'published', 'cancelled'];

export const contentKeys = {
  library: ['content-library'] as const,
  ratings: (id: string) => ['content', id, 'ratings'] as const,
  stats: (id: string, days: number) => ['content', id, 'stats', days] as const,
  gapMap: (by: GapBy) => ['content-gap-map', by] as const,
  calendar: (status: string) => ['content-calendar', status] as const,
  calendarAll: ['content-calendar'] as const,
};

/** The library with each asset's ratings and usage, counted server-side for the whole page at once. */
export const useLibrary = () => useQuery({
  queryKey: contentKeys.library, staleTime: 60_000,
  queryFn: () => fetchAll<ContentAsset>('/api/v1/content', { include: 'usage' }, 5000),
});

export const useRatings = (id: string) => useQuery({
  queryKey: contentKeys.ratings(id),
  queryFn: () => get<{ summary: RatingSummary; data: ContentRating[] }>(`/api/v1/content/${id}/ratings${qs({ limit: 200 })}`),
});

export const useAssetStats = (id: string, days: number) => useQuery({
  queryKey: contentKeys.stats(id, days), staleTime: 60_000,
  queryFn: () => get<AssetStats>(`/api/v1/content/${id}/stats${qs({ days })}`),
});

/** The API keys a cell by the dimension's name (`persona` or `topic`); the screen reads it as `key`. */
export const useGapMap = (by: GapBy) => useQuery({
  queryKey: contentKeys.gapMap(by), staleTime: 60_000,
  queryFn: async (): Promise<GapMap> => {
    const raw = await get<{ by: GapBy; stages: string[]; keys: string[]; cells: (Omit<GapCell, 'key'> & Record<string, unknown>)[] }>(`/api/v1/content/gap-map${qs({ by })}`);
    return { by: raw.by, stages: raw.stages, keys: raw.keys, cells: raw.cells.map((c) => ({ stage: c.stage, key: String(c[by]), assets: c.assets, average_rating: c.average_rating, consumers: c.consumers, status: c.status })) };
  },
});

export const useCalendar = (status: string) => useQuery({
  queryKey: contentKeys.calendar(status),
  queryFn: () => fetchAll<ContentPlan>('/api/v1/content-calendar', { status: status || undefined }, 5000),
});

export { keys };
