import { z } from 'zod';
import { consentFilterPattern, decodeSortCursor } from '../../core/lists.rules.ts';
import { decodeChangeCursor } from '../../core/change-cursor.ts';
import { accountDto, contactDto } from './contacts.contract.ts';
import { opportunityDto } from './catalog.contract.ts';
import { leadDto } from './leads.contract.ts';
import { pollPageOf } from './polling.contract.ts';

const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { message: 'a date (2026-03-01) or an ISO 8601 time' });
const csv = (what: string) => z.string().max(500).regex(/^[^,]{1,60}(,[^,]{1,60})*$/, `comma-separated ${what}`);

/** The query of every list screen; a filter a list does not know is refused (400), never ignored. */
export const listQuery = z.strictObject({
  q: z.string().trim().max(200).optional().describe('Search: name, email, company name or domain (part of a word is enough).'),
  stage: csv('stages').optional().describe('Comma-separated stages (leads: lifecycle stages; people: having an open lead at one; opportunities: deal stages).'),
  owner: z.string().max(40).optional().describe("A user id, 'me' or 'none' (unowned)."),
  rating: csv('ratings').optional().describe('Comma-separated ratings, e.g. A1,A2 (leads; people: of their open lead).'),
  source: z.string().max(200).optional().describe('First or latest touch source, e.g. google.'),
  campaign: z.string().max(200).optional().describe('First or latest touch campaign (utm_campaign).'),
  consent: z.string().regex(consentFilterPattern, '<purpose>:<granted|refused|none>, purpose one of email_marketing, sales_email, sales_call, tracking').optional()
    .describe('Consent of the person, e.g. email_marketing:granted; refused includes withdrawn; none: nothing recorded.'),
  from: dateOrTime.optional().describe('From this date (leads: opened; opportunities: close date; others: created), inclusive.'),
  to: dateOrTime.optional().describe('Before this date (exclusive).'),
  account_id: z.uuid().optional(),
  contact_id: z.uuid().optional(),
  status: z.enum(['open', 'won', 'lost']).optional().describe('Opportunities only.'),
  country: z.string().max(100).optional().describe('Accounts only.'),
  industry: z.string().max(200).optional().describe('Accounts only.'),
  sort: z.string().max(30).optional().describe('A sort key of this list (see the list\'s description); default the first.'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size (1–500).'),
  cursor: z.string().max(420).optional()
    .refine((v) => v === undefined || decodeSortCursor(v) !== null || decodeChangeCursor(v) !== null, { message: 'must be the next_cursor of a previous page' })
    .describe('next_cursor from the previous page (sorted pages: srt1.…; change feeds: chg1.…).'),
  updated_since: z.iso.datetime({ offset: true }).optional()
    .describe('Poll by change instead: records created or changed at or after this time, oldest change first (sort is ignored).'),
});
export type ListQuery = z.infer<typeof listQuery>;

export const personRowDto = contactDto.extend({ account: accountDto.nullable() });
export const leadRowDto = leadDto.extend({ contact: contactDto.nullable(), account: accountDto.nullable() });
export const opportunityRowDto = opportunityDto.extend({ account: accountDto.nullable() });

export const peoplePageDto = pollPageOf(personRowDto);
export const leadsPageDto = pollPageOf(leadRowDto);
export const accountsPageDto = pollPageOf(accountDto);
export const opportunitiesPageDto = pollPageOf(opportunityRowDto);
