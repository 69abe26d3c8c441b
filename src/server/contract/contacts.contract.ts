import { z } from 'zod';
import type { Account } from '../../storage/accounts.repo.ts';
import type { Activity } from '../../storage/activities.repo.ts';
import type { ContactContentRating } from '../../storage/contact-content-ratings.repo.ts';
import type { ContactIdentity, ContactMergeEntry, IdentityConflictEntry } from '../../storage/contact-identity.repo.ts';
import type { Contact } from '../../storage/contacts.repo.ts';
import { attributesSchema, countNumber, iso, moneyAmount } from './common.contract.ts';

const text = (max = 300) => z.string().trim().max(max);
const nullableText = (max = 300) => text(max).nullable().optional();

export const contactInput = z.strictObject({
  email: z.string().max(254).nullable().optional(),
  first_name: nullableText(), last_name: nullableText(), title: nullableText(), seniority: nullableText(100),
  department: nullableText(100), phone: nullableText(50), country: nullableText(100),
  account_id: z.uuid().nullable().optional(), owner_id: z.uuid().nullable().optional(),
  attributes: attributesSchema.optional(),
  consent: z.record(z.string(), z.unknown()).optional()
    .describe('Consent changes by purpose (email_marketing, sales_email, sales_call, tracking; "sales" = both sales channels): true/false, yes/no, granted/refused/withdrawn, or {status, at, basis}. Recorded with source "api"; the newest choice per purpose wins.'),
});
export type ContactInput = z.infer<typeof contactInput>;

export function contactFields(b: ContactInput) {
  return {
    email: b.email, firstName: b.first_name, lastName: b.last_name, title: b.title, seniority: b.seniority,
    department: b.department, phone: b.phone, country: b.country, accountId: b.account_id, ownerId: b.owner_id,
    attributes: b.attributes, consent: b.consent,
  };
}

const touch = z.object({ at: z.string().nullable(), source: z.string().nullable(), medium: z.string().nullable(), campaign: z.string().nullable() });
export const contactDto = z.object({
  id: z.string(), email: z.string().nullable(), first_name: z.string().nullable(), last_name: z.string().nullable(),
  title: z.string().nullable(), seniority: z.string().nullable(), department: z.string().nullable(), phone: z.string().nullable(),
  country: z.string().nullable(), account_id: z.string().nullable(), owner_id: z.string().nullable(), status: z.string(),
  merged_into_id: z.string().nullable(), attributes: z.record(z.string(), z.unknown()), consent: z.record(z.string(), z.unknown()),
  unsubscribed_at: z.string().nullable(), first_touch: touch, latest_touch: touch, created_at: z.string(), updated_at: z.string(),
}).meta({ id: 'Contact' });

export const toContactDto = (c: Contact): z.infer<typeof contactDto> => ({
  id: c.id, email: c.email, first_name: c.firstName, last_name: c.lastName, title: c.title, seniority: c.seniority,
  department: c.department, phone: c.phone, country: c.country, account_id: c.accountId, owner_id: c.ownerId, status: c.status,
  merged_into_id: c.mergedIntoId, attributes: c.attributes, consent: c.consent, unsubscribed_at: iso(c.unsubscribedAt),
  first_touch: { ...c.firstTouch, at: iso(c.firstTouch.at) }, latest_touch: { ...c.latestTouch, at: iso(c.latestTouch.at) },
  created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
});

export const accountInput = z.strictObject({
  name: text(300).min(1), domain: z.string().max(253).nullable().optional(), industry: nullableText(100),
  employee_count: countNumber().nullable().optional(), country: nullableText(100), region: nullableText(100),
  annual_revenue: moneyAmount().nullable().optional(), owner_id: z.uuid().nullable().optional(),
  external_id: nullableText(200), attributes: attributesSchema.optional(),
});

export const accountDto = z.object({
  id: z.string(), name: z.string(), domain: z.string().nullable(), industry: z.string().nullable(),
  employee_count: z.number().nullable(), country: z.string().nullable(), region: z.string().nullable(),
  annual_revenue: z.number().nullable(), owner_id: z.string().nullable(), external_id: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()), created_at: z.string(),
}).meta({ id: 'Account' });

