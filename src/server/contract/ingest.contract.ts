import { z } from 'zod';
import type { DeadLetter } from '../../storage/dead-letters.repo.ts';

const issue = z.object({ path: z.string(), message: z.string() });

export const ingestResponse = z.object({
  success: z.boolean().describe('Segment compatibility: true when the request was processed (even with per-message errors).'),
  accepted: z.number().int().describe('Valid messages (stored now or recognized as already stored).'),
  stored: z.number().int(),
  duplicates: z.number().int().describe('Messages whose messageId was already stored (retries): stored once.'),
  errors: z.array(z.object({ index: z.number().int(), message_id: z.string().nullable(), reason: z.string(), message: z.string(), details: z.array(issue) })),
}).meta({ id: 'IngestResponse' });

export const deadLetterDto = z.object({
  id: z.string(), received_at: z.string(), channel: z.string(), stage: z.string().describe('Pipeline step that refused the event.'),
  reason: z.string(), message_id: z.string().nullable(), message_type: z.string().nullable(), details: z.array(issue), payload: z.unknown(),
}).meta({ id: 'DeadLetter' });

export const toDeadLetterDto = (d: DeadLetter): z.infer<typeof deadLetterDto> => ({
  id: d.id, received_at: d.receivedAt.toISOString(), channel: d.channel, stage: d.stage, reason: d.reason, message_id: d.messageId,
  message_type: d.messageType, details: d.details, payload: d.payload,
});

export const ingestStatsDto = z.object({
  received: z.number(), stored: z.number(), duplicates: z.number(), dead_lettered: z.number(), identity_only: z.number(),
  dropped: z.record(z.string(), z.number()),
}).meta({ id: 'IngestStats' });
