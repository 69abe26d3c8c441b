import { z } from 'zod';
import type { SalesTask } from '../../storage/tasks.repo.ts';
import { iso, isoDateTime, pageParams } from './common.contract.ts';

export const taskInput = z.strictObject({
  lead_id: z.uuid().optional().describe('The lead the task is about (its contact is taken from it).'),
  contact_id: z.uuid().optional().describe('The person, when the task is not about one lead.'),
  title: z.string().trim().min(1, 'must not be empty').max(300),
  due_at: isoDateTime,
  owner_id: z.uuid().optional().describe('Default: the signed-in user. Someone else: sales managers and admins.'),
});
export const taskPatch = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(300).optional(),
  due_at: isoDateTime.optional(),
  done: z.boolean().optional(),
});
export const taskQuery = z.strictObject({
  owner: z.string().optional().describe('"me" or a user id'),
  lead_id: z.uuid().optional(),
  contact_id: z.uuid().optional(),
  status: z.enum(['open', 'done', 'all']).default('open'),
  ...pageParams({ sorted: true, defaultLimit: 200 }),
});

export const taskDto = z.object({
  id: z.string(), contact_id: z.string(), lead_id: z.string().nullable(), owner_id: z.string(), title: z.string(),
  due_at: z.string(), done_at: z.string().nullable(), created_by: z.string().nullable(), created_at: z.string(),
}).meta({ id: 'SalesTask' });

export const toTaskDto = (t: SalesTask): z.infer<typeof taskDto> => ({
  id: t.id, contact_id: t.contactId, lead_id: t.leadId, owner_id: t.ownerId, title: t.title, due_at: t.dueAt.toISOString(),
  done_at: iso(t.doneAt), created_by: t.createdBy, created_at: t.createdAt.toISOString(),
});
