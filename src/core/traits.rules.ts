import { consentChanges, consentFromSegmentContext, type ConsentChange, type ConsentInputMeta } from './consent.rules.ts';
import { normalizeDomain } from './identity.ts';

/** Maps Segment identify traits to contact fields; the rest become flat custom attributes. */
export type ContactPatch = {
  firstName?: string; lastName?: string; title?: string; phone?: string; country?: string;
  attributes: Record<string, string | number | boolean | null>; consent?: ConsentChange[];
};

const str = (v: unknown, max = 300) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);
const reserved = new Set(['email', 'firstName', 'first_name', 'lastName', 'last_name', 'name', 'title', 'phone', 'address', 'country', 'consent', 'company', 'unsubscribed']);

/**
 * Consent an identify carries, as changes dated at the message: `traits.consent` (any shape
 * `consentChanges` reads; unreadable entries are ignored, an identify is never refused for them),
 * `traits.unsubscribed: true` (withdrawn email marketing; false says nothing) and Segment's
 * `context.consent.categoryPreferences`.
 */
export function consentFromIdentify(traits: Record<string, unknown>, context: unknown, meta: ConsentInputMeta): ConsentChange[] {
  const changes = [...consentFromSegmentContext(context, meta), ...consentChanges(traits.consent ?? {}, meta).changes];
  const unsub = traits.unsubscribed;
  if (unsub === true || unsub === 'true') changes.push({ purpose: 'email_marketing', status: 'withdrawn', at: new Date(meta.at).toISOString(), source: meta.source, basis: meta.basis ?? 'consent' });
  return changes;
}

export function contactPatchFromTraits(traits: Record<string, unknown>, consentMeta?: ConsentInputMeta & { context?: unknown }): ContactPatch {
  const patch: ContactPatch = { attributes: {} };
  let first = str(traits.firstName) ?? str(traits.first_name);
  let last = str(traits.lastName) ?? str(traits.last_name);
  const name = str(traits.name);
  if (name && !first && !last) {
    const space = name.indexOf(' ');
    first = space > 0 ? name.slice(0, space) : name;
    last = space > 0 ? name.slice(space + 1) : undefined;
  }
  if (first) patch.firstName = first;
  if (last) patch.lastName = last;
  const title = str(traits.title);
  if (title) patch.title = title;
  const phone = str(traits.phone, 50);
  if (phone) patch.phone = phone;
  const address = traits.address as { country?: unknown } | undefined;
  const country = str(traits.country, 100) ?? str(address?.country, 100);
  if (country) patch.country = country;
  const consent = consentMeta ? consentFromIdentify(traits, consentMeta.context, consentMeta) : [];
  if (consent.length) patch.consent = consent;
  const company = traits.company;
  if (typeof company === 'string') patch.attributes.company = company.slice(0, 300);
  else if (company && typeof company === 'object' && typeof (company as { name?: unknown }).name === 'string') patch.attributes.company = String((company as { name: string }).name).slice(0, 300);
  for (const [k, v] of Object.entries(traits)) {
    if (reserved.has(k) || k.length > 100) continue;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') patch.attributes[k] = v;
    else if (typeof v === 'string') patch.attributes[k] = v.slice(0, 1000);
  }
  return patch;
}

/** Account fields from group traits (name, domain or website, industry, employees). */
export type AccountTraits = { name: string | null; domain: string | null; industry: string | null; employeeCount: number | null; attributes: Record<string, unknown> };

export function accountFromGroupTraits(groupId: string, traits: Record<string, unknown>): AccountTraits {
  const domain = normalizeDomain(str(traits.domain) ?? str(traits.website) ?? null);
  const employees = Number(traits.employees ?? traits.employee_count);
  const attributes: Record<string, unknown> = { group_id: groupId };
  for (const [k, v] of Object.entries(traits)) {
    if (['name', 'domain', 'website', 'industry', 'employees', 'employee_count'].includes(k)) continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) attributes[k] = v;
  }
  return {
    name: str(traits.name) ?? null, domain, industry: str(traits.industry, 100) ?? null,
    employeeCount: Number.isInteger(employees) && employees >= 0 ? employees : null, attributes,
  };
}
