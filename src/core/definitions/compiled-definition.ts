import { activityTypes } from '../activity.ts';
import {
  defaultHighIntentTypes, fitGrades, type EngagementLevel, type EngagementRule, type FitGrade, type FitRule,
  type HandRaise, type InquiryActivityRule, type LeadDefinition, type NegativeRule, type Rating,
} from './definition-schema.ts';
import { activityRuleLabel, describeEngagedInquiry, fitRuleLabel } from './rule-labels.ts';
import {
  compileConditions, compileCriteria, compileUrlPattern, type ActivityPredicate, type FitFacts, type UrlParts,
} from './rule-matching.ts';

/**
 * A definition with its conditions turned into predicates and its numbers into the form the hot
 * loops want (decay rates per millisecond, cap windows in ms). Built once per definition object
 * and cached, so callers pass the plain definition around.
 */

const DAY_MS = 86_400_000;

export type CompiledFitRule = { id: string; label: string; points: number; test: (f: FitFacts) => boolean };
export type CompiledNegativeRule = CompiledFitRule & { exclude: boolean; rule: NegativeRule };
export type CompiledEngagementRule = {
  id: string;
  label: string;
  index: number;
  points: number;
  test: ActivityPredicate;
  /** ln 2 / half-life in ms; 0 when the rule never decays. */
  lambda: number;
  halfLifeDays: number | null;
  capMax: number;
  capWindowMs: number;
  rule: EngagementRule;
};
export type CompiledHandRaise = { id: string; label: string; test: ActivityPredicate; maxGradeIndex: number; rule: HandRaise };
export type CompiledInquiryActivity = { id: string; label: string; test: ActivityPredicate; rule: InquiryActivityRule };
/** The inquiry rule: activities that open one, and the engagement rules whose counted hits are signals. */
export type CompiledInquiry = {
  activities: CompiledInquiryActivity[];
  activitiesByType: ReadonlyMap<string, CompiledInquiryActivity[]>;
  /** null: engagement alone never opens an inquiry. */
  engaged: { minSignals: number; ruleIndexes: number[]; label: string } | null;
};
export type DecayGroup = { lambda: number; rules: number[] };

export type CompiledDefinition = {
  definition: LeadDefinition;
  fit: CompiledFitRule[];
  negative: CompiledNegativeRule[];
  engagement: CompiledEngagementRule[];
  /** Engagement rules that can match an activity type (their `type` includes it or is unset): the hot loop skips the rest. */
  engagementByType: ReadonlyMap<string, CompiledEngagementRule[]>;
  /** Rules sharing a half-life decay together: one exp() per group per step. */
  decayGroups: DecayGroup[];
  ruleIndex: Map<string, number>;
  grades: { grade: FitGrade; min: number }[];
  levels: { level: EngagementLevel; min: number }[];
  handRaises: CompiledHandRaise[];
  handRaisesByType: ReadonlyMap<string, CompiledHandRaise[]>;
  qualifying: ReadonlySet<Rating>;
  inquiry: CompiledInquiry;
  highIntent: { contentIds: ReadonlySet<string>; urls: { pattern: string; test: (p: UrlParts) => boolean }[]; types: ReadonlySet<string> };
  /** Per fit grade: can any engagement level qualify by rating? Lets a backtest skip hopeless contacts. */
  gradeCanQualifyByRating: boolean[];
};

const cache = new WeakMap<LeadDefinition, CompiledDefinition>();

export function compileDefinition(definition: LeadDefinition): CompiledDefinition {
  const cached = cache.get(definition);
  if (cached) return cached;
  const compiled = build(definition);
  cache.set(definition, compiled);
  return compiled;
}

function lambdaFor(days: number | null | undefined): number {
  return days ? Math.LN2 / (days * DAY_MS) : 0;
}

