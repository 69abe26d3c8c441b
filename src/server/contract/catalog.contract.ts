import { z } from 'zod';
import type { Campaign, CampaignCost } from '../../storage/campaigns.repo.ts';
import type { ContentAsset } from '../../storage/content.repo.ts';
import type { OpportunityDetail, Opportunity } from '../../storage/opportunities.repo.ts';
import { attributesSchema, indexedUrl, isoDate, moneyAmount } from './common.contract.ts';

const costInput = z.strictObject({ period_start: isoDate, amount: moneyAmount(), currency: z.string().length(3).default('USD') });

export const campaignInput = z.strictObject({
  name: z.string().trim().min(1).max(300), channel: z.string().trim().min(1).max(100),
  utm_source: z.string().max(200).nullable().optional(), utm_medium: z.string().max(200).nullable().optional(),
  utm_campaign: z.string().max(200).nullable().optional(), starts_on: isoDate.nullable().optional(), ends_on: isoDate.nullable().optional(),
  budget: moneyAmount().nullable().optional(), attributes: attributesSchema.optional(), costs: z.array(costInput).max(1000).optional(),
});

const costDto = z.object({ period_start: z.string(), amount: z.number(), currency: z.string() });
export const campaignDto = z.object({
  id: z.string(), name: z.string(), channel: z.string(), utm_source: z.string().nullable(), utm_medium: z.string().nullable(),
  utm_campaign: z.string().nullable(), starts_on: z.string().nullable(), ends_on: z.string().nullable(), budget: z.number().nullable(),
  attributes: z.record(z.string(), z.unknown()), created_at: z.string(), costs: z.array(costDto).optional(),
}).meta({ id: 'Campaign' });

export const toCampaignDto = (c: Campaign & { costs?: CampaignCost[] }): z.infer<typeof campaignDto> => ({
  id: c.id, name: c.name, channel: c.channel, utm_source: c.utmSource, utm_medium: c.utmMedium, utm_campaign: c.utmCampaign,
  starts_on: c.startsOn, ends_on: c.endsOn, budget: c.budget, attributes: c.attributes, created_at: c.createdAt.toISOString(),
  ...(c.costs ? { costs: c.costs.map((x) => ({ period_start: x.periodStart, amount: x.amount, currency: x.currency })) } : {}),
});

export const contentInput = z.strictObject({
  title: z.string().trim().min(1).max(500), url: indexedUrl().nullable().optional(), urls: z.array(indexedUrl()).max(20).optional(),
  format: z.string().max(50).optional(), buying_stage: z.string().max(100).nullable().optional(),
  personas: z.array(z.string().max(100)).max(20).optional(), topics: z.array(z.string().max(100)).max(50).optional(),
  owner_id: z.uuid().nullable().optional(), published_on: isoDate.nullable().optional(), expires_on: isoDate.nullable().optional(),
  gated: z.boolean().optional(), attributes: attributesSchema.optional(),
});

export const contentDto = z.object({
  id: z.string(), title: z.string(), url: z.string().nullable(), urls: z.array(z.string()), format: z.string(),
  buying_stage: z.string().nullable(), personas: z.array(z.string()), topics: z.array(z.string()), owner_id: z.string().nullable(),
  published_on: z.string().nullable(), expires_on: z.string().nullable(), gated: z.boolean(), attributes: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  usage: z.object({
    rating_count: z.number(), rating_average: z.number().nullable(), consumptions: z.number(), consumers: z.number(), last_consumed_at: z.string().nullable(),
  }).optional().describe('With include=usage on the list: ratings (prospects and sales) and consumption (views, downloads, email clicks).'),
}).meta({ id: 'ContentAsset' });

export const toContentDto = (c: ContentAsset): z.infer<typeof contentDto> => ({
  id: c.id, title: c.title, url: c.url, urls: c.urls, format: c.format, buying_stage: c.buyingStage, personas: c.personas,
  topics: c.topics, owner_id: c.ownerId, published_on: c.publishedOn, expires_on: c.expiresOn, gated: c.gated,
  attributes: c.attributes, created_at: c.createdAt.toISOString(),
});

const contactRole = z.strictObject({ contact_id: z.uuid(), role: z.string().max(100).default('influencer'), is_primary: z.boolean().default(false) });
const oppStatus = z.enum(['open', 'won', 'lost']);
export const opportunityInput = z.strictObject({
  name: z.string().trim().min(1).max(300), account_id: z.uuid().nullable().optional(), amount: moneyAmount().default(0),
  currency: z.string().length(3).default('USD'), stage: z.string().trim().min(1).max(100), status: oppStatus.default('open'),
  close_date: isoDate.nullable().optional(), owner_id: z.uuid().nullable().optional(), external_id: z.string().max(200).nullable().optional(),
  attributes: attributesSchema.optional(), contact_roles: z.array(contactRole).max(200).default([]),
  lead_ids: z.array(z.uuid()).max(200).default([]).describe('Leads riding on this deal: each walks the lifecycle to opportunity (or follows a deal created won/lost).'),
  lost_reason_code: z.string().min(1).max(100).nullable().optional().describe('With status=lost: the reason (outcome lost) the linked leads close with.'),
});
export const opportunityPatch = opportunityInput.omit({ external_id: true }).partial().extend({
  amount: moneyAmount().optional(), currency: z.string().length(3).optional(), status: oppStatus.optional(),
  contact_roles: z.array(contactRole).max(200).optional(),
  lead_ids: z.array(z.uuid()).max(200).optional().describe('Leads to link (added; each walks to opportunity). Unlinking is explicit: POST /api/v1/opportunities/{id}/leads/{lead_id}/unlink.'),
  lost_reason_code: z.string().min(1).max(100).nullable().optional().describe('With status=lost: the reason (outcome lost) recorded on every linked open lead.'),
}).strict();

export const opportunityDto = z.object({
  id: z.string(), name: z.string(), account_id: z.string().nullable(), amount: z.number(), currency: z.string(), stage: z.string(),
  status: z.string(), close_date: z.string().nullable(), owner_id: z.string().nullable(), external_id: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()), created_at: z.string(), closed_at: z.string().nullable(),
  contact_roles: z.array(z.object({ contact_id: z.string(), role: z.string(), is_primary: z.boolean() })).optional(),
  lead_ids: z.array(z.string()).optional(),
}).meta({ id: 'Opportunity' });

export const toOpportunityDto = (o: Opportunity | OpportunityDetail): z.infer<typeof opportunityDto> => ({
  id: o.id, name: o.name, account_id: o.accountId, amount: o.amount, currency: o.currency, stage: o.stage, status: o.status,
  close_date: o.closeDate, owner_id: o.ownerId, external_id: o.externalId, attributes: o.attributes, created_at: o.createdAt.toISOString(),
  closed_at: o.closedAt ? o.closedAt.toISOString() : null,
  ...('contactRoles' in o ? { contact_roles: o.contactRoles.map((r) => ({ contact_id: r.contactId, role: r.role, is_primary: r.isPrimary })), lead_ids: o.leadIds } : {}),
});
