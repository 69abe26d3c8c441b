import type { ActivityCriteria, Condition, FitRule, InquiryRule, NegativeRule } from './definition-schema.ts';

/**
 * Words for rules, for marketers: a rule's own `label` when it has one, otherwise one generated
 * from its conditions ("employee count 200–1000", "page view of /pricing*"). Explanations and
 * diffs use these, so a rule reads the same everywhere.
 */

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const orList = (values: readonly unknown[]): string => values.map(String).join(' or ');

/** `contact.emailDomain` → "email domain", `account.attributes.plan_tier` → "plan tier". */
export function fieldName(field: string): string {
  const custom = /^(?:contact|account)\.attributes\.(.+)$/.exec(field);
  const raw = custom ? (custom[1] as string) : field.replace(/^(contact|account)\./, '');
  return raw.replace(/[_.]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function describeCondition(c: Condition): string {
  const name = fieldName(c.field);
  let text: string;
  switch (c.op) {
    case 'equals': text = typeof c.value === 'boolean' ? (c.value ? name : `not ${name}`) : `${name} is ${c.value}`; break;
    case 'in': text = `${name} is ${orList(c.values)}`; break;
    case 'contains': text = `${name} contains ${orList(c.values.map((v) => `"${v}"`))}`; break;
    case 'matches': text = `${name} matches /${c.pattern}/`; break;
    case 'gte': text = `${name} ≥ ${c.value}`; break;
    case 'lte': text = `${name} ≤ ${c.value}`; break;
    case 'between': text = `${name} ${c.min}–${c.max}`; break;
    case 'exists': text = `${name} is known`; break;
  }
  return c.not ? `not (${text})` : text;
}

export function describeConditions(rule: { conditions: Condition[]; match: 'all' | 'any' }): string {
  return rule.conditions.map(describeCondition).join(rule.match === 'any' ? ' or ' : ' and ');
}

export function fitRuleLabel(rule: FitRule | NegativeRule): string {
  return rule.label ?? describeConditions(rule);
}

/** "page view of /pricing*", "content download (format case_study)", "form submit (formId demo-request)". */
export function describeCriteria(c: ActivityCriteria): string {
  const types = list(c.type).map((t) => t.replace(/_/g, ' '));
  let text = types.length ? orList(types) : 'activity';
  const urls = list(c.url);
  if (urls.length) text += ` of ${orList(urls)}`;
  const ids = list(c.contentId);
  if (ids.length) text += ` of content ${orList(ids)}`;
  const extra: string[] = [];
  const add = (name: string, v: string | string[] | undefined): void => {
    const values = list(v);
    if (values.length) extra.push(`${name} ${orList(values)}`);
  };
  add('format', c.format);
  add('buying stage', c.buyingStage);
  add('topic', c.topic);
  add('campaign', c.campaign);
  add('source', c.source);
  add('medium', c.medium);
  add('event', c.eventName);
  for (const [key, value] of Object.entries(c.properties ?? {})) extra.push(`${key} ${orList(list(value))}`);
  return extra.length ? `${text} (${extra.join(', ')})` : text;
}

export function activityRuleLabel(rule: ActivityCriteria & { label?: string | undefined }): string {
  return rule.label ?? describeCriteria(rule);
}

/** "a known person with 1 engagement signal (any rule giving points)", or "nobody" when engagement alone never opens one. */
export function describeEngagedInquiry(engaged: InquiryRule['engaged']): string {
  if (!engaged) return 'nobody (engagement alone never opens an inquiry)';
  const n = engaged.minSignals;
  const of = engaged.rules ? `of ${engaged.rules.join(', ')}` : '(any rule giving points)';
  return `a known person with ${n} engagement signal${n === 1 ? '' : 's'} ${of}`;
}
