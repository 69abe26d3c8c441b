import type { z } from 'zod';
import { fitFieldTypes, type ActivityCriteria, type Condition } from '../../../../src/core/definitions/definition-schema.ts';
import { fieldName } from '../../../../src/core/definitions/rule-labels.ts';
import type { pickersDto } from '../../../../src/server/contract/definitions.contract.ts';
import { humanize } from '../../ui/format.ts';

/**
 * How the definition editor and the plain-words view name things for people: content and forms by
 * title, activity types as acts, fields by label, and regular expressions in words when they are
 * the usual "any of these words" shape. Pure: the pickers' data comes in as `names`.
 */

export type Pickers = z.infer<typeof pickersDto>;
export type PickerContent = Pickers['content'][number];
export type PickerForm = Pickers['forms'][number];

export type DefinitionNames = { content: Map<string, PickerContent>; forms: Map<string, PickerForm>; fields: Map<string, string> };
export const emptyNames: DefinitionNames = { content: new Map(), forms: new Map(), fields: new Map() };

export function namesOf(p: Pickers | undefined): DefinitionNames {
  if (!p) return emptyNames;
  return {
    content: new Map(p.content.map((c) => [c.id, c])),
    forms: new Map(p.forms.map((f) => [f.id, f])),
    fields: new Map(p.fields.filter((f) => f.label).map((f) => [f.field, f.label as string])),
  };
}

const typeWords: Record<string, string> = {
  page_view: 'page view', screen_view: 'app screen view', content_view: 'content view', content_download: 'content download',
  form_submit: 'form submission', email_sent: 'email sent', email_open: 'email open', email_click: 'email click',
  email_bounce: 'email bounce', unsubscribe: 'unsubscribe', event_registered: 'event registration', event_attended: 'event attended',
  webinar_attended: 'webinar attended', meeting: 'meeting', sales_call: 'sales call', sales_email: 'sales email',
  sales_touch: 'other sales touch', content_rating: 'content rating', custom: 'custom event',
};
export const activityTypeLabel = (t: string) => typeWords[t] ?? t.replace(/_/g, ' ');

/** "Demo request" for `demo-request`: a form's id is the only name it has, so it is made readable. */
export const formTitle = (id: string) => humanize(id.replace(/[_-]+/g, ' ').trim()) || id;

const fieldLabels: Record<string, string> = {
  'contact.title': 'Job title', 'contact.seniority': 'Seniority', 'contact.department': 'Department', 'contact.country': 'Country (person)',
  'contact.email': 'Email address', 'contact.emailDomain': 'Email domain', 'contact.unsubscribed': 'Unsubscribed',
  'account.name': 'Company name', 'account.domain': 'Company domain', 'account.industry': 'Industry',
  'account.employeeCount': 'Employees', 'account.country': 'Country (company)', 'account.region': 'Region', 'account.annualRevenue': 'Annual revenue',
};

/** "Job title", "Employees", a custom field's declared label, or its key in words. */
export function fieldLabel(field: string, names: DefinitionNames = emptyNames): string {
  const known = fieldLabels[field] ?? names.fields.get(field);
  if (known) return known;
  const custom = /^(contact|account)\.attributes\.(.+)$/.exec(field);
  return custom ? `${humanize(fieldName(field))} (${custom[1]})` : humanize(fieldName(field));
}

export type FieldType = 'text' | 'number' | 'boolean' | 'any';
export const fieldType = (field: string): FieldType => (fitFieldTypes as Record<string, FieldType | undefined>)[field] ?? 'any';

export const opLabels: Record<Condition['op'], string> = {
  equals: 'is', in: 'is one of', contains: 'contains any of', matches: 'matches the pattern', gte: 'is at least', lte: 'is at most', between: 'is between', exists: 'is known',
};
/** The operators that make sense for a field (checked the same way by the server). */
export function opsFor(type: FieldType): Condition['op'][] {
  if (type === 'number') return ['equals', 'in', 'gte', 'lte', 'between', 'exists'];
  if (type === 'boolean') return ['equals', 'exists'];
  if (type === 'text') return ['equals', 'in', 'contains', 'matches', 'exists'];
  return ['equals', 'in', 'contains', 'matches', 'gte', 'lte', 'between', 'exists'];
}

const orList = (values: readonly unknown[], word = 'or'): string => {
  const v = values.map(String);
  return v.length <= 1 ? (v[0] ?? '') : `${v.slice(0, -1).join(', ')} ${word} ${v[v.length - 1]}`;
};
const quoted = (values: readonly unknown[]) => orList(values.map((v) => `“${String(v)}”`));

/**
 * A regular expression in words when it is one of the shapes people write: `\b(vp|chief)\b` →
 * has the word “vp” or “chief”; `^foo` → starts with “foo”; a plain word → contains “foo”.
 * Anything else is shown as the pattern itself, said to be one.
 */
