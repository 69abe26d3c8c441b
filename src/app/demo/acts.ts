import { SITE } from './catalog-data.ts';
import type { Person, WorldCampaign, WorldContent } from './world.ts';

/**
 * What the demo's people do, in the shapes the public doors take: Segment messages as a browser SDK
 * or a CDP sends them to /v1/batch, form posts as the forms endpoint receives them. Nothing here
 * names an activity type or a stored property: the doors decide those (so the demo shows exactly
 * what live traffic shows, bugs included).
 */

/** A Segment message without its messageId and timestamp (added when it is sent, in time order). */
export type SegmentMessage = Record<string, unknown> & { type: 'page' | 'track' | 'identify' | 'group' };

export type MessageAct = { kind: 'message'; ms: number; person: Person; message: SegmentMessage };
export type FormAct = { kind: 'form'; ms: number; person: Person; formId: string; fields: Record<string, string> };
/** Something sales does (accept, reject, log a call, move a deal), run at its simulated time. */
export type SalesAct = { kind: 'sales'; ms: number; run: () => Promise<void> };
/** An enrichment tool fills in what a form does not ask (seniority, department) through the contacts API. */
export type EnrichAct = { kind: 'enrich'; ms: number; person: Person };
export type Act = MessageAct | FormAct | SalesAct | EnrichAct;

/** Where a visit came from: UTM parameters (as the SDK puts them in context.campaign) and the referrer. */
export type Touch = { source: string | null; medium: string | null; campaign: string | null; referrer: string | null };

export const noTouch: Touch = { source: null, medium: null, campaign: null, referrer: null };

export function touchOf(campaign: WorldCampaign): Touch {
  const s = campaign.spec;
  // Direct traffic carries no UTM parameters and no referrer: that is what makes it direct.
  if (s.utmSource === '(direct)') return noTouch;
  return { source: s.utmSource, medium: s.utmMedium, campaign: s.utmCampaign, referrer: s.referrer };
}

function context(url: string | null, touch: Touch): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  if (url || touch.referrer) ctx.page = { ...(url ? { url, path: new URL(url).pathname } : {}), ...(touch.referrer ? { referrer: touch.referrer } : {}) };
  if (touch.source) ctx.campaign = { source: touch.source, medium: touch.medium ?? undefined, ...(touch.campaign ? { name: touch.campaign } : {}) };
  return ctx;
}

/** analytics.js `page()`: its standard properties (path, url, title, referrer). */
export function pageMessage(person: Person, path: string, touch: Touch, title: string | null): SegmentMessage {
  const url = SITE + path;
  const properties: Record<string, unknown> = { path, url, ...(title ? { title } : {}), ...(touch.referrer ? { referrer: touch.referrer } : {}) };
  return { type: 'page', anonymousId: person.anonymousId, properties, context: context(url, touch) };
}

/** analytics.js `track()`: an event name from the Segment spec and its properties. */
export function trackMessage(person: Person, event: string, properties: Record<string, unknown>, touch: Touch, url: string | null = null): SegmentMessage {
  return { type: 'track', anonymousId: person.anonymousId, event, properties, context: context(url, touch) };
}

export const downloadMessage = (person: Person, item: WorldContent, touch: Touch): SegmentMessage =>
  trackMessage(person, 'Content Downloaded', { url: item.url, title: item.spec.title }, touch, item.url);

/** `identify()` with the person's traits (as a badge-scan list or a CRM sync would send them). */
export function identifyMessage(person: Person): SegmentMessage {
  const traits: Record<string, unknown> = {
    email: person.email, first_name: person.firstName, last_name: person.lastName, title: person.title, country: person.country,
    ...(person.phone ? { phone: person.phone } : {}), ...(person.account ? { company: person.account.row.name } : {}),
    ...(person.seniority ? { seniority: person.seniority } : {}), ...(person.department ? { department: person.department } : {}),
    ...(personaOf(person) ? { persona: personaOf(person) } : {}),
  };
  return { type: 'identify', anonymousId: person.anonymousId, traits };
}

/** `group()`: the person's company with the firmographics an enrichment tool adds. */
export function groupMessage(person: Person): SegmentMessage | null {
  const account = person.account;
  if (!account) return null;
  const r = account.row;
  return {
    type: 'group', anonymousId: person.anonymousId, groupId: r.domain!,
    traits: { name: r.name, domain: r.domain, industry: r.industry, employees: r.employeeCount, country: r.country, region: r.region, annual_revenue: r.annualRevenue },
  };
}

/** The fields a website form posts to the forms endpoint (with the snippet's hidden fields). */
export function formFields(person: Person, pagePath: string, touch: Touch, extra: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {
    email: person.email!, first_name: person.firstName ?? '', last_name: person.lastName ?? '', title: person.title ?? '',
    ...(person.account ? { company: person.account.row.name } : {}), ...(person.phone ? { phone: person.phone } : {}),
    // Most people tick the marketing-email box; some say no (and must never get nurture email).
    consent_email: person.consentEmail ? 'yes' : 'no',
    _anonymous_id: person.anonymousId, _page_url: SITE + pagePath, ...(touch.referrer ? { _referrer: touch.referrer } : {}),
    ...(touch.source ? { utm_source: touch.source } : {}), ...(touch.medium ? { utm_medium: touch.medium } : {}), ...(touch.campaign ? { utm_campaign: touch.campaign } : {}),
    ...extra,
  };
  for (const [k, v] of Object.entries(fields)) if (v === '') delete fields[k];
  return fields;
}

/** The persona nurture tracks can select on, from the department and seniority. */
export function personaOf(person: Person): string | null {
  if (!person.department) return null;
  if (person.seniority === 'c_level') return 'executive';
  if (person.department === 'Revenue Operations') return 'revops';
  const leader = person.seniority === 'vp' || person.seniority === 'director';
  if (person.department === 'Marketing') return leader ? 'marketing_leader' : 'practitioner';
  if (person.department === 'Sales') return leader ? 'sales_leader' : 'practitioner';
  return 'practitioner';
}