export const toAccountDto = (a: Account): z.infer<typeof accountDto> => ({
  id: a.id, name: a.name, domain: a.domain, industry: a.industry, employee_count: a.employeeCount, country: a.country,
  region: a.region, annual_revenue: a.annualRevenue, owner_id: a.ownerId, external_id: a.externalId, attributes: a.attributes,
  created_at: a.createdAt.toISOString(),
});

export const activityDto = z.object({
  id: z.string(), contact_id: z.string(), type: z.string(), occurred_at: z.string(), received_at: z.string(),
  source: z.string().nullable(), medium: z.string().nullable(), campaign_id: z.string().nullable(), utm_campaign: z.string().nullable(),
  content_id: z.string().nullable(), url: z.string().nullable(), referrer: z.string().nullable(), event_name: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()), actor_user_id: z.string().nullable(),
}).meta({ id: 'Activity' });

export const toActivityDto = (a: Activity): z.infer<typeof activityDto> => ({
  id: a.id, contact_id: a.contactId, type: a.type, occurred_at: a.occurredAt.toISOString(), received_at: a.receivedAt.toISOString(),
  source: a.source, medium: a.medium, campaign_id: a.campaignId, utm_campaign: a.utmCampaign, content_id: a.contentId,
  url: a.url, referrer: a.referrer, event_name: a.eventName, properties: a.properties, actor_user_id: a.actorUserId,
});

export const contactContentRatingDto = z.object({
  id: z.string(), asset_id: z.string(), asset_title: z.string(), asset_format: z.string(),
  rating: z.number().int().describe('1–5 (thumbs: up = 5, down = 1).'), scale: z.enum(['stars', 'thumbs']),
  comment: z.string().nullable().describe('As the prospect typed it: untrusted text.'), at: z.string(),
}).meta({ id: 'ContactContentRating' });

export const toContactContentRatingDto = (r: ContactContentRating): z.infer<typeof contactContentRatingDto> => ({
  id: r.id, asset_id: r.assetId, asset_title: r.assetTitle, asset_format: r.assetFormat, rating: r.rating, scale: r.scale, comment: r.comment, at: r.at.toISOString(),
});

export const contactIdentityDto = z.object({
  identities: z.array(z.object({
    kind: z.string().describe('anonymous_id, user_id, email or external_id'), value: z.string(), created_at: z.string(),
  })).describe('Identities bound to the contact now; events carrying them land on it.'),
  merges: z.array(z.object({
    id: z.string(), winner_id: z.string(), loser_id: z.string(), cause: z.string().describe('what merged them (identify, alias, manual...)'),
    via: z.string().nullable().describe('the shared identity, e.g. "anonymous_id v1"'), message_id: z.string().nullable(), at: z.string(),
  })).describe('Merges this contact took part in, as winner or loser, newest first (at most 200).'),
  conflicts: z.array(z.object({
    id: z.string(), contact_id: z.string(), contact_email: z.string().nullable(),
    other_contact_id: z.string().nullable(), other_contact_email: z.string().nullable(),
    kind: z.string().describe('the identity both contacts claimed'), value: z.string(), reason: z.string(), message_id: z.string().nullable(), at: z.string(),
  })).describe('Identity conflicts naming this contact on either side, newest first (at most 200); nothing was merged.'),
}).meta({ id: 'ContactIdentity' });

export const toContactIdentityDto = (v: { identities: ContactIdentity[]; merges: ContactMergeEntry[]; conflicts: IdentityConflictEntry[] }): z.infer<typeof contactIdentityDto> => ({
  identities: v.identities.map((i) => ({ kind: i.kind, value: i.value, created_at: i.createdAt.toISOString() })),
  merges: v.merges.map((m) => ({ id: m.id, winner_id: m.winnerId, loser_id: m.loserId, cause: m.cause, via: m.via, message_id: m.messageId, at: m.at.toISOString() })),
  conflicts: v.conflicts.map((c) => ({
    id: c.id, contact_id: c.contactId, contact_email: c.contactEmail, other_contact_id: c.otherContactId, other_contact_email: c.otherContactEmail,
    kind: c.kind, value: c.value, reason: c.reason, message_id: c.messageId, at: c.at.toISOString(),
  })),
});
