import { z } from 'zod';
import type { LeadLinkEvent } from '../../storage/lead-opportunity.repo.ts';

const note = z.string().trim().min(1).max(500).nullable().optional();

export const leadLinkInput = z.strictObject({
  lead_id: z.uuid().describe('The lead to link: it walks the lifecycle to opportunity (each step recorded); a $0 placeholder deal opened for it gives way.'),
  note: note.describe('Why; recorded on the walked transitions and the link log (default: linked to deal "<name>").'),
  lost_reason_code: z.string().min(1).max(100).nullable().optional().describe('Only when the deal is already lost: the lead closes lost with this reason.'),
});

export const leadUnlinkInput = z.strictObject({ note: note.describe('Why the lead no longer rides on this deal (kept in the link log).') }).nullish();

export const leadUnlinkParams = z.strictObject({ id: z.uuid(), leadId: z.uuid() });

export const leadLinkEventDto = z.object({
  id: z.string(), opportunity_id: z.string(), lead_id: z.string(), action: z.enum(['linked', 'unlinked']), note: z.string().nullable(), at: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
}).meta({ id: 'OpportunityLeadLinkEvent' });

export const toLeadLinkEventDto = (e: LeadLinkEvent): z.infer<typeof leadLinkEventDto> => ({
  id: e.id, opportunity_id: e.opportunityId, lead_id: e.leadId, action: e.action, note: e.note, at: e.at.toISOString(), actor: e.actor,
});
