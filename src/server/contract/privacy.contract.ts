import { z } from 'zod';
import { MAX_RETENTION_DAYS, retentionKeys, type RetentionPolicy } from '../../core/privacy/retention.rules.ts';

export const erasureInput = z.strictObject({
  contact_id: z.uuid({ message: 'must be a contact id (UUID)' }).optional().describe('The contact to erase (with everyone merged into it).'),
  email: z.email({ message: 'must be an email address' }).max(320).optional().describe('Or: the email of the person to erase.'),
  reason: z.string().max(500).optional().describe('Why (e.g. the request reference); kept in the audit receipt. No personal data.'),
}).meta({ id: 'ErasureRequest' });

export const erasureReceiptDto = z.object({
  contact_id: z.string().nullable().describe('Null when asked by the email of a person erased before.'),
  status: z.enum(['erased', 'already_erased']),
  erased_at: z.string().nullable(),
  counts: z.record(z.string(), z.number()).describe('Rows deleted or anonymised per table.column the registry reaches them by.'),
  suppressed: z.number().describe('Hashed identifiers (email, anonymous ids, user ids) now suppressed.'),
}).meta({ id: 'ErasureReceipt' });
export type ErasureReceiptDto = z.infer<typeof erasureReceiptDto>;

export const exportParams = z.strictObject({ contact: z.uuid({ message: 'must be a contact id (UUID)' }) });
export const exportQuery = z.strictObject({
  format: z.enum(['json', 'csv']).default('json').describe('json: one document; csv: a ZIP of one CSV file per table.'),
});
export const personExportDto = z.object({
  format: z.literal('leadloop.person-export.v1'),
  workspace_id: z.string(), contact_id: z.string(), exported_at: z.string(),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
}).meta({ id: 'PersonExport' });
export type PersonExportDto = z.infer<typeof personExportDto>;

const days = z.number().int('must be a whole number of days').min(1, 'at least 1 day').max(MAX_RETENTION_DAYS, `at most ${MAX_RETENTION_DAYS} days`).nullable();
export const retentionDto = z.object(Object.fromEntries(retentionKeys.map((k) => [k, days])) as Record<(typeof retentionKeys)[number], typeof days>).meta({ id: 'RetentionPolicy' });
export const retentionPatch = z.strictObject(Object.fromEntries(retentionKeys.map((k) => [k, days.optional()])) as Record<(typeof retentionKeys)[number], z.ZodOptional<typeof days>>);
export type RetentionDto = RetentionPolicy;

export const retentionRunDto = z.object({
  anonymous_activities: z.number(), anonymous_contacts: z.number(), dead_letters: z.number(), webhook_deliveries: z.number(),
  sync_logs: z.number(), import_errors: z.number(), consent_requests: z.number(), unsubscribed_erased: z.number(),
});

export const consentEventDto = z.object({
  id: z.string(), purpose: z.string(), status: z.string(), source: z.string(), basis: z.string(), at: z.string(), recorded_at: z.string(),
}).meta({ id: 'ConsentEvent' });
export type ConsentEventDto = z.infer<typeof consentEventDto>;

export const consentSettingsDto = z.object({
  double_opt_in: z.boolean().describe('A grant of marketing email from a form, identify, CSV or REST is pending until the person confirms by email'),
  confirm_within_days: z.number().int().describe('How long a confirmation link works; an unconfirmed request then expires (the person stays unsubscribed)'),
}).meta({ id: 'ConsentSettings' });
export const consentSettingsPatch = z.strictObject({
  double_opt_in: z.boolean().optional(),
  confirm_within_days: z.number().int('must be a whole number of days').min(1, 'at least 1 day').max(30, 'at most 30 days').optional(),
});
