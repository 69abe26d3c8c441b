import { z } from 'zod';
import { stages } from '../../core/lifecycle.ts';

/** `POST /api/v1/leads/bulk`: one action on up to 500 leads, checked and recorded per lead, audited once. */
export const BULK_LIMIT = 500;

export const bulkLeadInput = z.strictObject({
  action: z.enum(['assign', 'transition', 'enroll']).describe('assign: a new owner (managers of the lead\'s team, admins); transition: a stage move (who may is decided per lead); enroll: add to a nurture track.'),
  lead_ids: z.array(z.uuid()).min(1).max(BULK_LIMIT).refine((ids) => new Set(ids).size === ids.length, { message: 'each lead once' })
    .describe(`The leads (1 to ${BULK_LIMIT}, each once).`),
  owner_id: z.uuid().optional().describe('assign: the new owner (a sales user or sales manager).'),
  to: z.enum(stages).optional().describe('transition: the stage to move to.'),
  reason_code: z.string().min(1).max(100).nullable().optional().describe('transition: the reason (required for nurture, disqualified, lost).'),
  track_id: z.uuid().optional().describe('enroll: the nurture track.'),
  note: z.string().trim().max(2000).nullable().optional().describe('Recorded in each lead\'s history.'),
});

export const bulkLeadResultDto = z.object({
  lead_id: z.string(), ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional().describe('Why this lead was not changed (the others were).'),
});

export const bulkLeadOutcomeDto = z.object({
  action: z.string(), total: z.number(), succeeded: z.number(), failed: z.number(),
  audit_id: z.string().describe('The audit row recording this bulk action (who, what, how many, which leads).'),
  results: z.array(bulkLeadResultDto),
}).meta({ id: 'BulkLeadOutcome' });

export type BulkLeadInput = z.infer<typeof bulkLeadInput>;
export type BulkLeadOutcomeDto = z.infer<typeof bulkLeadOutcomeDto>;
