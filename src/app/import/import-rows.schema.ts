import { z } from 'zod';
import { isActivityType } from '../../core/activity.ts';
import { normalizeDomain, normalizeEmail } from '../../core/identity.ts';
import { isStage, type Stage } from '../../core/lifecycle.ts';
import type { ImportEntity } from './import-presets.ts';

/** zod schemas of one CSV row per entity: raw strings in, typed values (or per-field issues) out. */

const blankToUndefined = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v);
const text = (max = 500) => z.preprocess(blankToUndefined, z.string().max(max, `longer than ${max} characters`).optional());
const required = (max = 500) => z.preprocess(blankToUndefined, z.string({ message: 'required' }).max(max, `longer than ${max} characters`));

const emailPattern = /[^\s<>()@,;"']+@[^\s<>()@,;"']+\.[^\s<>()@,;"']+/;
const email = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const e = normalizeEmail(v);
  if (!e) ctx.addIssue({ code: 'custom', message: 'not a valid email address' });
  return e ?? undefined;
}));
/** "Jane Doe (jane@acme.com)" or "jane@acme.com; bob@acme.com": HubSpot association columns. */
const embeddedEmail = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const e = normalizeEmail(emailPattern.exec(v)?.[0] ?? '');
  if (!e) ctx.addIssue({ code: 'custom', message: 'contains no valid email address' });
  return e ?? undefined;
}));
const domain = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const d = normalizeDomain(v);
  if (!d) ctx.addIssue({ code: 'custom', message: 'not a domain or website (e.g. acme.com)' });
  return d ?? undefined;
}));

/** '1,200.50', 'USD 1200', '$1,200': CRM exports format numbers for people. */
export function parseNumber(raw: string): number | null {
  const cleaned = raw.trim().replace(/^[A-Za-z]{3}\s+/, '').replace(/[\s,$€£¥]/g, '');
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}
/**
 * What a numeric column can hold, so an out-of-range cell is refused by its own row (a warning, or the
 * row alone when strict) instead of reaching PostgreSQL, which would refuse the whole import.
 */
export const columnRange = {
  /** `integer` (employee_count) */
  integer: { int: true, max: 2_147_483_647 },
  /** `numeric(18,2)` (amount, annual_revenue): 16 digits before the point. */
  money: { int: false, max: 1e16 },
} as const;
const number = (column: keyof typeof columnRange, opts: { min?: number } = {}) => z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const { int, max } = columnRange[column];
  const n = parseNumber(v);
  if (n === null || (int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    ctx.addIssue({ code: 'custom', message: `not a${int ? ' whole' : ''} number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}` });
    return undefined;
  }
  if (int ? Math.abs(n) > max : Math.abs(n) >= max) {
    ctx.addIssue({ code: 'custom', message: `out of range: at most ${int ? max : '9999999999999999.99'} fits this column` });
    return undefined;
  }
  return n;
}));

/**
 * Dates as CRMs export them, read as UTC: 2026-01-31, 2026-01-31 09:30[:00], ISO 8601 with offset,
 * 1/31/2026 and 1/31/2026 9:30 AM (US order, as Salesforce's default locale; a first number > 12 is
 * read as day/month).
 */