export function describePattern(pattern: string): string {
  const literal = /^[\w .,'&@/+-]+$/;
  const words = /^\\b\(?((?:[^()|\\]+\|?)+)\)?\\b$/.exec(pattern);
  if (words) {
    const alts = (words[1] as string).split('|').filter(Boolean);
    if (alts.every((a) => literal.test(a))) return `has the word${alts.length > 1 ? 's' : ''} ${quoted(alts)}`;
  }
  const group = (s: string) => /^\(?((?:[^()|\\]+\|?)+)\)?$/.exec(s)?.[1]?.split('|').filter(Boolean) ?? null;
  const starts = /^\^(.+)$/.exec(pattern);
  if (starts && !pattern.endsWith('$')) {
    const alts = group(starts[1] as string);
    if (alts?.every((a) => literal.test(a))) return `starts with ${quoted(alts)}`;
  }
  const ends = /^(.+)\$$/.exec(pattern);
  if (ends && !pattern.startsWith('^')) {
    const alts = group(ends[1] as string);
    if (alts?.every((a) => literal.test(a))) return `ends with ${quoted(alts)}`;
  }
  const plain = group(pattern);
  if (plain?.every((a) => literal.test(a))) return `contains ${quoted(plain)}`;
  return `matches the pattern ${pattern}`;
}

/** Whether a pattern compiles the way matching compiles it (case-insensitive); the problem in words when not. */
export function patternProblem(pattern: string): string | null {
  if (!pattern) return 'Type a pattern, e.g. \\b(vp|chief)\\b for either word.';
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (e) {
    return `Not a valid pattern: ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)}`;
  }
}

export function describeCondition(c: Condition, names: DefinitionNames = emptyNames): string {
  const name = fieldLabel(c.field, names).toLowerCase();
  const not = !!c.not;
  switch (c.op) {
    case 'equals':
      if (typeof c.value === 'boolean') return (c.value !== not) ? `${name}` : `not ${name}`;
      return `${name} is${not ? ' not' : ''} ${c.value}`;
    case 'in': return `${name} is${not ? ' not' : ''} ${orList(c.values)}`;
    case 'contains': return `${name} ${not ? 'does not contain' : 'contains'} ${quoted(c.values)}`;
    case 'matches': return `${name} ${not ? 'does not match: ' : ''}${describePattern(c.pattern)}`;
    case 'gte': return `${name} ${not ? 'below' : 'at least'} ${c.value.toLocaleString()}`;
    case 'lte': return `${name} ${not ? 'above' : 'at most'} ${c.value.toLocaleString()}`;
    case 'between': return `${name} ${not ? 'outside' : ''} ${c.min.toLocaleString()}–${c.max.toLocaleString()}`.replace(/\s+/g, ' ');
    case 'exists': return `${name} ${not ? 'is missing' : 'is known'}`;
  }
}

export const describeConditions = (rule: { conditions: Condition[]; match?: 'all' | 'any' }, names?: DefinitionNames) =>
  rule.conditions.map((c) => describeCondition(c, names)).join(rule.match === 'any' ? ' or ' : ' and ');

export const asList = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** `/pricing*` → pages under /pricing; `/demo` → the page /demo; anything else is quoted. */
export function describeUrl(pattern: string): string {
  if (/^[^*?]+\*$/.test(pattern)) return `pages under ${pattern.slice(0, -1)}`;
  if (!/[*?]/.test(pattern)) return `the page ${pattern}`;
  return `pages like ${pattern}`;
}

export function contentTitle(id: string, names: DefinitionNames): string {
  const c = names.content.get(id);
  return c ? `“${c.title}”` : `content ${id.slice(0, 8)}… (not in the library)`;
}

/** The form ids a rule matches (the vocabulary's `form_id`, or the older `formId` spelling). */
export function formIdsOf(c: ActivityCriteria): string[] {
  const p = c.properties ?? {};
  return asList(p.form_id ?? p.formId).map(String);
}

/** "form submission of the Demo request form", "content download (ebook) of “Pricing guide”". */
export function describeCriteria(c: ActivityCriteria, names: DefinitionNames = emptyNames): string {
  const forms = formIdsOf(c);
  const types = asList(c.type).filter((t) => !(forms.length && t === 'form_submit')).map(activityTypeLabel);
  const parts: string[] = [];
  if (forms.length) parts.push(`${orList(forms.map((f) => `the ${formTitle(f)} form`))} submitted`);
  if (types.length) parts.push(orList(types));
  if (!forms.length && !types.length) parts.push('any activity');
  const of: string[] = [];
  for (const id of asList(c.contentId)) of.push(contentTitle(id, names));
  for (const u of asList(c.url)) of.push(describeUrl(u));
  let text = parts.join(', ');
  if (of.length) text += ` of ${orList(of)}`;
  const extra: string[] = [];
  const add = (name: string, v: string | string[] | undefined) => { if (asList(v).length) extra.push(`${name} ${orList(asList(v).map((x) => x.replace(/_/g, ' ')))}`); };
  add('format', c.format);
  add('buying stage', c.buyingStage);
  add('topic', c.topic);
  add('campaign', c.campaign);
  add('source', c.source);
  add('medium', c.medium);
  add('event', c.eventName);
  for (const [key, value] of Object.entries(c.properties ?? {})) {
    if (key === 'form_id' || key === 'formId') continue;
    extra.push(`${key.replace(/_/g, ' ')} ${orList(asList(value))}`);
  }
  return extra.length ? `${text} (${extra.join('; ')})` : text;
}

/**
 * Change lines and explanations come from the server with content ids in them ("content 01a23a3c-…"):
 * known ids are replaced by the asset's title, so the diff reads like the form.
 */
export function withTitles(text: string, names: DefinitionNames): string {
  if (!names.content.size) return text;
  return text.replace(/(?:content )?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi, (whole, id: string) => {
    const c = names.content.get(id.toLowerCase()) ?? names.content.get(id);
    return c ? `“${c.title}”` : whole;
  });
}
