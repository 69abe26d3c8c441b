import { z } from 'zod';
import { isoDate, moneyAmount } from './common.contract.ts';

export const campaignPatch = z.strictObject({
  name: z.string().trim().min(1).max(300).optional(), channel: z.string().trim().min(1).max(100).optional(),
  utm_source: z.string().max(200).nullable().optional(), utm_medium: z.string().max(200).nullable().optional(), utm_campaign: z.string().max(200).nullable().optional(),
  starts_on: isoDate.nullable().optional(), ends_on: isoDate.nullable().optional(), budget: moneyAmount().nullable().optional(),
  costs: z.array(z.strictObject({
    period_start: isoDate.describe('The first day of the period (the screen uses months).'),
    amount: moneyAmount().nullable().describe('null removes this period\'s cost.'),
    currency: z.string().trim().length(3, 'must be a 3-letter currency code such as USD').default('USD'),
  })).max(1000).optional().describe('Costs per period to set or (amount null) remove; periods not listed stay as they are.'),
});

export const memberStatuses = ['member', 'invited', 'registered', 'attended', 'responded'] as const;
export const membersInput = z.strictObject({
  members: z.array(z.strictObject({ contact_id: z.uuid({ message: 'must be a contact id (UUID)' }), status: z.enum(memberStatuses).default('member') })).min(1).max(5000),
});
export const memberDto = z.object({ contact_id: z.string(), name: z.string(), email: z.string().nullable(), status: z.string(), added_at: z.string() }).meta({ id: 'CampaignMember' });

export const performanceDto = z.object({
  members: z.number(), leads: z.number().describe('Leads from the campaign (lead.campaign is its name or utm_campaign) or of its members.'),
  mqls: z.number(), opportunities: z.number(), won_deals: z.number(), won_revenue: z.number(), pipeline: z.number().describe('Open opportunities\' amount.'),
  cost: z.number(), cost_currencies: z.array(z.string()),
  roi: z.number().nullable().describe('(won revenue − cost) / cost'), roas: z.number().nullable().describe('won revenue / cost'),
  cost_per_lead: z.number().nullable(), cost_per_opportunity: z.number().nullable(), cost_per_won_deal: z.number().nullable(),
}).meta({ id: 'CampaignPerformance' });