export function parseImportDate(raw: string): Date | null {
  const s = raw.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${(m[4] ?? '0').padStart(2, '0')}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? 'Z'}`);
    return valid(d, Number(m[2]), Number(m[3]));
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/.exec(s);
  if (m) {
    let [month, day] = [Number(m[1]), Number(m[2])];
    if (month > 12) [month, day] = [day, month];
    let hour = Number(m[4] ?? 0);
    if (m[7]) hour = (hour % 12) + (m[7].toLowerCase() === 'pm' ? 12 : 0);
    return valid(new Date(Date.UTC(Number(m[3]), month - 1, day, hour, Number(m[5] ?? 0), Number(m[6] ?? 0))), month, day);
  }
  return null;
}
function valid(d: Date, month: number, day: number): Date | null {
  return Number.isNaN(d.getTime()) || d.getUTCMonth() + 1 !== month || d.getUTCDate() !== day ? null : d;
}
const date = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const d = parseImportDate(v);
  if (!d) ctx.addIssue({ code: 'custom', message: 'not a date (use 2026-01-31, 2026-01-31 09:30 or 1/31/2026)' });
  return d ?? undefined;
}));
const bool = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (['true', 'yes', '1', 'y'].includes(s)) return true;
  if (['false', 'no', '0', 'n'].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: 'not true/false' });
  return undefined;
}));

const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
/** Salesforce lead statuses and HubSpot lifecycle stages → our lifecycle. */
const stageAliases: Record<string, Stage> = {
  opennotcontacted: 'inquiry', new: 'inquiry', open: 'inquiry', subscriber: 'inquiry', lead: 'inquiry', other: 'inquiry', raw: 'inquiry',
  workingcontacted: 'sal', working: 'sal', contacted: 'sal', accepted: 'sal', salesacceptedlead: 'sal',
  marketingqualifiedlead: 'mql', marketingqualified: 'mql',
  qualified: 'sql', salesqualifiedlead: 'sql', salesqualified: 'sql', closedconverted: 'opportunity', converted: 'opportunity',
  customer: 'won', evangelist: 'won', closedwon: 'won',
  closednotconverted: 'disqualified', unqualified: 'disqualified', disqualified: 'disqualified', closedlost: 'lost',
  nurturing: 'nurture', nurture: 'nurture', recycled: 'nurture',
};
const leadStage = z.preprocess(blankToUndefined, z.string().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const stage = isStage(v.toLowerCase()) ? (v.toLowerCase() as Stage) : stageAliases[squash(v)];
  if (!stage) ctx.addIssue({ code: 'custom', message: `unknown lead status; use a lifecycle stage (inquiry, mql, sal, sql, opportunity, won, lost, nurture, disqualified) or a Salesforce/HubSpot status` });
  return stage;
}));

const activityAliases: Record<string, string> = {
  call: 'sales_call', email: 'sales_email', meeting: 'meeting', task: 'sales_touch', pageview: 'page_view', formsubmission: 'form_submit',
  webinar: 'webinar_attended', event: 'event_attended', emailopen: 'email_open', emailclick: 'email_click', download: 'content_download',
};
/** Known activity types pass; others become `custom` with their name kept as the event name. */
const activityType = required(100).transform((v) => {
  const lower = v.toLowerCase().replace(/[\s-]+/g, '_');
  const type = isActivityType(lower) ? lower : activityAliases[squash(v)] ?? 'custom';
  return { type, eventName: type === 'custom' ? v : null };
});

/** HubSpot's "Became a ... Date" columns: when the contact entered each lifecycle stage. */
export const becameFields = [
  'became_subscriber_at', 'became_lead_at', 'became_other_at', 'became_mql_at', 'became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at',
] as const;

/** "101;102" or "101, 102": HubSpot association columns list every associated record id. */
const idList = z.preprocess(blankToUndefined, z.string().max(5000, 'longer than 5000 characters').optional()
  .transform((v) => (v === undefined ? undefined : [...new Set(v.split(/[;,\s]+/).map((x) => x.trim()).filter(Boolean))])));

const person = {
  external_id: text(255), email, first_name: text(200), last_name: text(200), title: text(300), phone: text(100), country: text(100),
  company: text(300), website: domain, industry: text(200), employee_count: number('integer', { min: 0 }), source: text(200),
  created_at: date, account_external_id: text(255), lifecycle_stage: text(100), lead_status: text(100),
  ...Object.fromEntries(becameFields.map((f) => [f, date])) as Record<(typeof becameFields)[number], typeof date>,
};

/**
 * Cells that only describe (never identify, date or stage) a record: a bad one is dropped with a
 * warning and the row kept, unless the import is strict. A bad email, id, status or date still
 * refuses the row: guessing those would import a different history than the file's.
 */
export const droppableFields: ReadonlySet<string> = new Set([
  'first_name', 'last_name', 'title', 'phone', 'country', 'company', 'website', 'industry', 'employee_count', 'source', 'annual_revenue',
  'lifecycle_stage', 'lead_status', 'subject', 'url', 'medium', 'campaign', 'role', 'is_primary', ...becameFields,
]);

const identified = (r: { email?: string; external_id?: string }, ctx: z.RefinementCtx) => {
  if (!r.email && !r.external_id) ctx.addIssue({ code: 'custom', path: ['email'], message: 'needs an email or an external id to identify the person' });
};

export const rowSchemas = {
  contacts: z.object(person).superRefine(identified),
  leads: z.object({
    ...person, status: leadStage, converted: bool, converted_contact_id: text(255), converted_opportunity_id: text(255),
    converted_account_id: text(255), converted_date: date,
  }).superRefine(identified),
  accounts: z.object({
    external_id: text(255), name: required(300), domain, industry: text(200), employee_count: number('integer', { min: 0 }),
    country: text(100), annual_revenue: number('money', { min: 0 }), created_at: date,
  }),
  opportunities: z.object({
    external_id: text(255), name: required(300), account_name: text(300), account_external_id: text(255), amount: number('money', { min: 0 }),
    currency: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z]{3}$/, 'not a 3-letter currency code').transform((c) => c.toUpperCase()).optional()),
    stage: text(100), close_date: date, won: bool, closed: bool, source: text(200), created_at: date, contact_email: embeddedEmail,
    contact_external_id: idList, lead_external_id: idList,
  }),
  contact_roles: z.object({
    opportunity_external_id: required(255), contact_external_id: text(255), contact_email: embeddedEmail, role: text(100), is_primary: bool,
  }).superRefine((r, ctx) => {
    if (!r.contact_email && !r.contact_external_id) ctx.addIssue({ code: 'custom', path: ['contact_external_id'], message: 'needs the contact: a contact id or an email' });
  }),
  activities: z.object({
    external_id: text(255), contact_email: embeddedEmail, contact_external_id: text(255), type: activityType, occurred_at: date,
    subject: text(500), url: text(2000), source: text(200), medium: text(200), campaign: text(300),
  }).superRefine((r, ctx) => {
    if (!r.occurred_at) ctx.addIssue({ code: 'custom', path: ['occurred_at'], message: 'required' });
    if (!r.contact_email && !r.contact_external_id) ctx.addIssue({ code: 'custom', path: ['contact_email'], message: 'needs the contact: an email or a contact id' });
  }),
} satisfies Record<ImportEntity, z.ZodType>;

export type RowOf<E extends ImportEntity> = z.infer<(typeof rowSchemas)[E]>;
