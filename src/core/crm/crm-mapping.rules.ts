import { z } from 'zod';
import { walkTo } from '../lead-deal.rules.ts';
import { isClosed, stages, type Stage } from '../lifecycle.ts';

/**
 * What a CRM connector writes and reads, as a versioned config (each save is a new version,
 * kept): field names, Leadloop stage ↔ CRM status/stage maps, and who owns a field when both
 * sides change it. Pure: the connectors in src/app/crm ask these functions what to send and
 * what a pulled record means.
 */
const stageEnum = z.enum(stages);
const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a CRM API field name (letters, digits, underscore)');

/** `crm`: the CRM's value wins (pull applies it, push never overwrites it); `leadloop`: the reverse; `both`: newest change wins. */
export const ownershipSchema = z.enum(['crm', 'leadloop', 'both']);
export type Ownership = z.infer<typeof ownershipSchema>;

const pullTarget = z.object({
  stage: stageEnum,
  reason_code: z.string().min(1).max(64).nullable().default(null),
});

export const salesforceMappingSchema = z.object({
  /** Custom fields on Lead (create them in Setup; see README "Salesforce setup"). null: not written. */
  lead_fields: z.object({
    leadloop_id: fieldName.nullable().default('Leadloop_Id__c'),
    score: fieldName.nullable().default('Leadloop_Score__c'),
    rating: fieldName.nullable().default('Leadloop_Rating__c'),
    why: fieldName.nullable().default('Leadloop_Why__c'),
    stage: fieldName.nullable().default('Leadloop_Stage__c'),
  }).strict().default({ leadloop_id: 'Leadloop_Id__c', score: 'Leadloop_Score__c', rating: 'Leadloop_Rating__c', why: 'Leadloop_Why__c', stage: 'Leadloop_Stage__c' }),
  /** Leadloop stage → Lead Status written when the stage changes (stages not listed leave the status alone). */
  push_status: z.partialRecord(stageEnum, z.string().min(1).max(255)).default({
    mql: 'Open - Not Contacted', sal: 'Working - Contacted', sql: 'Working - Contacted',
    nurture: 'Closed - Not Converted', disqualified: 'Closed - Not Converted',
  }),
  /** Lead Status → the Leadloop stage it means (with the reason recycles and disqualifications need). */
  pull_status: z.record(z.string().min(1).max(255), pullTarget).default({
    'Working - Contacted': { stage: 'sal', reason_code: null },
    'Closed - Not Converted': { stage: 'nurture', reason_code: 'not_ready' },
    Unqualified: { stage: 'disqualified', reason_code: 'bad_fit' },
  }),
  /** Opportunity StageName → outcome; unlisted stages use the org's IsClosed/IsWon flags. */
  opportunity_stages: z.record(z.string().min(1).max(255), z.enum(['open', 'won', 'lost'])).default({}),
  /** Multi-currency orgs: the Opportunity currency field (CurrencyIsoCode); others use `default_currency`. */
  opportunity_currency_field: fieldName.nullable().default(null),
  default_currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').default('USD'),
  /** Reason recorded on a lead whose deal was lost in the CRM. */
  lost_reason_code: z.string().min(1).max(64).default('lost_no_decision'),
  ownership: z.object({ lead_status: ownershipSchema.default('both') }).strict().default({ lead_status: 'both' }),
}).strict();
export type SalesforceMapping = z.infer<typeof salesforceMappingSchema>;

export const hubspotMappingSchema = z.object({
  /** Contact properties (create them in HubSpot: Settings › Properties; see README "HubSpot setup"). */
  contact_properties: z.object({
    leadloop_id: fieldName.nullable().default('leadloop_id'),
    score: fieldName.nullable().default('leadloop_score'),
    rating: fieldName.nullable().default('leadloop_rating'),
    why: fieldName.nullable().default('leadloop_why'),
    stage: fieldName.nullable().default('leadloop_stage'),
  }).strict().default({ leadloop_id: 'leadloop_id', score: 'leadloop_score', rating: 'leadloop_rating', why: 'leadloop_why', stage: 'leadloop_stage' }),
  /** Leadloop stage → HubSpot lifecycle stage (HubSpot only moves it forward). */
  lifecycle_stages: z.partialRecord(stageEnum, z.string().min(1).max(100)).default({
    inquiry: 'lead', mql: 'marketingqualifiedlead', sal: 'salesqualifiedlead', sql: 'salesqualifiedlead', opportunity: 'opportunity', won: 'customer',
  }),
  /** Deal stage id → outcome; unlisted stages use the pipeline's metadata (isClosed, probability 1 = won). */
  deal_stages: z.record(z.string().min(1).max(100), z.enum(['open', 'won', 'lost'])).default({}),
  lost_reason_code: z.string().min(1).max(64).default('lost_no_decision'),
  /**
   * Pulled: a lifecycle stage a HubSpot user set → the Leadloop stage it means. HubSpot moves the
   * lifecycle stage forward only, so hand-backs and rejections come from the lead status below.
   */
  pull_lifecycle: z.record(z.string().min(1).max(100), pullTarget).default({
    salesqualifiedlead: { stage: 'sal', reason_code: null },
  }),
  /** Pulled: a lead status (hs_lead_status) a HubSpot user set → the Leadloop stage, with the reason recycles and disqualifications need. */
  pull_lead_status: z.record(z.string().min(1).max(100), pullTarget).default({
    IN_PROGRESS: { stage: 'sal', reason_code: null },
    CONNECTED: { stage: 'sal', reason_code: null },
    BAD_TIMING: { stage: 'nurture', reason_code: 'not_ready' },
    UNQUALIFIED: { stage: 'disqualified', reason_code: 'bad_fit' },
  }),
  /** `leadloop`: HubSpot's lifecycle stage and lead status are never pulled into Leadloop. */
  ownership: z.object({ lead_stage: ownershipSchema.default('both') }).strict().default({ lead_stage: 'both' }),
}).strict();
export type HubspotMapping = z.infer<typeof hubspotMappingSchema>;

