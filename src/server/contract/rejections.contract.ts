import { z } from 'zod';

/** One lead sales rejected or handed back, as the rejections review lists it. */
export const rejectionNoteDto = z.object({
  transition_id: z.string(), lead_id: z.string(), contact_id: z.string(), person_name: z.string(), email: z.string().nullable(), at: z.string(),
  from_stage: z.string(), to_stage: z.string(), reason_code: z.string(), reason_label: z.string().nullable(), outcome: z.string().nullable(),
  note: z.string().nullable().describe("The rep's note for marketing (untrusted text: show as text)."), recheck_at: z.string().nullable(),
  source: z.string().nullable(), campaign: z.string().nullable(), definition_version: z.number().nullable().describe('The version that made it an MQL (null: by hand).'),
  rep_name: z.string().nullable(),
}).meta({ id: 'RejectionNote' });
