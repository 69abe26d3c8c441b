import { canonicalPropertyKey } from '../activity-vocabulary.rules.ts';
import {
  fitGrades, type ActivityCriteria, type Cap, type EngagementRule, type FitRule, type HandRaise, type LeadDefinition,
  type NegativeRule, type PredictedRule, type SlaPolicy,
} from './definition-schema.ts';
import { activityRuleLabel, describeConditions, describeCriteria, describeEngagedInquiry, fitRuleLabel } from './rule-labels.ts';

/**
 * What changed between two definition versions, in words a marketer understands:
 * "Fit: 'Title is VP or C-level' now +40 points (was +30)", "MQL rule: warm ratings no longer
 * qualify", "High-intent list: added /pricing*". Rules are paired by id, so a renamed rule is a
 * rename, not a removal plus an addition.
 */

export type DefinitionChangeArea =
  | 'General' | 'Fit' | 'Fit grades' | 'Negative rules' | 'Engagement' | 'Engagement levels' | 'Rating'
  | 'Inquiry rule' | 'MQL rule' | 'High-intent list' | 'Predicted' | 'Inbox order' | 'SLA';
export type DefinitionChange = { area: DefinitionChangeArea; text: string };

const pts = (n: number): string => `${n >= 0 ? '+' : ''}${n} points`;
const q = (s: string): string => `'${s}'`;