export const defaultSalesforceMapping = (): SalesforceMapping => salesforceMappingSchema.parse({});
export const defaultHubspotMapping = (): HubspotMapping => hubspotMappingSchema.parse({});

/** The facts about a Leadloop lead a CRM record is made of. */
export type LeadFacts = {
  leadId: string; stage: Stage; source: string | null; rating: string | null; fitScore: number | null; engagementScore: number | null;
  email: string | null; firstName: string | null; lastName: string | null; title: string | null; phone: string | null;
  accountName: string | null; why: string | null;
};

/** One number for "score": fit and engagement added (the rating cell says which is which). */
export const leadScore = (l: Pick<LeadFacts, 'fitScore' | 'engagementScore'>): number | null =>
  l.fitScore === null && l.engagementScore === null ? null : Math.round((l.fitScore ?? 0) + (l.engagementScore ?? 0));

/** Salesforce's standard Lead.Rating picklist (Hot/Warm/Cold) from the fit letter of the rating cell (A1 … D4). */
export function salesforceRating(rating: string | null): 'Hot' | 'Warm' | 'Cold' | null {
  const letter = rating?.[0]?.toUpperCase();
  if (letter === 'A') return 'Hot';
  if (letter === 'B') return 'Warm';
  if (letter === 'C' || letter === 'D') return 'Cold';
  return null;
}

