import type { AccountFact, ActivityFact, ContactFact, ContentFact } from '../activity.ts';
import { compileDefinition, gradeOf, levelOf, type CompiledDefinition, type CompiledEngagementRule } from './compiled-definition.ts';
import type { EngagementLevel, FitGrade, LeadDefinition, Rating } from './definition-schema.ts';
import { predictedContributions } from './predicted.ts';
import { ActivityView } from './rule-matching.ts';

/**
 * Fit and engagement scores, kept separate (who they are vs what they did), each with its
 * rule-by-rule contributions. Engagement is incremental: a small JSON state per contact is
 * updated by each activity and decayed with an explicit `now`; replaying all activities from an
 * empty state gives the same numbers (the same arithmetic runs in both paths).
 */

const DAY_MS = 86_400_000;

/** `predicted`: a predicted rule's points (its label already says the probability and the model). */
export type Contribution = { ruleId: string; label: string; points: number; hits: number; predicted?: boolean };
export type Exclusion = { ruleId: string; label: string };
export type FitScore = { points: number; grade: FitGrade; contributions: Contribution[]; exclusions: Exclusion[] };

/**
 * Scores who the contact is. Negative rules either subtract points or exclude (never MQL).
 * @example scoreFit(vp, saasAccount, defaultDefinition) // { points: 72, grade: 'A', ... }
 */
export function scoreFit(contact: ContactFact, account: AccountFact | null, definition: LeadDefinition): FitScore {
  const compiled = compileDefinition(definition);
  const facts = { contact, account };
  const contributions: Contribution[] = [];
  const exclusions: Exclusion[] = [];
  let points = 0;
  for (const rule of compiled.fit) {
    if (!rule.test(facts)) continue;
    points += rule.points;
    contributions.push({ ruleId: rule.id, label: rule.label, points: rule.points, hits: 1 });
  }
  for (const rule of compiled.negative) {
    if (!rule.test(facts)) continue;
    if (rule.exclude) exclusions.push({ ruleId: rule.id, label: rule.label });
    else {
      points += rule.points;
      contributions.push({ ruleId: rule.id, label: rule.label, points: rule.points, hits: 1 });
    }
  }
  for (const c of predictedContributions(definition, 'fit', contact)) {
    points += c.points;
    contributions.push(c);
  }
  return { points, grade: gradeOf(compiled, points), contributions, exclusions };
}

/**
 * Which fit and negative rules the facts pass, as a short string: facts with the same signature get
 * the same fit score, so (with the same engagement) the same evaluation. Lets a bulk caller rate
 * thousands of people without activities once per distinct signature instead of once per person.
 */
export function fitSignature(contact: ContactFact, account: AccountFact | null, definition: LeadDefinition): string {
  const compiled = compileDefinition(definition);
  const facts = { contact, account };
  let signature = '';
  for (const rule of compiled.fit) signature += rule.test(facts) ? '1' : '0';
  signature += '|';
  for (const rule of compiled.negative) signature += rule.test(facts) ? '1' : '0';
  // Predicted fit points depend on the person's probability, not only on which rules pass.
  for (const c of predictedContributions(definition, 'fit', contact)) signature += `|${c.ruleId}:${c.points}`;
  return signature;
}

/** Per engagement rule: points decayed to `asOf`, counted hits, and the counted hits still inside the cap window. */
export type EngagementRuleState = { points: number; hits: number; recent: string[]; halfLifeDays: number | null };
/** Serializable engagement state of one contact under one definition version. */
export type EngagementState = { schemaVersion: 1; asOf: string | null; rules: Record<string, EngagementRuleState> };
export type MatchedRule = { ruleId: string; label: string; points: number; capped: boolean };
export type AppliedActivity = { state: EngagementState; delta: number; matchedRules: MatchedRule[] };
export type ContentLookup = ReadonlyMap<string, ContentFact>;

export function emptyEngagementState(): EngagementState {
  return { schemaVersion: 1, asOf: null, rules: {} };
}

/** Mutable working form indexed by rule position; the backtest reuses one per run. */
export type EngagementWorking = {
  asOf: number;
  points: Float64Array;
  hits: Float64Array;
  /** Counted hit times (ms), ascending, pruned to the cap window. */
  recent: number[][];
};

export function createWorking(compiled: CompiledDefinition): EngagementWorking {
  const n = compiled.engagement.length;
  return { asOf: Number.NEGATIVE_INFINITY, points: new Float64Array(n), hits: new Float64Array(n), recent: compiled.engagement.map(() => []) };
}

