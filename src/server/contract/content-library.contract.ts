import { z } from 'zod';
import type { ContentRating, RatingSummary } from '../../storage/content-library.repo.ts';
import type { ContentPlan } from '../../storage/content-plan.repo.ts';
import { contentInput } from './catalog.contract.ts';
import { isoDate } from './common.contract.ts';

export const contentPatch = contentInput.partial().strict();

const ratingFields = {
  rating: z.number().int().min(1).max(5).optional().describe('1–5 stars; or give thumbs.'),
  thumbs: z.enum(['up', 'down']).optional().describe('Thumbs up (= 5) or down (= 1); or give rating.'),
  comment: z.string().max(5000).nullable().optional().describe('Plain text; control characters are removed and it is cut at 2,000 characters.'),
};
export const salesRatingInput = z.strictObject(ratingFields);

/** What the tracking snippet posts. Unknown fields are ignored (snippets evolve); `website` is a honeypot. */
export const prospectRatingInput = z.object({
  asset_id: z.uuid().optional(), url: z.url().max(2000).optional(), ...ratingFields,
  anonymous_id: z.string().max(200).optional(), email: z.string().max(254).optional(),
  website: z.string().max(2000).optional().describe('Leave empty: a field hidden from people, filled only by bots.'),
});

const summaryPart = z.object({ count: z.number(), average: z.number().nullable() });
export const ratingSummaryDto = z.object({ count: z.number(), average: z.number().nullable(), by_source: z.object({ prospect: summaryPart, sales: summaryPart }) });
export const ratingDto = z.object({
  id: z.string(), asset_id: z.string(), rating: z.number(), scale: z.enum(['stars', 'thumbs']), comment: z.string().nullable(),
  source: z.enum(['prospect', 'sales']), contact_id: z.string().nullable(), user_id: z.string().nullable(), at: z.string(),
}).meta({ id: 'ContentRating' });

export const toRatingDto = (r: ContentRating): z.infer<typeof ratingDto> => ({
  id: r.id, asset_id: r.assetId, rating: r.rating, scale: r.scale, comment: r.comment, source: r.source, contact_id: r.contactId, user_id: r.userId, at: r.at.toISOString(),
});
export const toSummaryDto = (s: RatingSummary): z.infer<typeof ratingSummaryDto> => ({ count: s.count, average: s.average, by_source: s.bySource });

const planStatus = z.enum(['idea', 'planned', 'in_progress', 'published', 'cancelled']);
const text = (max: number) => z.string().trim().max(max).nullable().optional();
export const planInput = z.strictObject({
  title: z.string().trim().min(1).max(300), planned_on: isoDate, owner_id: z.uuid().nullable().optional(),
  target_stage: text(100), target_persona: text(100), target_topic: text(100), status: planStatus.default('planned'), notes: text(5000),
});
export const planPatch = planInput.partial().extend({ status: planStatus.optional() }).strict();
export const planQuery = z.strictObject({ from: isoDate.optional(), to: isoDate.optional(), status: planStatus.optional() });

export const planDto = z.object({
  id: z.string(), title: z.string(), planned_on: z.string(), owner_id: z.string().nullable(), owner_email: z.string().nullable(),
  target_stage: z.string().nullable(), target_persona: z.string().nullable(), target_topic: z.string().nullable(), status: planStatus,
  notes: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
}).meta({ id: 'ContentPlan' });

export const toPlanDto = (p: ContentPlan): z.infer<typeof planDto> => ({
  id: p.id, title: p.title, planned_on: p.plannedOn, owner_id: p.ownerId, owner_email: p.ownerEmail, target_stage: p.targetStage, target_persona: p.targetPersona,
  target_topic: p.targetTopic, status: p.status, notes: p.notes, created_at: p.createdAt.toISOString(), updated_at: p.updatedAt.toISOString(),
});
