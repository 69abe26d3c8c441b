import { z } from 'zod';
import { stages } from '../lifecycle.ts';
import { ratings } from '../definitions/definition-schema.ts';

/**
 * The shape of a nurture track as marketing configures it. Steps are addressed by their index:
 * a branch says "goto step N". Persisted with schema_version 1.
 * @example steps: [{ type: 'send_email', subject: '{{asset_title}}', template: '...', content: { by: 'inferred_stage' } },
 *                  { type: 'wait', business_days: 3 }, { type: 'branch', if: 'clicked', then: 0, else: 3 }]
 */
export const sendEmailStep = z.strictObject({
  type: z.literal('send_email'),
  subject: z.string().trim().min(1).max(300),
  template: z.string().min(1).max(20_000).describe('Text with {{first_name}}, {{asset_title}}, {{asset_link}}, {{unsubscribe_link}}, {{preferences_link}}.'),
  content: z.union([
    z.strictObject({ by: z.literal('inferred_stage') }),
    z.strictObject({ asset_id: z.uuid() }),
  ]).default({ by: 'inferred_stage' }),
});
export const waitStep = z.strictObject({ type: z.literal('wait'), business_days: z.number().min(0).max(365) });
export const branchStep = z.strictObject({
  type: z.literal('branch'),
  if: z.enum(['clicked', 'opened']).describe('Engagement with the email sent by the last send step of this enrollment.'),
  then: z.number().int().min(0),
  else: z.number().int().min(0),
});
export const trackStep = z.discriminatedUnion('type', [sendEmailStep, waitStep, branchStep]);

export const entryRules = z.strictObject({
  ratings: z.array(z.enum(ratings)).max(3).optional().describe('Lead rating in this list (an unrated lead counts as cold).'),
  recycled_reasons: z.array(z.string().max(100)).max(50).optional().describe('Only recycled leads whose last reason is listed.'),
  personas: z.array(z.string().max(100)).max(50).optional().describe("contact.attributes.persona in this list."),
  stages: z.array(z.enum(stages)).max(9).optional().describe('Lead stage in this list (default: inquiry, nurture).'),
  sources: z.array(z.string().trim().min(1).max(200)).min(1).max(50).optional().describe("The lead's source (its first touch, e.g. google, linkedin) in this list; case-insensitive."),
  content_consumed: z.strictObject({
    formats: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional(),
    buying_stages: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional(),
    asset_ids: z.array(z.uuid()).min(1).max(200).optional(),
  }).optional().describe('The person viewed, downloaded or clicked at least one asset with every listed property (format, buying stage, asset).'),
  consent: z.array(z.enum(['email_marketing'])).min(1).optional().describe('Purposes the person must allow (today: email_marketing).'),
});

export const exitRules = z.strictObject({
  stages: z.array(z.enum(stages)).max(9).default(['mql']).describe('Reaching one of these stages ends the enrollment; other sales stages pause it.'),
});

export const cadenceRules = z.strictObject({
  min_hours_between_emails: z.number().min(0).max(24 * 90).default(0),
});

export const trackDefinition = z.strictObject({
  entry: entryRules.default({}),
  steps: z.array(trackStep).min(1).max(100),
  cadence: cadenceRules.default({ min_hours_between_emails: 0 }),
  exit: exitRules.default({ stages: ['mql'] }),
}).superRefine((t, ctx) => {
  t.steps.forEach((s, i) => {
    if (s.type !== 'branch') return;
    for (const key of ['then', 'else'] as const) {
      if (s[key] > t.steps.length) ctx.addIssue({ code: 'custom', path: ['steps', i, key], message: `step ${s[key]} does not exist (the track has ${t.steps.length} steps; ${t.steps.length} means finish)` });
    }
  });
});

export type TrackStep = z.infer<typeof trackStep>;
export type SendEmailStep = z.infer<typeof sendEmailStep>;
export type EntryRules = z.infer<typeof entryRules>;
export type ExitRules = z.infer<typeof exitRules>;
export type CadenceRules = z.infer<typeof cadenceRules>;
export type TrackDefinition = z.infer<typeof trackDefinition>;

/** Global settings (workspace.settings.nurture): the frequency cap holds across all tracks. */
export const nurtureSettings = z.object({
  frequency_cap: z.object({ max_emails: z.number().int().min(1).max(100), days: z.number().min(1).max(365) }).default({ max_emails: 2, days: 7 }),
});
export type NurtureSettings = z.infer<typeof nurtureSettings>;

export const defaultBuyingStages = ['awareness', 'interest', 'consideration', 'evaluation', 'post-purchase'] as const;