export function resetWorking(w: EngagementWorking): void {
  w.asOf = Number.NEGATIVE_INFINITY;
  w.points.fill(0);
  w.hits.fill(0);
  for (const r of w.recent) r.length = 0;
}

/** Moves the reference time forward, decaying every rule's points; never moves it back. */
export function decayWorking(w: EngagementWorking, compiled: CompiledDefinition, t: number): void {
  if (!(t > w.asOf)) return;
  if (w.asOf !== Number.NEGATIVE_INFINITY) {
    const dt = t - w.asOf;
    for (const group of compiled.decayGroups) {
      const f = Math.exp(-group.lambda * dt);
      for (const i of group.rules) w.points[i] = (w.points[i] as number) * f;
    }
  }
  w.asOf = t;
}

export function workingTotal(w: EngagementWorking): number {
  let total = 0;
  for (let i = 0; i < w.points.length; i++) total += w.points[i] as number;
  return total;
}

/**
 * Applies one activity: decays to max(asOf, now), then adds each matching rule's points (decayed
 * from the activity's time) unless the rule's cap is reached. Returns the points added.
 */
export function applyWorking(
  w: EngagementWorking, compiled: CompiledDefinition, view: ActivityView, nowMs: number, matched: MatchedRule[] | null,
): number {
  decayWorking(w, compiled, nowMs);
  const ref = w.asOf;
  const occurred = view.activity.occurredAt.getTime();
  // An activity stamped in the future (clock skew) counts as happening now.
  const t = occurred < ref ? occurred : ref;
  let delta = 0;
  const candidates = compiled.engagementByType.get(view.activity.type) ?? compiled.engagement;
  for (const rule of candidates) {
    if (!rule.test(view)) continue;
    delta += applyRule(w, rule, t, ref, matched);
  }
  return delta;
}

/**
 * applyWorking for an activity whose matching rules are already known (`rules`: rule indexes in
 * rule order, as applyWorking would find them): the backtest matches each distinct activity shape
 * once instead of testing every activity. Same arithmetic, step for step.
 */
export function applyWorkingMatched(w: EngagementWorking, compiled: CompiledDefinition, rules: ArrayLike<number>, occurred: number, nowMs: number): void {
  decayWorking(w, compiled, nowMs);
  const ref = w.asOf;
  const t = occurred < ref ? occurred : ref;
  for (let k = 0; k < rules.length; k++) applyRule(w, compiled.engagement[rules[k] as number] as CompiledEngagementRule, t, ref, null);
}

/** One matching rule: its cap, then its points decayed from `t` to `ref`. Returns the points added (0 when capped). */
function applyRule(w: EngagementWorking, rule: CompiledEngagementRule, t: number, ref: number, matched: MatchedRule[] | null): number {
  const recent = w.recent[rule.index] as number[];
  if (rule.capMax !== Number.POSITIVE_INFINITY) {
    const windowStart = t - rule.capWindowMs;
    while (recent.length && (recent[0] as number) <= windowStart) recent.shift();
    let inWindow = 0;
    for (const at of recent) if (at <= t) inWindow++;
    if (inWindow >= rule.capMax) {
      matched?.push({ ruleId: rule.id, label: rule.label, points: 0, capped: true });
      return 0;
    }
    let at = recent.length;
    while (at > 0 && (recent[at - 1] as number) > t) at--;
    recent.splice(at, 0, t);
  }
  const points = rule.lambda === 0 || t === ref ? rule.points : rule.points * Math.exp(-rule.lambda * (ref - t));
  w.points[rule.index] = (w.points[rule.index] as number) + points;
  w.hits[rule.index] = (w.hits[rule.index] as number) + 1;
  matched?.push({ ruleId: rule.id, label: rule.label, points, capped: false });
  return points;
}

function toWorking(state: EngagementState, compiled: CompiledDefinition): EngagementWorking {
  const w = createWorking(compiled);
  w.asOf = state.asOf === null ? Number.NEGATIVE_INFINITY : Date.parse(state.asOf);
  for (const rule of compiled.engagement) {
    const saved = state.rules[rule.id];
    if (!saved) continue;
    w.points[rule.index] = saved.points;
    w.hits[rule.index] = saved.hits;
    w.recent[rule.index] = saved.recent.map((s) => Date.parse(s));
  }
  return w;
}