const clip = (s: string | null, n: number) => (s === null ? null : s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The Salesforce Lead an MQL becomes. LastName and Company are required by Salesforce: the email's
 * local part and "[not provided]" (Salesforce's own placeholder from web-to-lead) stand in.
 */
export function salesforceLeadFields(m: SalesforceMapping, lead: LeadFacts, ownerId: string | null): Record<string, string | number | null> {
  const f = m.lead_fields;
  const fields: Record<string, string | number | null> = {
    FirstName: clip(lead.firstName, 40),
    LastName: clip(lead.lastName || lead.email?.split('@')[0] || '[not provided]', 80),
    Company: clip(lead.accountName || '[not provided]', 255),
    Email: lead.email, Title: clip(lead.title, 128), Phone: clip(lead.phone, 40),
    LeadSource: clip(lead.source, 255), Rating: salesforceRating(lead.rating),
    Status: m.push_status[lead.stage] ?? m.push_status.mql ?? 'Open - Not Contacted',
  };
  if (ownerId) fields.OwnerId = ownerId;
  if (f.leadloop_id) fields[f.leadloop_id] = lead.leadId;
  if (f.score) fields[f.score] = leadScore(lead);
  if (f.rating) fields[f.rating] = lead.rating;
  if (f.why) fields[f.why] = clip(lead.why, 32_000);
  if (f.stage) fields[f.stage] = lead.stage;
  return fields;
}

/** The Lead fields a stage change updates (status only where Leadloop may own it). */
export function salesforceStageUpdate(m: SalesforceMapping, lead: LeadFacts): Record<string, string | number | null> {
  const fields: Record<string, string | number | null> = {};
  const status = m.push_status[lead.stage];
  if (status && m.ownership.lead_status !== 'crm') fields.Status = status;
  if (m.lead_fields.stage) fields[m.lead_fields.stage] = lead.stage;
  if (m.lead_fields.score) fields[m.lead_fields.score] = leadScore(lead);
  if (m.lead_fields.rating) fields[m.lead_fields.rating] = lead.rating;
  return fields;
}

export type LeadMove = { kind: 'none'; why: string } | { kind: 'move'; path: Stage[]; reasonCode: string | null };

/**
 * What a CRM status means for the Leadloop lead: the stages to walk (each an ordinary transition)
 * or why nothing moves. Leadloop-owned status is never pulled; a closed lead never moves; a status
 * Leadloop pushed itself (the lead's own stage maps to it) moves nothing.
 */
export function leadMoveForStatus(m: SalesforceMapping, current: Stage, status: string | null): LeadMove {
  if (m.ownership.lead_status === 'leadloop') return { kind: 'none', why: 'Leadloop owns the lead status' };
  if (!status) return { kind: 'none', why: 'no status' };
  const target = m.pull_status[status];
  if (!target) return { kind: 'none', why: `status "${status}" is not mapped` };
  if (isClosed(current)) return { kind: 'none', why: `lead is ${current}` };
  if (target.stage === current || m.push_status[current] === status) return { kind: 'none', why: 'already there' };
  const path = walkTo(current, target.stage);
  if (!path) return { kind: 'none', why: `${current} cannot move to ${target.stage}` };
  return { kind: 'move', path, reasonCode: target.reason_code };
}

/** A Salesforce Opportunity's outcome. */
export function salesforceOpportunityOutcome(m: SalesforceMapping, o: { StageName: string | null; IsClosed: boolean | null; IsWon: boolean | null }): 'open' | 'won' | 'lost' {
  const mapped = o.StageName ? m.opportunity_stages[o.StageName] : undefined;
  if (mapped) return mapped;
  if (o.IsWon) return 'won';
  if (o.IsClosed) return 'lost';
  return 'open';
}

/** HubSpot contact properties for a lead (strings: HubSpot's property values are strings). */
export function hubspotContactProperties(m: HubspotMapping, lead: LeadFacts): Record<string, string> {
  const p = m.contact_properties;
  const props: Record<string, string> = {};
  const set = (k: string | null, v: string | number | null) => { if (k && v !== null && v !== undefined) props[k] = String(v); };
  set('email', lead.email);
  set('firstname', lead.firstName);
  set('lastname', lead.lastName);
  set('jobtitle', lead.title);
  set('phone', lead.phone);
  set('company', lead.accountName);
  set(p.leadloop_id, lead.leadId);
  set(p.score, leadScore(lead));
  set(p.rating, lead.rating);
  set(p.why, clip(lead.why, 65_000));
  set(p.stage, lead.stage);
  const lifecycle = m.lifecycle_stages[lead.stage];
  if (lifecycle) props.lifecyclestage = lifecycle;
  return props;
}

/** A HubSpot deal's outcome: the mapping, else the pipeline stage's metadata. */
export function hubspotDealOutcome(m: HubspotMapping, stageId: string | null, stageMeta: { isClosed: boolean; probability: number | null } | null): 'open' | 'won' | 'lost' {
  const mapped = stageId ? m.deal_stages[stageId] : undefined;
  if (mapped) return mapped;
  if (stageMeta?.isClosed) return stageMeta.probability !== null && stageMeta.probability >= 1 ? 'won' : 'lost';
  if (stageId === 'closedwon') return 'won';
  if (stageId === 'closedlost') return 'lost';
  return 'open';
}

/** A HubSpot contact's sales-relevant values, as pulled (and as remembered from the last pull). */
export type HubspotContactState = { lifecyclestage: string | null; hs_lead_status: string | null };

/**
 * What a HubSpot user's change to a contact means for its Leadloop lead. Only a value that changed
 * since it was last seen counts (`previous`: remembered at the push and every pull; with nothing
 * remembered the values are only remembered, so a years-old status never moves a fresh MQL), and not
 * one Leadloop wrote itself
 * (the lifecycle stage the lead's own stage maps to): a lead status still "BAD_TIMING" after the lead
 * re-qualified moves nothing. The lead status is read first (it carries hand-backs and rejections);
 * then the lifecycle stage. Closed leads never move; a move the lifecycle table has no way for is
 * refused with the reason.
 */
export function hubspotLeadMove(m: HubspotMapping, current: Stage, now: HubspotContactState, previous: HubspotContactState | null): LeadMove {
  if (m.ownership.lead_stage === 'leadloop') return { kind: 'none', why: 'Leadloop owns the lead stage' };
  if (isClosed(current)) return { kind: 'none', why: `lead is ${current}` };
  if (!previous) return { kind: 'none', why: 'first seen: HubSpot values remembered' };
  const changed = (k: keyof HubspotContactState) => now[k] !== null && now[k] !== previous[k];
  const fromStatus = changed('hs_lead_status') ? m.pull_lead_status[now.hs_lead_status!] : undefined;
  const ownLifecycle = m.lifecycle_stages[current];
  const fromLifecycle = changed('lifecyclestage') && now.lifecyclestage !== ownLifecycle ? m.pull_lifecycle[now.lifecyclestage!] : undefined;
  const target = fromStatus ?? fromLifecycle;
  if (!target) return { kind: 'none', why: 'no mapped change' };
  if (target.stage === current) return { kind: 'none', why: 'already there' };
  const path = walkTo(current, target.stage);
  if (!path) return { kind: 'none', why: `${current} cannot move to ${target.stage}` };
  return { kind: 'move', path, reasonCode: target.reason_code };
}
