import { z } from 'zod';
import { cadenceRules, entryRules, exitRules, trackStep } from '../../core/nurture/nurture-track.schema.ts';
import type { NurtureEnrollment, NurtureTrack } from '../../storage/nurture.repo.ts';
import { iso } from './common.contract.ts';

export const trackInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  priority: z.number().int().min(-1000).max(1000).optional().describe('Higher wins when several tracks fit a person.'),
  active: z.boolean().optional(),
  entry: entryRules.optional(),
  steps: z.array(trackStep).min(1).max(100),
  cadence: cadenceRules.optional(),
  exit: exitRules.optional(),
});
export const trackPatch = trackInput.partial().strict();

export const trackDto = z.object({
  id: z.string(), name: z.string(), priority: z.number(), active: z.boolean(), entry: z.record(z.string(), z.unknown()),
  steps: z.array(z.record(z.string(), z.unknown())), cadence: z.record(z.string(), z.unknown()), exit: z.record(z.string(), z.unknown()),
  created_at: z.string(), updated_at: z.string(),
}).meta({ id: 'NurtureTrack' });

export const toTrackDto = (t: NurtureTrack): z.infer<typeof trackDto> => ({
  id: t.id, name: t.name, priority: t.priority, active: t.active, entry: t.entry as Record<string, unknown>,
  steps: t.steps as unknown as Record<string, unknown>[], cadence: t.cadence as Record<string, unknown>, exit: t.exit as Record<string, unknown>,
  created_at: t.createdAt.toISOString(), updated_at: t.updatedAt.toISOString(),
});

export const enrollmentDto = z.object({
  id: z.string(), track_id: z.string(), lead_id: z.string(), contact_id: z.string(), current_step: z.number(),
  status: z.enum(['active', 'paused', 'exited', 'finished']), next_run_at: z.string().nullable(), entered_at: z.string(),
  paused_at: z.string().nullable(), exited_at: z.string().nullable(), exit_reason: z.string().nullable(),
  origin: z.string().nullable().describe('Why it entered: live_inquiry, recycle, sweep, manual, consent (marketing email consent became granted: a form, Segment, the API, the confirmation link or the preference centre; null: before origins were recorded).'),
}).meta({ id: 'NurtureEnrollment' });

export const toEnrollmentDto = (e: NurtureEnrollment): z.infer<typeof enrollmentDto> => ({
  id: e.id, track_id: e.trackId, lead_id: e.leadId, contact_id: e.contactId, current_step: e.currentStep, status: e.status,
  next_run_at: iso(e.nextRunAt), entered_at: e.enteredAt.toISOString(), paused_at: iso(e.pausedAt), exited_at: iso(e.exitedAt), exit_reason: e.exitReason,
  origin: e.origin,
});
