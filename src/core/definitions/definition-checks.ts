import type { ErrorDetail } from '../result.ts';
import {
  activityCriteriaKeys, fitFieldTypes, fitGrades, engagementLevels, type ActivityCriteria, type Condition,
  type LeadDefinition,
} from './definition-schema.ts';

/**
 * What a definition may refer to in its workspace. Custom fields are listed by name (`plan`),
 * or qualified by entity (`contact.plan`, `account.plan`) when contacts and accounts differ.
 */
export type DefinitionRefs = { contentIds: ReadonlySet<string>; customFields: ReadonlySet<string> };

type Add = (path: string, message: string) => void;

/** The meaning checks that a schema cannot express; every problem is reported with its path. */
export function checkDefinition(def: LeadDefinition, refs: DefinitionRefs): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const add: Add = (path, message) => details.push({ path, message });

  uniqueIds(def.fit.rules, 'fit.rules', add);
  def.fit.rules.forEach((rule, i) => rule.conditions.forEach((c, j) => checkCondition(c, `fit.rules[${i}].conditions[${j}]`, refs, add)));
  checkBands(def.fit.grades.map((b) => ({ name: b.grade, min: b.min })), fitGrades.map(String), 'fit.grades', 'grade', add);

  uniqueIds(def.engagement.rules, 'engagement.rules', add);
  def.engagement.rules.forEach((rule, i) => checkCriteria(rule, `engagement.rules[${i}]`, refs, add));
  checkBands(def.engagement.levels.map((b) => ({ name: String(b.level), min: b.min })), engagementLevels.map(String), 'engagement.levels', 'level', add);

  uniqueIds(def.mql.handRaises, 'mql.handRaises', add);
  def.mql.handRaises.forEach((rule, i) => checkCriteria(rule, `mql.handRaises[${i}]`, refs, add));
  const seen = new Set<string>();
  def.mql.ratings.forEach((r, i) => {
    if (seen.has(r)) add(`mql.ratings[${i}]`, `'${r}' is listed twice`);
    seen.add(r);
  });
  const cells = new Set(Object.values(def.rating.matrix).flat());
  const reachable = def.mql.ratings.some((r) => cells.has(r));
  if (!reachable && def.mql.handRaises.length === 0 && !(def.predicted ?? []).some((r) => r.use === 'mql')) {
    add('mql.ratings', `no cell of the rating matrix is ${def.mql.ratings.map((r) => `'${r}'`).join(' or ') || 'listed'} and there are no hand-raises, so no lead could ever qualify`);
  }

  checkInquiry(def, refs, add);

  def.highIntent.contentIds.forEach((id, i) => {
    if (!refs.contentIds.has(id)) add(`highIntent.contentIds[${i}]`, `content asset ${id} does not exist`);
  });
  def.highIntent.urls.forEach((u, i) => checkUrlPattern(u, `highIntent.urls[${i}]`, add));

  uniqueIds(def.negative, 'negative', add);
  def.negative.forEach((rule, i) => {
    rule.conditions.forEach((c, j) => checkCondition(c, `negative[${i}].conditions[${j}]`, refs, add));
    if (rule.exclude === undefined && rule.points === undefined) add(`negative[${i}]`, 'say what the rule does: `exclude: true` (never MQL) or negative `points`');
    if (rule.exclude !== undefined && rule.points !== undefined) add(`negative[${i}]`, 'use either `exclude: true` or `points`, not both');
  });

  checkPredicted(def, add);
  checkSla(def, add);
  return details;
}

/** Predicted rules: fit and engagement give points, an MQL condition needs its threshold (and gives no points). */
function checkPredicted(def: LeadDefinition, add: Add): void {
  const rules = def.predicted ?? [];
  uniqueIds(rules, 'predicted', add);
  rules.forEach((rule, i) => {
    if (rule.use === 'mql') {
      if (rule.minProbability === undefined) add(`predicted[${i}].minProbability`, 'an MQL condition needs `minProbability` (e.g. 0.4: qualifies at a 40% probability or more)');
      if (rule.points !== undefined) add(`predicted[${i}].points`, 'an MQL condition gives no points: remove `points`, or use `use: fit` or `use: engagement`');
    } else if (rule.points === undefined) {
      add(`predicted[${i}].points`, `say how many ${rule.use} points the model is worth: \`points\` (scaled by the probability, or given in full from \`minProbability\`)`);
    }
  });
}