function build(def: LeadDefinition): CompiledDefinition {
  const fit = def.fit.rules.map((rule: FitRule) => ({
    id: rule.id, label: fitRuleLabel(rule), points: rule.points, test: compileConditions(rule.conditions, rule.match),
  }));
  const negative = def.negative.map((rule) => ({
    id: rule.id, label: fitRuleLabel(rule), points: rule.points ?? 0, exclude: rule.exclude === true,
    test: compileConditions(rule.conditions, rule.match), rule,
  }));
  const engagement = def.engagement.rules.map((rule, index): CompiledEngagementRule => ({
    id: rule.id,
    label: activityRuleLabel(rule),
    index,
    points: rule.points,
    test: compileCriteria(rule),
    lambda: lambdaFor(rule.halfLifeDays === undefined ? def.engagement.halfLifeDays : rule.halfLifeDays),
    halfLifeDays: (rule.halfLifeDays === undefined ? def.engagement.halfLifeDays : rule.halfLifeDays) ?? null,
    capMax: rule.cap ? rule.cap.max : Number.POSITIVE_INFINITY,
    capWindowMs: rule.cap ? rule.cap.perDays * DAY_MS : 0,
    rule,
  }));
  const groups = new Map<number, number[]>();
  for (const r of engagement) {
    if (r.lambda === 0) continue;
    const g = groups.get(r.lambda) ?? [];
    g.push(r.index);
    groups.set(r.lambda, g);
  }
  const grades = def.fit.grades.map((b) => ({ grade: b.grade, min: b.min ?? Number.NEGATIVE_INFINITY }));
  const levels = def.engagement.levels.map((b) => ({ level: b.level, min: b.min ?? Number.NEGATIVE_INFINITY }));
  const qualifying = new Set(def.mql.ratings);
  const handRaises = def.mql.handRaises.map((rule) => ({
    id: rule.id, label: activityRuleLabel(rule), test: compileCriteria(rule), maxGradeIndex: fitGrades.indexOf(rule.minFitGrade), rule,
  }));
  const inquiryActivities = def.inquiry.activities.map((rule) => ({ id: rule.id, label: activityRuleLabel(rule), test: compileCriteria(rule), rule }));
  const engaged = def.inquiry.engaged;
  const signalRules = engaged
    ? engagement.filter((r) => (engaged.rules ? engaged.rules.includes(r.id) : r.points > 0))
    : [];
  return {
    definition: def,
    fit,
    negative,
    engagement,
    decayGroups: [...groups].map(([lambda, rules]) => ({ lambda, rules })),
    ruleIndex: new Map(engagement.map((r) => [r.id, r.index])),
    grades,
    levels,
    engagementByType: byType(engagement),
    handRaises,
    handRaisesByType: byType(handRaises),
    qualifying,
    inquiry: {
      activities: inquiryActivities,
      activitiesByType: byType(inquiryActivities),
      engaged: engaged ? { minSignals: engaged.minSignals, ruleIndexes: signalRules.map((r) => r.index), label: describeEngagedInquiry(engaged) } : null,
    },
    highIntent: {
      contentIds: new Set(def.highIntent.contentIds),
      urls: def.highIntent.urls.map((pattern) => ({ pattern, test: compileUrlPattern(pattern) })),
      types: new Set<string>(def.highIntent.activityTypes ?? defaultHighIntentTypes),
    },
    gradeCanQualifyByRating: fitGrades.map((g) => def.rating.matrix[g].some((r) => qualifying.has(r))),
  };
}

function byType<T extends { rule: { type?: string | string[] | undefined } }>(rules: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const type of activityTypes) {
    map.set(type, rules.filter((r) => r.rule.type === undefined || (Array.isArray(r.rule.type) ? r.rule.type.includes(type) : r.rule.type === type)));
  }
  return map;
}

/** The first band (best first) whose minimum the score reaches; the last band is the floor. */
export function gradeOf(compiled: CompiledDefinition, points: number): FitGrade {
  for (const band of compiled.grades) if (points >= band.min) return band.grade;
  return 'D';
}

export function levelOf(compiled: CompiledDefinition, points: number): EngagementLevel {
  for (const band of compiled.levels) if (points >= band.min) return band.level;
  return 4;
}