function fromWorking(w: EngagementWorking, compiled: CompiledDefinition): EngagementState {
  const rules: Record<string, EngagementRuleState> = {};
  for (const rule of compiled.engagement) {
    const hits = w.hits[rule.index] as number;
    if (hits === 0) continue;
    rules[rule.id] = {
      points: w.points[rule.index] as number,
      hits,
      recent: (w.recent[rule.index] as number[]).map((ms) => new Date(ms).toISOString()),
      halfLifeDays: rule.halfLifeDays,
    };
  }
  return { schemaVersion: 1, asOf: w.asOf === Number.NEGATIVE_INFINITY ? null : new Date(w.asOf).toISOString(), rules };
}

/**
 * Incremental engagement update for one activity. `now` is when it is processed (≥ the
 * activity's time in the live path; older activities arriving late are decayed accordingly).
 * @example applyActivity(state, pricingView, null, def, new Date('2026-01-05T10:00:00Z')).delta // 10
 */
export function applyActivity(
  state: EngagementState, activity: ActivityFact, content: ContentFact | null, definition: LeadDefinition, now: Date,
): AppliedActivity {
  const compiled = compileDefinition(definition);
  const w = toWorking(state, compiled);
  const matchedRules: MatchedRule[] = [];
  const delta = applyWorking(w, compiled, new ActivityView().set(activity, content), now.getTime(), matchedRules);
  return { state: fromWorking(w, compiled), delta, matchedRules };
}

/** Decays the state to `now` (no-op when `now` is not after the state's time). Needs no definition: half-lives travel in the state. */
export function decayTo(state: EngagementState, now: Date): EngagementState {
  const t = now.getTime();
  if (state.asOf === null) return { ...state, asOf: now.toISOString() };
  const from = Date.parse(state.asOf);
  if (!(t > from)) return state;
  const rules: Record<string, EngagementRuleState> = {};
  for (const [id, rule] of Object.entries(state.rules)) {
    const points = rule.halfLifeDays === null ? rule.points : rule.points * Math.exp(-(Math.LN2 / (rule.halfLifeDays * DAY_MS)) * (t - from));
    rules[id] = { ...rule, points };
  }
  return { schemaVersion: 1, asOf: now.toISOString(), rules };
}

/**
 * Full recompute: replays the activities in time order from an empty state and decays to `now`.
 * Equals folding applyActivity over the same activities (see the property test).
 */
export function scoreEngagement(
  activities: readonly ActivityFact[], contents: ContentLookup, definition: LeadDefinition, now: Date,
): EngagementState {
  const compiled = compileDefinition(definition);
  const sorted = [...activities].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const w = createWorking(compiled);
  const view = new ActivityView();
  for (const a of sorted) {
    view.set(a, a.contentId ? contents.get(a.contentId) ?? null : null);
    applyWorking(w, compiled, view, a.occurredAt.getTime(), null);
  }
  decayWorking(w, compiled, now.getTime());
  return fromWorking(w, compiled);
}

export type EngagementScore = {
  asOf: Date | null;
  /** Unrounded decayed total. */
  total: number;
  /** Rounded total; bands are applied to this number, so the explanation and the level agree. */
  points: number;
  level: EngagementLevel;
  contributions: Contribution[];
};

/**
 * Reads a state (already decayed to the time you care about) as a score with its level and contributions. With the
 * contact, predicted engagement rules add their points (not decayed: a probability is about now).
 */
export function summarizeEngagement(state: EngagementState, definition: LeadDefinition, contact?: Pick<ContactFact, 'predictions'> | null): EngagementScore {
  const compiled = compileDefinition(definition);
  const contributions: Contribution[] = [];
  let total = 0;
  for (const rule of compiled.engagement) {
    const saved = state.rules[rule.id];
    if (!saved) continue;
    total += saved.points;
    contributions.push({ ruleId: rule.id, label: rule.label, points: saved.points, hits: saved.hits });
  }
  for (const c of predictedContributions(definition, 'engagement', contact)) {
    total += c.points;
    contributions.push(c);
  }
  const points = roundScore(total);
  return { asOf: state.asOf === null ? null : new Date(state.asOf), total, points, level: levelOf(compiled, points), contributions };
}

/** Scores are shown and banded as whole numbers (half away from zero). */
export function roundScore(value: number): number {
  const r = Math.round(Math.abs(value) + 1e-9) * Math.sign(value);
  return r === 0 ? 0 : r;
}

export type RatingCell = { rating: Rating; cell: string };

/** Fit grade × engagement level → rating and its cell label, e.g. A2 → qualified. */
export function rateLead(grade: FitGrade, level: EngagementLevel, definition: LeadDefinition): RatingCell {
  const rating = definition.rating.matrix[grade][level - 1] as Rating;
  return { rating, cell: `${grade}${level}` };
}