/** Inquiry activities are criteria like engagement rules; engaged.rules must name engagement rules. */
function checkInquiry(def: LeadDefinition, refs: DefinitionRefs, add: Add): void {
  uniqueIds(def.inquiry.activities, 'inquiry.activities', add);
  def.inquiry.activities.forEach((rule, i) => checkCriteria(rule, `inquiry.activities[${i}]`, refs, add));
  const engagementIds = new Set(def.engagement.rules.map((r) => r.id));
  def.inquiry.engaged?.rules?.forEach((id, i) => {
    if (!engagementIds.has(id)) add(`inquiry.engaged.rules[${i}]`, `engagement rule '${id}' does not exist; use one of ${[...engagementIds].join(', ') || '(none defined)'}`);
  });
}

function uniqueIds(rules: readonly { id: string }[], path: string, add: Add): void {
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) add(`${path}[${i}].id`, `id '${rule.id}' is already used by ${path}[${first}]`);
    else seen.set(rule.id, i);
  });
}

const numericOps = new Set(['gte', 'lte', 'between']);
const textOps = new Set(['contains', 'matches']);

function checkCondition(c: Condition, path: string, refs: DefinitionRefs, add: Add): void {
  const custom = /^(contact|account)\.attributes\.(.+)$/.exec(c.field);
  let type: 'text' | 'number' | 'boolean' | 'any';
  if (custom) {
    const [, entity, name] = custom as unknown as [string, string, string];
    if (!refs.customFields.has(name) && !refs.customFields.has(`${entity}.${name}`)) {
      add(`${path}.field`, `custom field '${name}' does not exist`);
      return;
    }
    type = 'any';
  } else if (Object.hasOwn(fitFieldTypes, c.field)) {
    type = fitFieldTypes[c.field as keyof typeof fitFieldTypes];
  } else {
    add(`${path}.field`, `unknown field '${c.field}'; use one of ${Object.keys(fitFieldTypes).join(', ')}, contact.attributes.<name> or account.attributes.<name>`);
    return;
  }
  if (numericOps.has(c.op) && (type === 'text' || type === 'boolean')) {
    add(`${path}.op`, `'${c.op}' compares numbers but ${c.field} is ${type}`);
  }
  if (textOps.has(c.op) && (type === 'number' || type === 'boolean')) {
    add(`${path}.op`, `'${c.op}' compares text but ${c.field} is a ${type}`);
  }
  if (c.op === 'equals' && type === 'boolean' && typeof c.value !== 'boolean') add(`${path}.value`, `${c.field} is true or false`);
  if (c.op === 'equals' && type === 'number' && typeof c.value !== 'number') add(`${path}.value`, `${c.field} is a number`);
  if (c.op === 'between' && c.min > c.max) add(`${path}.max`, `max (${c.max}) is below min (${c.min})`);
  if (c.op === 'matches') {
    try {
      new RegExp(c.pattern, 'i');
    } catch (error) {
      add(`${path}.pattern`, `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function checkCriteria(rule: ActivityCriteria, path: string, refs: DefinitionRefs, add: Add): void {
  if (!activityCriteriaKeys.some((k) => rule[k] !== undefined)) {
    add(path, `a rule needs at least one condition (${activityCriteriaKeys.join(', ')}); without one it would match every activity`);
  }
  const ids = rule.contentId === undefined ? [] : Array.isArray(rule.contentId) ? rule.contentId : [rule.contentId];
  ids.forEach((id, i) => {
    if (!refs.contentIds.has(id)) add(Array.isArray(rule.contentId) ? `${path}.contentId[${i}]` : `${path}.contentId`, `content asset ${id} does not exist`);
  });
  const urls = rule.url === undefined ? [] : Array.isArray(rule.url) ? rule.url : [rule.url];
  urls.forEach((u, i) => checkUrlPattern(u, Array.isArray(rule.url) ? `${path}.url[${i}]` : `${path}.url`, add));
  if (rule.properties && Object.keys(rule.properties).length === 0) add(`${path}.properties`, 'name at least one property, or leave it out');
}

function checkUrlPattern(pattern: string, path: string, add: Add): void {
  const p = pattern.trim();
  if (!p || /^\*+$/.test(p)) add(path, 'a URL pattern must say something more than "*"');
  if (/\s/.test(p)) add(path, 'a URL pattern cannot contain spaces');
}

/**
 * Bands are listed best first (A..D, 1..4), each with the minimum score that reaches it; the
 * last has no minimum and catches everything below. That shape makes gaps impossible, so the
 * checks are: every band once and in order, strictly decreasing minimums (equal minimums would
 * make a band unreachable — an overlap), and an open floor.
 */
function checkBands(bands: { name: string; min: number | undefined }[], names: string[], path: string, word: string, add: Add): void {
  const got = bands.map((b) => b.name);
  if (got.join() !== names.join()) {
    const missing = names.filter((n) => !got.includes(n));
    const dup = got.filter((n, i) => got.indexOf(n) !== i);
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${word} ${missing.join(', ')}`);
    if (dup.length) parts.push(`${word} ${[...new Set(dup)].join(', ')} listed twice`);
    if (!parts.length) parts.push(`out of order (${got.join(', ')})`);
    add(path, `${parts.join('; ')}: list every ${word} once, best first: ${names.join(', ')}`);
    return;
  }
  bands.forEach((band, i) => {
    const last = i === bands.length - 1;
    if (last) {
      if (band.min !== undefined) add(`${path}[${i}].min`, `gap: scores below ${band.min} would fall in no ${word}; leave out min on the lowest ${word} (${band.name})`);
      return;
    }
    if (band.min === undefined) {
      add(`${path}[${i}].min`, `${word} ${band.name} needs a minimum score (only the lowest ${word} is open-ended)`);
      return;
    }
    const prev = bands[i - 1];
    if (prev?.min !== undefined && band.min >= prev.min) {
      const what = band.min === prev.min ? 'overlaps' : 'is out of order with';
      add(`${path}[${i}].min`, `${word} ${band.name} starts at ${band.min}, which ${what} ${word} ${prev.name} (starts at ${prev.min}); minimums must decrease from ${names[0]} to ${names[names.length - 1]}`);
    }
  });
}

function checkSla(def: LeadDefinition, add: Add): void {
  const bh = def.sla.businessHours;
  if (!validTimeZone(bh.timezone)) add('sla.businessHours.timezone', `unknown time zone '${bh.timezone}' (use an IANA name such as Europe/Berlin)`);
  if (bh.start >= bh.end) add('sla.businessHours.end', `business hours end (${bh.end}) must be after they start (${bh.start})`);
  const days = new Set<string>();
  bh.days.forEach((d, i) => {
    if (days.has(d)) add(`sla.businessHours.days[${i}]`, `'${d}' is listed twice`);
    days.add(d);
  });
  def.sla.holidays.forEach((h, i) => {
    const date = new Date(`${h}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== h) add(`sla.holidays[${i}]`, `'${h}' is not a calendar date`);
  });
  const last = new Map<string, number>();
  def.sla.escalation.forEach((step, i) => {
    const prev = last.get(step.on);
    if (prev !== undefined && step.afterBusinessHours < prev) {
      add(`sla.escalation[${i}].afterBusinessHours`, `escalation steps for '${step.on}' must be in time order (${step.afterBusinessHours} comes after ${prev})`);
    }
    last.set(step.on, step.afterBusinessHours);
  });
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
