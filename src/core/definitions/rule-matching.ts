import type { AccountFact, ActivityFact, ContactFact, ContentFact } from '../activity.ts';
import { canonicalPropertyKey, storedSpellings } from '../activity-vocabulary.rules.ts';
import type { ActivityCriteria, Condition } from './definition-schema.ts';

/**
 * Turns the declarative conditions of a definition into predicates, once per definition.
 * Matching runs per activity over millions of rows in a backtest, so predicates avoid
 * allocation and the URL of an activity is split at most once (ActivityView caches it).
 */

/** `/pricing*` → a case-insensitive, anchored RegExp; `*` is any run of characters, `?` one. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern.trim().toLowerCase()) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export type UrlParts = { path: string; hostPath: string };

/** Splits a URL (absolute or a bare path) into its lowercased path and host+path, without query or hash. */
export function splitUrl(url: string): UrlParts {
  let s = url.trim().toLowerCase();
  const scheme = s.indexOf('://');
  if (scheme >= 0 && scheme < 12) s = s.slice(scheme + 3);
  let end = s.length;
  const q = s.indexOf('?');
  if (q >= 0) end = q;
  const h = s.indexOf('#');
  if (h >= 0 && h < end) end = h;
  s = s.slice(0, end);
  if (s.startsWith('/')) return { path: s, hostPath: s };
  const slash = s.indexOf('/');
  const path = slash >= 0 ? s.slice(slash) : '/';
  return { path, hostPath: slash >= 0 ? s : `${s}/` };
}

/** A URL pattern starting with `/` is matched against the path; otherwise against host + path. */
export function compileUrlPattern(pattern: string): (parts: UrlParts) => boolean {
  const re = globToRegExp(pattern);
  return pattern.trim().startsWith('/') ? (p) => re.test(p.path) : (p) => re.test(p.hostPath);
}

/** One activity and its content asset, with the URL split lazily and cached. Reusable: call set(). */
export class ActivityView {
  activity!: ActivityFact;
  content: ContentFact | null = null;
  private parts: UrlParts | null | undefined;
  /** Split URLs by raw URL: sites have few distinct pages, so a backtest splits each once. Bounded. */
  private readonly urlCache = new Map<string, UrlParts>();

  set(activity: ActivityFact, content: ContentFact | null): this {
    this.activity = activity;
    this.content = content;
    this.parts = undefined;
    return this;
  }

  /** The activity's URL, falling back to its content asset's URL. */
  url(): UrlParts | null {
    if (this.parts === undefined) {
      const raw = this.activity.url ?? this.content?.url ?? null;
      if (!raw) this.parts = null;
      else {
        let parts = this.urlCache.get(raw);
        if (!parts) {
          if (this.urlCache.size >= 50_000) this.urlCache.clear();
          parts = splitUrl(raw);
          this.urlCache.set(raw, parts);
        }
        this.parts = parts;
      }
    }
    return this.parts;
  }
}

const norm = (v: unknown): string => (typeof v === 'string' ? v.trim().toLowerCase() : String(v));
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type ActivityPredicate = (view: ActivityView) => boolean;