/** Stable JSON (sorted keys) for comparing conditions regardless of key order. */
function canon(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canon(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function criteriaOf(rule: ActivityCriteria): ActivityCriteria {
  const { type, contentId, format, buyingStage, topic, url, campaign, source, medium, eventName, properties } = rule;
  // `formId` and `form_id` name the same property (the activity vocabulary): not a change.
  const keyed = properties && Object.fromEntries(Object.entries(properties).map(([k, v]) => [canonicalPropertyKey(k), v]));
  return { type, contentId, format, buyingStage, topic, url, campaign, source, medium, eventName, properties: keyed };
}

/** Pairs rules by id and reports added, removed and changed ones through the callbacks. */
function pairById<T extends { id: string }>(
  before: readonly T[], after: readonly T[],
  on: { added: (r: T) => void; removed: (r: T) => void; both: (a: T, b: T) => void },
): void {
  const old = new Map(before.map((r) => [r.id, r]));
  const next = new Set(after.map((r) => r.id));
  for (const r of before) if (!next.has(r.id)) on.removed(r);
  for (const r of after) {
    const prev = old.get(r.id);
    if (prev) on.both(prev, r);
    else on.added(r);
  }
}

const capText = (cap: Cap | undefined): string => (cap ? `${cap.max} per ${cap.perDays} days` : 'uncapped');
const decayText = (days: number | null | undefined, global: number | null): string =>
  days === undefined
    ? `${global === null ? 'never decays' : `halves every ${global} days`}, the default`
    : days === null ? 'never decays' : `halves every ${days} days`;

/** @example diffDefinitions(v2, v3) // [{ area: 'Fit', text: "Fit: 'Title is VP or C-level' now +40 points (was +30)" }, ...] */
export function diffDefinitions(a: LeadDefinition, b: LeadDefinition): DefinitionChange[] {
  const out: DefinitionChange[] = [];
  const add = (area: DefinitionChangeArea, text: string): void => { out.push({ area, text: `${area}: ${text}` }); };

  if (a.name !== b.name) add('General', `renamed to ${q(b.name)} (was ${q(a.name)})`);
  if ((a.description ?? '') !== (b.description ?? '')) add('General', 'description changed');

  const fitRule = (area: 'Fit', x: FitRule, y: FitRule): void => {
    const name = q(fitRuleLabel(y));
    if (fitRuleLabel(x) !== fitRuleLabel(y)) add(area, `${q(fitRuleLabel(x))} renamed to ${name}`);
    if (x.points !== y.points) add(area, `${name} now ${pts(y.points)} (was ${x.points >= 0 ? '+' : ''}${x.points})`);
    if (canon([x.conditions, x.match]) !== canon([y.conditions, y.match])) add(area, `${name} now applies when ${describeConditions(y)} (was ${describeConditions(x)})`);
  };
  pairById(a.fit.rules, b.fit.rules, {
    added: (r) => add('Fit', `new rule ${q(fitRuleLabel(r))} gives ${pts(r.points)} when ${describeConditions(r)}`),
    removed: (r) => add('Fit', `removed ${q(fitRuleLabel(r))} (was ${pts(r.points)})`),
    both: (x, y) => fitRule('Fit', x, y),
  });
  bands(a.fit.grades.map((g) => [g.grade, g.min]), b.fit.grades.map((g) => [g.grade, g.min]), (name, was, now) =>
    add('Fit grades', `grade ${name} now starts at ${now ?? 'the bottom'} points (was ${was ?? 'the bottom'})`));

  const effect = (r: NegativeRule): string => (r.exclude ? 'excludes the lead from MQL' : `gives ${pts(r.points ?? 0)}`);
  pairById(a.negative, b.negative, {
    added: (r) => add('Negative rules', `new rule ${q(fitRuleLabel(r))} ${effect(r)} when ${describeConditions(r)}`),
    removed: (r) => add('Negative rules', `removed ${q(fitRuleLabel(r))} (it ${effect(r)})`),
    both: (x, y) => {
      const name = q(fitRuleLabel(y));
      if (fitRuleLabel(x) !== fitRuleLabel(y)) add('Negative rules', `${q(fitRuleLabel(x))} renamed to ${name}`);
      if (effect(x) !== effect(y)) add('Negative rules', `${name} now ${effect(y)} (it ${effect(x)})`);
      if (canon([x.conditions, x.match]) !== canon([y.conditions, y.match])) add('Negative rules', `${name} now applies when ${describeConditions(y)} (was ${describeConditions(x)})`);
    },
  });

  if (a.engagement.halfLifeDays !== b.engagement.halfLifeDays) {
    const t = (d: number | null): string => (d === null ? 'never decay' : `halve every ${d} days`);
    add('Engagement', `points now ${t(b.engagement.halfLifeDays)} (was ${t(a.engagement.halfLifeDays).replace('halve', 'halved').replace('never decay', 'never decayed')})`);
  }
  pairById(a.engagement.rules, b.engagement.rules, {
    added: (r) => add('Engagement', `new rule ${q(activityRuleLabel(r))} gives ${pts(r.points)} for ${describeCriteria(r)}${r.cap ? `, capped at ${capText(r.cap)}` : ''}`),
    removed: (r) => add('Engagement', `removed ${q(activityRuleLabel(r))} (was ${pts(r.points)})`),
    both: (x, y) => engagementRule(x, y, a.engagement.halfLifeDays, b.engagement.halfLifeDays, add),
  });
  bands(a.engagement.levels.map((l) => [String(l.level), l.min]), b.engagement.levels.map((l) => [String(l.level), l.min]), (name, was, now) =>
    add('Engagement levels', `level ${name} now starts at ${now ?? 'the bottom'} points (was ${was ?? 'the bottom'})`));

  for (const grade of fitGrades) {
    for (let i = 0; i < 4; i++) {
      const was = a.rating.matrix[grade][i];
      const now = b.rating.matrix[grade][i];
      if (was !== now) add('Rating', `${grade}${i + 1} is now ${now} (was ${was})`);
    }
  }

  pairById(a.inquiry.activities, b.inquiry.activities, {
    added: (r) => add('Inquiry rule', `a known person's ${describeCriteria(r)} now opens an inquiry ('${activityRuleLabel(r)}')`),
    removed: (r) => add('Inquiry rule', `${q(activityRuleLabel(r))} no longer opens an inquiry`),
    both: (x, y) => {
      if (activityRuleLabel(x) !== activityRuleLabel(y)) add('Inquiry rule', `${q(activityRuleLabel(x))} renamed to ${q(activityRuleLabel(y))}`);
      if (canon(criteriaOf(x)) !== canon(criteriaOf(y))) add('Inquiry rule', `${q(activityRuleLabel(y))} now fires on ${describeCriteria(y)} (was ${describeCriteria(x)})`);
    },
  });
  if (canon(a.inquiry.engaged) !== canon(b.inquiry.engaged)) {
    add('Inquiry rule', `engagement now opens an inquiry for ${describeEngagedInquiry(b.inquiry.engaged)} (was ${describeEngagedInquiry(a.inquiry.engaged)})`);
  }

  for (const r of b.mql.ratings) if (!a.mql.ratings.includes(r)) add('MQL rule', `${r} ratings now qualify`);
  for (const r of a.mql.ratings) if (!b.mql.ratings.includes(r)) add('MQL rule', `${r} ratings no longer qualify`);
  pairById(a.mql.handRaises, b.mql.handRaises, {
    added: (r) => add('MQL rule', `new hand-raise ${q(activityRuleLabel(r))} (${describeCriteria(r)}) qualifies immediately at fit ${r.minFitGrade} or better`),
    removed: (r) => add('MQL rule', `${q(activityRuleLabel(r))} no longer qualifies immediately`),
    both: (x: HandRaise, y: HandRaise) => {
      const name = q(activityRuleLabel(y));
      if (activityRuleLabel(x) !== activityRuleLabel(y)) add('MQL rule', `hand-raise ${q(activityRuleLabel(x))} renamed to ${name}`);
      if (x.minFitGrade !== y.minFitGrade) add('MQL rule', `hand-raise ${name} now needs fit ${y.minFitGrade} or better (was ${x.minFitGrade})`);
      if (canon(criteriaOf(x)) !== canon(criteriaOf(y))) add('MQL rule', `hand-raise ${name} now fires on ${describeCriteria(y)} (was ${describeCriteria(x)})`);
    },
  });

  listDiff(a.highIntent.urls, b.highIntent.urls, (v) => add('High-intent list', `added ${v}`), (v) => add('High-intent list', `removed ${v}`));
  listDiff(a.highIntent.contentIds, b.highIntent.contentIds, (v) => add('High-intent list', `added content ${v}`), (v) => add('High-intent list', `removed content ${v}`));
  if (canon(a.highIntent.activityTypes ?? null) !== canon(b.highIntent.activityTypes ?? null)) {
    const t = (x: string[] | undefined): string => (x ? x.join(', ').replace(/_/g, ' ') : 'the default activities');
    add('High-intent list', `now counts ${t(b.highIntent.activityTypes)} (was ${t(a.highIntent.activityTypes)})`);
  }

  const predictedWords = (r: PredictedRule): string => {
    const model = `model ${r.model}`;
    if (r.use === 'mql') return `MQL when ${model} gives ≥ ${Math.round((r.minProbability ?? 0) * 100)}%`;
    return r.minProbability !== undefined ? `${pts(r.points ?? 0)} of ${r.use} when ${model} gives ≥ ${Math.round(r.minProbability * 100)}%` : `${pts(r.points ?? 0)} of ${r.use} × the probability from ${model}`;
  };
  pairById(a.predicted ?? [], b.predicted ?? [], {
    added: (r) => add('Predicted', `new rule ${q(r.label ?? r.id)}: ${predictedWords(r)}`),
    removed: (r) => add('Predicted', `rule ${q(r.label ?? r.id)} removed (was: ${predictedWords(r)})`),
    both: (x, y) => { if (canon(x) !== canon(y)) add('Predicted', `${q(y.label ?? y.id)} now ${predictedWords(y)} (was ${predictedWords(x)})`); },
  });
  const inboxWords = (i: LeadDefinition['inbox']): string => (i?.sort === 'predicted' ? `most likely first by model ${i.model}` : 'the usual priority');
  if (canon(a.inbox ?? { sort: 'priority' }) !== canon(b.inbox ?? { sort: 'priority' })) add('Inbox order', `now ${inboxWords(b.inbox)} (was ${inboxWords(a.inbox)})`);

  sla(a.sla, b.sla, (text) => add('SLA', text));
  return out;
}

function engagementRule(
  x: EngagementRule, y: EngagementRule, globalA: number | null, globalB: number | null,
  add: (area: DefinitionChangeArea, text: string) => void,
): void {
  const name = q(activityRuleLabel(y));
  if (activityRuleLabel(x) !== activityRuleLabel(y)) add('Engagement', `${q(activityRuleLabel(x))} renamed to ${name}`);
  if (x.points !== y.points) add('Engagement', `${name} now ${pts(y.points)} (was ${x.points >= 0 ? '+' : ''}${x.points})`);
  if (canon(criteriaOf(x)) !== canon(criteriaOf(y))) add('Engagement', `${name} now counts ${describeCriteria(y)} (was ${describeCriteria(x)})`);
  if (canon(x.cap ?? null) !== canon(y.cap ?? null)) {
    add('Engagement', y.cap ? `${name} now capped at ${capText(y.cap)} (was ${capText(x.cap)})` : `${name} no longer capped (was ${capText(x.cap)})`);
  }
  if (x.halfLifeDays !== y.halfLifeDays) {
    add('Engagement', `${name} now ${decayText(y.halfLifeDays, globalB)} (was: ${decayText(x.halfLifeDays, globalA)})`);
  }
}

function bands(a: [string, number | undefined][], b: [string, number | undefined][], changed: (name: string, was: number | undefined, now: number | undefined) => void): void {
  const old = new Map(a);
  for (const [name, min] of b) {
    if (!old.has(name)) continue;
    const was = old.get(name);
    if (was !== min) changed(name, was, min);
  }
}

function listDiff(a: readonly string[], b: readonly string[], added: (v: string) => void, removed: (v: string) => void): void {
  const old = new Set(a);
  const next = new Set(b);
  for (const v of b) if (!old.has(v)) added(v);
  for (const v of a) if (!next.has(v)) removed(v);
}

function sla(a: SlaPolicy, b: SlaPolicy, add: (text: string) => void): void {
  if (a.acceptWithinBusinessHours !== b.acceptWithinBusinessHours) add(`accept within ${b.acceptWithinBusinessHours} business hours (was ${a.acceptWithinBusinessHours})`);
  if (a.firstTouchWithinBusinessHours !== b.firstTouchWithinBusinessHours) add(`first touch within ${b.firstTouchWithinBusinessHours} business hours (was ${a.firstTouchWithinBusinessHours})`);
  if (a.opportunityDecisionWithinDays !== b.opportunityDecisionWithinDays) add(`opportunity decision within ${b.opportunityDecisionWithinDays} days (was ${a.opportunityDecisionWithinDays})`);
  const hours = (s: SlaPolicy): string => {
    const h = s.businessHours;
    return `${h.days.map((d) => d[0]?.toUpperCase() + d.slice(1)).join(', ')} ${h.start}–${h.end} ${h.timezone}`;
  };
  if (hours(a) !== hours(b)) add(`business hours now ${hours(b)} (was ${hours(a)})`);
  listDiff(a.holidays, b.holidays, (v) => add(`added holiday ${v}`), (v) => add(`removed holiday ${v}`));
  if (canon(a.escalation) !== canon(b.escalation)) {
    const steps = (s: SlaPolicy): string => s.escalation.length
      ? s.escalation.map((e) => `${e.on.replace('_', ' ')} +${e.afterBusinessHours}h → ${e.action} ${e.to.replace('_', ' ')}`).join('; ')
      : 'none';
    add(`escalation now ${steps(b)} (was ${steps(a)})`);
  }
}
