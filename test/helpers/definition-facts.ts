import type { AccountFact, ActivityFact, ActivityType, ContactFact, ContentFact } from '../../src/core/activity.ts';

/** Small factories for the facts core scoring reads; every field has a boring default. */
export function contact(over: Partial<ContactFact> = {}): ContactFact {
  return {
    id: 'c1', email: 'ada@acme.io', title: null, seniority: null, department: null, country: null,
    unsubscribed: false, attributes: {}, ...over,
  };
}

export function account(over: Partial<AccountFact> = {}): AccountFact {
  return {
    id: 'acc1', name: 'Acme', domain: 'acme.io', industry: null, employeeCount: null, country: null,
    region: null, annualRevenue: null, attributes: {}, ...over,
  };
}

let seq = 0;
export function activity(type: ActivityType, at: string | Date, over: Partial<ActivityFact> = {}): ActivityFact {
  seq++;
  return {
    id: `a${seq}`, contactId: 'c1', type, occurredAt: typeof at === 'string' ? new Date(at) : at,
    source: null, medium: null, campaign: null, contentId: null, url: null, eventName: null, properties: {}, ...over,
  };
}

export function content(id: string, over: Partial<ContentFact> = {}): ContentFact {
  return { id, url: null, urls: [], buyingStage: null, topics: [], personas: [], format: 'article', ...over };
}

/** The brief's protagonist: a VP at a 500-person SaaS company. */
export const vp = contact({ title: 'VP Marketing', seniority: 'vp' });
export const saas500 = account({ industry: 'SaaS', employeeCount: 500 });

export { prng } from './prng.ts';