/** Every given criterion must match; a list inside a criterion means any of its values. */
export function compileCriteria(criteria: ActivityCriteria): ActivityPredicate {
  const checks: ActivityPredicate[] = [];
  const types = list(criteria.type);
  if (types.length) {
    const set = new Set<string>(types);
    checks.push((v) => set.has(v.activity.type));
  }
  const contentIds = list(criteria.contentId);
  if (contentIds.length) {
    const set = new Set(contentIds);
    checks.push((v) => (v.activity.contentId !== null && set.has(v.activity.contentId)));
  }
  const textOf = (values: string[] | string | undefined, get: (v: ActivityView) => string | null | undefined): void => {
    const wanted = list(values);
    if (!wanted.length) return;
    const set = new Set(wanted.map(norm));
    checks.push((v) => {
      const actual = get(v);
      return actual !== null && actual !== undefined && set.has(norm(actual));
    });
  };
  textOf(criteria.format, (v) => v.content?.format);
  textOf(criteria.buyingStage, (v) => v.content?.buyingStage);
  textOf(criteria.campaign, (v) => v.activity.campaign);
  textOf(criteria.source, (v) => v.activity.source);
  textOf(criteria.medium, (v) => v.activity.medium);
  textOf(criteria.eventName, (v) => v.activity.eventName);
  const topics = list(criteria.topic);
  if (topics.length) {
    const set = new Set(topics.map(norm));
    checks.push((v) => (v.content ? v.content.topics.some((t) => set.has(norm(t))) : false));
  }
  const urls = list(criteria.url).map(compileUrlPattern);
  if (urls.length) {
    checks.push((v) => {
      const parts = v.url();
      return parts !== null && urls.some((test) => test(parts));
    });
  }
  // Keys go through the activity vocabulary: a rule written with `formId` reads `form_id`, and
  // history stored under an alias spelling still matches.
  for (const [key, expected] of Object.entries(criteria.properties ?? {})) {
    const set = new Set(list(expected).map(norm));
    const [canonical, ...others] = storedSpellings(canonicalPropertyKey(key)) as [string, ...string[]];
    checks.push((v) => {
      const props = v.activity.properties;
      let actual = props[canonical];
      for (let i = 0; actual === undefined && i < others.length; i++) actual = props[others[i]!];
      return actual !== null && actual !== undefined && typeof actual !== 'object' && set.has(norm(actual));
    });
  }
  if (checks.length === 1) return checks[0] as ActivityPredicate;
  return (v) => {
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

export type FitFacts = { contact: ContactFact; account: AccountFact | null };
type Getter = (f: FitFacts) => unknown;

/** Reads a fit field (`contact.title`, `account.attributes.plan`, ...) from the facts. */
export function fieldGetter(field: string): Getter | null {
  const custom = /^(contact|account)\.attributes\.(.+)$/.exec(field);
  if (custom) {
    const name = custom[2] as string;
    return custom[1] === 'contact' ? (f) => f.contact.attributes[name] : (f) => f.account?.attributes[name];
  }
  switch (field) {
    case 'contact.title': return (f) => f.contact.title;
    case 'contact.seniority': return (f) => f.contact.seniority;
    case 'contact.department': return (f) => f.contact.department;
    case 'contact.country': return (f) => f.contact.country;
    case 'contact.email': return (f) => f.contact.email;
    case 'contact.emailDomain': return (f) => emailDomain(f.contact.email);
    case 'contact.unsubscribed': return (f) => f.contact.unsubscribed;
    case 'account.name': return (f) => f.account?.name;
    case 'account.domain': return (f) => f.account?.domain;
    case 'account.industry': return (f) => f.account?.industry;
    case 'account.employeeCount': return (f) => f.account?.employeeCount;
    case 'account.country': return (f) => f.account?.country;
    case 'account.region': return (f) => f.account?.region;
    case 'account.annualRevenue': return (f) => f.account?.annualRevenue;
    default: return null;
  }
}

export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at >= 0 ? email.slice(at + 1).trim().toLowerCase() : null;
}

const present = (v: unknown): boolean => v !== null && v !== undefined && v !== '';
const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;

/** Compiles a fit/negative condition; text comparisons are case-insensitive. Missing values never match (unless `not`). */
export function compileCondition(condition: Condition): (facts: FitFacts) => boolean {
  const get = fieldGetter(condition.field) ?? (() => undefined);
  let test: (v: unknown) => boolean;
  switch (condition.op) {
    case 'equals': {
      const want = condition.value;
      test = typeof want === 'number' ? (v) => toNumber(v) === want
        : typeof want === 'boolean' ? (v) => v === want || (typeof v === 'string' && norm(v) === String(want))
          : (v) => present(v) && norm(v) === norm(want);
      break;
    }
    case 'in': {
      const set = new Set(condition.values.map(norm));
      test = (v) => present(v) && set.has(norm(v));
      break;
    }
    case 'contains': {
      const parts = condition.values.map(norm);
      test = (v) => {
        if (!present(v)) return false;
        const s = norm(v);
        return parts.some((p) => s.includes(p));
      };
      break;
    }
    case 'matches': {
      const re = new RegExp(condition.pattern, 'i');
      test = (v) => present(v) && re.test(String(v));
      break;
    }
    case 'gte': { const min = condition.value; test = (v) => toNumber(v) >= min; break; }
    case 'lte': { const max = condition.value; test = (v) => toNumber(v) <= max; break; }
    case 'between': { const { min, max } = condition; test = (v) => { const n = toNumber(v); return n >= min && n <= max; }; break; }
    case 'exists': test = present; break;
  }
  return condition.not ? (f) => !test(get(f)) : (f) => test(get(f));
}

/** all/any over compiled conditions. */
export function compileConditions(conditions: Condition[], match: 'all' | 'any'): (facts: FitFacts) => boolean {
  const tests = conditions.map(compileCondition);
  return match === 'any' ? (f) => tests.some((t) => t(f)) : (f) => tests.every((t) => t(f));
}
