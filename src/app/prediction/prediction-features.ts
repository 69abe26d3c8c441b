import type { Example, FieldInfo } from '../../core/prediction/dataset.ts';
import type { PersonSnapshot } from '../../storage/predictions.repo.ts';
import { isFreeMailDomain } from '../free-mail.ts';

/**
 * The raw fields of a person at prediction time, named so a person can read them in a training report and an
 * explanation. Custom attributes (imports, Segment traits) come through as `attr:<key>`; activity counts by type
 * as `activity:<type>`.
 */
export function fieldsOf(s: PersonSnapshot): Example['fields'] {
  const domain = s.contact.email?.split('@')[1]?.toLowerCase() ?? null;
  const fields: Example['fields'] = {
    title: s.contact.title, seniority: s.contact.seniority, department: s.contact.department, country: s.contact.country,
    email_kind: domain === null ? null : isFreeMailDomain(domain) ? 'free mail' : 'business',
    industry: s.account?.industry ?? null, employees: s.account?.employees ?? null, annual_revenue: s.account?.revenue ?? null,
    first_source: s.contact.firstSource, first_medium: s.contact.firstMedium, lead_source: s.lead?.source ?? null, latest_source: s.lead?.latestSource ?? null,
    activities_total: s.engagement.total, activities_30d: s.engagement.last30Days, distinct_content: s.engagement.distinctContent,
    days_since_last_activity: s.engagement.daysSinceLast,
  };
  for (const [type, n] of Object.entries(s.engagement.byType)) fields[`activity:${type}`] = n;
  for (const [key, v] of Object.entries(s.attributes)) {
    const value = scalar(v);
    if (value !== undefined) fields[`attr:${key}`] = value;
  }
  for (const [key, v] of Object.entries(s.accountAttributes)) {
    const value = scalar(v);
    if (value !== undefined) fields[`account_attr:${key}`] = value;
  }
  return fields;
}

/** Numbers (also numeric text such as "2143"), text and booleans; lists and objects are not features. */
function scalar(v: unknown): number | string | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^-?\d+(\.\d+)?$/.test(t) && t.length < 16) return Number(t);
    return t.slice(0, 200);
  }
  return undefined;
}

const fixed: Record<string, Omit<FieldInfo, 'name'>> = {
  title: { label: 'Job title', group: 'contact' }, seniority: { label: 'Seniority', group: 'contact' },
  department: { label: 'Department', group: 'contact' }, country: { label: 'Country', group: 'contact' },
  email_kind: { label: 'Email address', group: 'contact' },
  industry: { label: 'Industry', group: 'account' }, employees: { label: 'Employees', group: 'account' },
  annual_revenue: { label: 'Annual revenue', group: 'account' },
  first_source: { label: 'First touch source', group: 'touch' }, first_medium: { label: 'First touch medium', group: 'touch' },
  lead_source: { label: 'Lead source', group: 'touch' }, latest_source: { label: 'Latest touch source', group: 'touch' },
  activities_total: { label: 'Activities before', group: 'engagement' }, activities_30d: { label: 'Activities in the last 30 days', group: 'engagement' },
  distinct_content: { label: 'Different content consumed', group: 'engagement' }, days_since_last_activity: { label: 'Days since last activity', group: 'engagement' },
};

const words = (key: string) => {
  const s = key.replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** Every field seen in the examples, described: fixed ones by name, the rest from their key. */
export function describeFields(examples: Example[]): FieldInfo[] {
  const names = new Set<string>();
  for (const e of examples) for (const k of Object.keys(e.fields)) names.add(k);
  return [...names].sort().map((name): FieldInfo => {
    if (fixed[name]) return { name, ...fixed[name] };
    if (name.startsWith('activity:')) return { name, label: `${words(name.slice(9))} (count)`, group: 'engagement' };
    if (name.startsWith('account_attr:')) return { name, label: `Account: ${words(name.slice(13))}`, group: 'account' };
    return { name, label: words(name.replace(/^attr:/, '')), group: 'attribute' };
  });
}

export function toExample(s: PersonSnapshot): Example {
  return {
    id: s.leadId ?? s.contactId, at: s.at.getTime(), label: s.label, fields: fieldsOf(s),
    ruleScore: s.fitScore === null && s.engagementScore === null ? null : (s.fitScore ?? 0) + (s.engagementScore ?? 0),
  };
}
