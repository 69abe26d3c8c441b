import { z } from 'zod';
import { decodeChangeCursor, type ChangePosition } from '../../core/change-cursor.ts';
import { pageOf } from './common.contract.ts';

/**
 * Query parameters that turn a list into a change feed (n8n/Zapier-style polling without webhooks):
 * `updated_since` starts it, `cursor` (a `chg1.…` cursor from `next_cursor`) continues it. Rows come
 * oldest change first; `next_cursor` is always given in this mode, `has_more` says whether to ask again now.
 */
export const pollQuery = {
  updated_since: z.iso.datetime({ offset: true }).optional()
    .describe('Poll by change: records created or changed at or after this time (ISO 8601), oldest change first. Keep next_cursor to continue.'),
  cursor: z.string().max(100).optional()
    .refine((v) => v === undefined || z.uuid().safeParse(v).success || decodeChangeCursor(v) !== null, { message: 'must be the next_cursor of a previous page' })
    .describe('next_cursor from the previous page (a change cursor, chg1.…, continues a change feed).'),
};

export type PollQuery = { updated_since?: string; cursor?: string; limit: number };

/** The page request for a list route: newest-first pages, or a change feed. */
export function pageRequestOf(q: PollQuery): { limit: number; cursor?: string; changes?: { updatedSince: Date | null; after: ChangePosition | null } } {
  const after = q.cursor ? decodeChangeCursor(q.cursor) : null;
  if (after || q.updated_since) return { limit: q.limit, changes: { updatedSince: q.updated_since ? new Date(q.updated_since) : null, after } };
  return { limit: q.limit, cursor: q.cursor };
}

export const pollPageOf = <T extends z.ZodType>(item: T) => pageOf(item).extend({
  has_more: z.boolean().optional().describe('Change feeds: more changes are ready now; otherwise poll again later with next_cursor.'),
});

export const pageAnswer = <T, D>(page: { data: T[]; nextCursor: string | null; hasMore?: boolean }, map: (x: T) => D) => ({
  data: page.data.map(map), next_cursor: page.nextCursor, ...(page.hasMore !== undefined ? { has_more: page.hasMore } : {}),
});
