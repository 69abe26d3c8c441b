import { z } from 'zod';
import type { SavedView } from '../../app/saved-views.ts';
import { listEntities } from '../../core/lists.rules.ts';

export const savedViewDto = z.object({
  id: z.string(), entity: z.enum(listEntities), name: z.string(), team: z.string().nullable().describe('Shared with this team; null: everyone.'),
  query: z.string().describe('The list filters as a URL query string, e.g. stage=mql&owner=none.'), created_by: z.string(), created_at: z.string(),
});
export const toSavedViewDto = (v: SavedView): z.infer<typeof savedViewDto> => ({
  id: v.id, entity: v.entity as z.infer<typeof savedViewDto>['entity'], name: v.name, team: v.team, query: v.query, created_by: v.createdBy, created_at: v.createdAt.toISOString(),
});
