import type { AccountFact, ActivityFact, ContactFact, ContentFact } from '../activity.ts';
import { compileDefinition, levelOf, type CompiledDefinition } from './compiled-definition.ts';
import { fitGrades, type FitGrade, type LeadDefinition, type Rating } from './definition-schema.ts';
import { engagedFires, inquiryActivityMatches, inquirySignals, isKnown } from './inquiry.ts';
import { firingPredictedMql, predictedEngagementPoints } from './predicted.ts';
import { firingHandRaise } from './qualification.ts';
import { ActivityView } from './rule-matching.ts';
import { applyWorking, createWorking, resetWorking, roundScore, scoreFit, workingTotal, type EngagementWorking } from './scoring.ts';

/**
 * Replays recorded history under a definition: when would each contact first have become an
 * MQL, and what really happened to them afterwards? Streaming: feed one contact, then its
 * activities in time order, then the next contact; memory stays O(contacts that qualify), work
 * O(activities × rules). The scoring arithmetic is the live path's (applyWorking), so a backtest
 * and real-time qualification cannot disagree. Fit uses today's contact and account facts.
 */

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05 was a Monday: weeks run Monday 00:00 UTC to Monday. */
const MONDAY_MS = 4 * DAY_MS;

/** What really happened to the contact (first dates), from the lifecycle and opportunities. */
export type ContactOutcome = { salAt: Date | null; sqlAt: Date | null; opportunityAt: Date | null; wonAt: Date | null; wonRevenue: number };

export type BacktestOptions = {
  /** MQLs before `from` are counted apart; activities at or after `to` are ignored. */
  from?: Date | null;
  to?: Date | null;
  /** Sales reps sharing the MQLs (for the per-rep weekly load). */
  repCount: number;
  content: (id: string) => ContentFact | null | undefined;
  /** How many missed won contact ids to keep as examples (default 20). */
  missedSample?: number;
};

export type ContactBacktest = {
  contactId: string;
  grade: FitGrade;
  excluded: boolean;
  firstTouchAt: Date | null;
  /** When the inquiry rule would first have opened a lead (at the latest, at the MQL). */
  inquiryAt: Date | null;
  mqlAt: Date | null;
  via: 'rating' | 'hand_raise' | 'predicted' | null;
};

export type BacktestReport = {
  definitionName: string;
  from: Date | null;
  to: Date | null;
  contacts: number;
  activities: number;
  /** Activities older than the previous one of the same contact (input not sorted): scored, but caps may differ from live. */
  outOfOrderActivities: number;
  excludedContacts: number;
  /** First inquiries inside the window: the inquiry rule met by a known person, or an MQL that opened the lead. */
  inquiries: number;
  /** Contacts that would already have been an inquiry before `from`. */
  inquiriesBeforeWindow: number;
  /** Of the window's inquiries, how many would later (or at once) have become an MQL inside the window. */
  inquiriesToMql: number;
  medianDaysInquiryToMql: number | null;
  /** First MQLs inside the window. */
  mqls: number;
  viaHandRaise: number;
  /** MQLs a predicted MQL condition made (the rating and hand-raises did not). */
  viaPredicted: number;
  /** Contacts that would already have been MQL before `from`. */
  mqlsBeforeWindow: number;
  mqlsPerMonth: { month: string; count: number }[];
  medianDaysFirstTouchToMql: number | null;
  /** Of the MQLs, how many really reached each stage at or after the MQL time. */
  reached: { sal: number; sql: number; opportunity: number; won: number };
  /** MQLs that came after sales had already accepted the contact in reality (the definition was late). */
  lateMqls: number;
  /** Won revenue of contacts that won at or after their MQL. */
  revenueCovered: number;
  /** Won revenue of all contacts seen that won (inside the window, when one is given). */
  revenueWon: number;
  /** Contacts that won but would not have been an MQL before winning. */
  missedWon: { count: number; revenue: number; sample: string[] };
  perRepPerWeek: { weeks: number; average: number; peak: number };
};

export type Backtest = {
  /** Starts a contact (finishing the previous one). Its activities follow through activity(). */
  contact(contact: ContactFact, account: AccountFact | null, outcome: ContactOutcome | null): void;
  /** One activity of the current contact, in time order. */
  activity(activity: ActivityFact): void;
  /** Finishes the last contact and computes the report. */
  finish(): BacktestReport;
};

/**
 * @example
 * const bt = createBacktest(def, { repCount: 4, content: (id) => contents.get(id) });
 * bt.contact(c, acc, outcome); for (const a of acts) bt.activity(a);
 * const report = bt.finish();
 */
export function createBacktest(definition: LeadDefinition, options: BacktestOptions, onContact?: (result: ContactBacktest) => void): Backtest {
  const compiled: CompiledDefinition = compileDefinition(definition);
  const to = options.to ? options.to.getTime() : Number.POSITIVE_INFINITY;
  const working: EngagementWorking = createWorking(compiled);
  const view = new ActivityView();
  const matrix = definition.rating.matrix;
  const report = createBacktestReport(definition, options, onContact);

  // Current contact.
  let current: ContactFact | null = null;
  let outcome: ContactOutcome | null = null;
  let start: ContactStart = { grade: 'D', gradeIndex: 3, excluded: false, canQualify: false, known: false, predictedEngagement: 0, predictedMql: false };
  const replay: ContactReplay = emptyReplay();
  let lastAt = Number.NEGATIVE_INFINITY;

  function finishContact(): void {
    if (!current) return;
    report.add(current, outcome, start, replay);
    current = null;
  }

  return {
    contact(contact, account, contactOutcome) {
      finishContact();
      current = contact;
      outcome = contactOutcome;
      start = startContact(compiled, contact, account);
      resetReplay(replay);
      lastAt = Number.NEGATIVE_INFINITY;
      resetWorking(working);
    },

    activity(a) {
      const t = a.occurredAt.getTime();
      if (t >= to || !current) return;
      replay.activities++;
      if (t < lastAt) replay.outOfOrder++;
      else lastAt = t;
      if (t < replay.minAt) replay.minAt = t;
      if (t > replay.maxAt) replay.maxAt = t;
      if (Number.isNaN(replay.firstTouch) || t < replay.firstTouch) replay.firstTouch = t;
      // Once an inquiry and qualified (or unable to be), later activities change neither first time.
      const needInquiry = start.known && Number.isNaN(replay.inquiryAt);
      const needMql = start.canQualify && Number.isNaN(replay.mqlAt);
      if (!needInquiry && !needMql) return;
      view.set(a, a.contentId ? options.content(a.contentId) ?? null : null);
      const signalsBefore = needInquiry ? inquirySignals(compiled, working.hits) : 0;
      applyWorking(working, compiled, view, t, null);
      if (needInquiry && (inquiryActivityMatches(compiled, view) || engagedFires(compiled, signalsBefore, inquirySignals(compiled, working.hits)))) replay.inquiryAt = t;
      if (!needMql) return;
      if (firingHandRaise(compiled, start.gradeIndex, view)) {
        qualified(replay, t, 'hand_raise');
        return;
      }
      const level = levelOf(compiled, roundScore(workingTotal(working) + start.predictedEngagement));
      if (compiled.qualifying.has(matrix[start.grade][level - 1] as Rating)) qualified(replay, t, 'rating');
      else if (start.predictedMql) qualified(replay, t, 'predicted');
    },

    finish() {
      finishContact();
      return report.finish();
    },
  };
}

/** An MQL at `t`; a contact not yet an inquiry becomes one at the same moment (live opens the lead to qualify it). */
export function qualified(r: ContactReplay, t: number, via: 'rating' | 'hand_raise' | 'predicted'): void {
  r.mqlAt = t;
  r.via = via;
  if (Number.isNaN(r.inquiryAt)) r.inquiryAt = t;
}

/**
 * How a contact enters a replay: its fit grade, exclusion, whether anything could make it an MQL, whether it is known
 * (an email), and what its predictions give: engagement points added to the replayed total, and whether a predicted
 * MQL condition holds (a probability is one fact per person in a replay, so it holds from the first activity on).
 */
export type ContactStart = { grade: FitGrade; gradeIndex: number; excluded: boolean; canQualify: boolean; known: boolean; predictedEngagement: number; predictedMql: boolean };

export function startContact(compiled: CompiledDefinition, contact: ContactFact, account: AccountFact | null): ContactStart {
  const fit = scoreFit(contact, account, compiled.definition);
  const gradeIndex = fitGrades.indexOf(fit.grade);
  const excluded = fit.exclusions.length > 0;
  const predictedMql = !excluded && firingPredictedMql(compiled.definition, contact) !== null;
  const canQualify = !excluded && (compiled.gradeCanQualifyByRating[gradeIndex] === true || compiled.handRaises.some((h) => gradeIndex <= h.maxGradeIndex) || predictedMql);
  return { grade: fit.grade, gradeIndex, excluded, canQualify, known: isKnown(contact), predictedEngagement: predictedEngagementPoints(compiled.definition, contact), predictedMql };
}

/** One contact's replayed history under one definition (times in ms; NaN when none). */
export type ContactReplay = {
  activities: number; outOfOrder: number; minAt: number; maxAt: number;
  firstTouch: number; inquiryAt: number; mqlAt: number; via: 'rating' | 'hand_raise' | 'predicted' | null;
};

export function emptyReplay(): ContactReplay {
  return resetReplay({} as ContactReplay);
}

export function resetReplay(r: ContactReplay): ContactReplay {
  r.activities = 0;
  r.outOfOrder = 0;
  r.minAt = Number.POSITIVE_INFINITY;
  r.maxAt = Number.NEGATIVE_INFINITY;
  r.firstTouch = Number.NaN;
  r.inquiryAt = Number.NaN;
  r.mqlAt = Number.NaN;
  r.via = null;
  return r;
}

/**
 * The report side of a backtest: contacts are added in processing order with their replay, and
 * finish() computes the totals. Shared by every replay path, so they report alike.
 */
export function createBacktestReport(definition: LeadDefinition, options: BacktestOptions, onContact?: (result: ContactBacktest) => void): {
  add(contact: ContactFact, outcome: ContactOutcome | null, start: ContactStart, replay: ContactReplay): void;
  finish(): BacktestReport;
} {
  const from = options.from ? options.from.getTime() : Number.NEGATIVE_INFINITY;
  const to = options.to ? options.to.getTime() : Number.POSITIVE_INFINITY;
  const sampleSize = options.missedSample ?? 20;

  let contacts = 0, activities = 0, outOfOrder = 0, excludedContacts = 0, mqls = 0, viaHandRaise = 0, viaPredicted = 0, before = 0, late = 0;
  let inquiries = 0, inquiriesBefore = 0, inquiriesToMql = 0;
  const daysInquiryToMql: number[] = [];
  let revenueCovered = 0, revenueWon = 0, minAt = Number.POSITIVE_INFINITY, maxAt = Number.NEGATIVE_INFINITY;
  const reached = { sal: 0, sql: 0, opportunity: 0, won: 0 };
  const perMonth = new Map<string, number>();
  const perWeek = new Map<number, number>();
  const daysToMql: number[] = [];
  const missed = { count: 0, revenue: 0, sample: [] as string[] };

  const inWindow = (d: Date | null): boolean => d !== null && d.getTime() >= from && d.getTime() < to;
  const atOrAfter = (d: Date | null, t: number): boolean => d !== null && d.getTime() >= t;

  return {
    add(current, o, start, r) {
      contacts++;
      activities += r.activities;
      outOfOrder += r.outOfOrder;
      if (r.minAt < minAt) minAt = r.minAt;
      if (r.maxAt > maxAt) maxAt = r.maxAt;
      if (start.excluded) excludedContacts++;
      const inquiryAt = r.inquiryAt;
      if (!Number.isNaN(inquiryAt) && inquiryAt < from) inquiriesBefore++;
      else if (!Number.isNaN(inquiryAt)) {
        inquiries++;
        if (!Number.isNaN(r.mqlAt)) {
          inquiriesToMql++;
          daysInquiryToMql.push((r.mqlAt - inquiryAt) / DAY_MS);
        }
      }
      const mqlAt = r.mqlAt;
      const qualified = !Number.isNaN(mqlAt);
      if (qualified && mqlAt < from) before++;
      else if (qualified) {
        mqls++;
        if (r.via === 'hand_raise') viaHandRaise++;
        else if (r.via === 'predicted') viaPredicted++;
        const month = new Date(mqlAt).toISOString().slice(0, 7);
        perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
        const week = Math.floor((mqlAt - MONDAY_MS) / WEEK_MS);
        perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
        daysToMql.push((mqlAt - r.firstTouch) / DAY_MS);
        if (o) {
          if (atOrAfter(o.salAt, mqlAt)) reached.sal++;
          if (atOrAfter(o.sqlAt, mqlAt)) reached.sql++;
          if (atOrAfter(o.opportunityAt, mqlAt)) reached.opportunity++;
          if (atOrAfter(o.wonAt, mqlAt)) { reached.won++; revenueCovered += o.wonRevenue; }
          if (o.salAt !== null && o.salAt.getTime() < mqlAt) late++;
        }
      }
      if (o?.wonAt && (options.from || options.to ? inWindow(o.wonAt) : true)) {
        revenueWon += o.wonRevenue;
        if (!qualified || mqlAt > o.wonAt.getTime()) {
          missed.count++;
          missed.revenue += o.wonRevenue;
          if (missed.sample.length < sampleSize) missed.sample.push(current.id);
        }
      }
      onContact?.({
        contactId: current.id, grade: start.grade, excluded: start.excluded,
        firstTouchAt: Number.isNaN(r.firstTouch) ? null : new Date(r.firstTouch),
        inquiryAt: Number.isNaN(inquiryAt) ? null : new Date(inquiryAt),
        mqlAt: qualified ? new Date(mqlAt) : null, via: r.via,
      });
    },

    finish() {
      const start = options.from ? from : minAt;
      const end = options.to ? to : maxAt;
      const weeks = Number.isFinite(start) && Number.isFinite(end) ? Math.max(1, (end - start) / WEEK_MS) : 1;
      const reps = Math.max(1, options.repCount);
      let peak = 0;
      for (const n of perWeek.values()) if (n > peak) peak = n;
      return {
        definitionName: definition.name,
        from: options.from ?? null,
        to: options.to ?? null,
        contacts, activities, outOfOrderActivities: outOfOrder, excludedContacts,
        inquiries, inquiriesBeforeWindow: inquiriesBefore, inquiriesToMql, medianDaysInquiryToMql: median(daysInquiryToMql),
        mqls, viaHandRaise, viaPredicted, mqlsBeforeWindow: before,
        mqlsPerMonth: [...perMonth].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, count]) => ({ month, count })),
        medianDaysFirstTouchToMql: median(daysToMql),
        reached, lateMqls: late, revenueCovered, revenueWon, missedWon: missed,
        perRepPerWeek: { weeks, average: mqls / weeks / reps, peak: peak / reps },
      };
    },
  };
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export type BacktestLookups = {
  contact: (id: string) => ContactFact | null | undefined;
  account: (contactId: string) => AccountFact | null | undefined;
  outcome: (contactId: string) => ContactOutcome | null | undefined;
};

/**
 * Runs several definitions (e.g. the proposal and the active one) over one pass of activities
 * sorted by contact, then time. Activities of unknown contacts are skipped.
 */
export function runBacktest(
  activities: Iterable<ActivityFact>, lookups: BacktestLookups, definitions: readonly LeadDefinition[], options: BacktestOptions,
): BacktestReport[] {
  const runs = definitions.map((d) => createBacktest(d, options));
  let contactId: string | null = null;
  let known = false;
  for (const a of activities) {
    if (a.contactId !== contactId) {
      contactId = a.contactId;
      const contact = lookups.contact(contactId);
      known = Boolean(contact);
      if (contact) {
        const account = lookups.account(contactId) ?? null;
        const outcome = lookups.outcome(contactId) ?? null;
        for (const run of runs) run.contact(contact, account, outcome);
      }
    }
    if (known) for (const run of runs) run.activity(a);
  }
  return runs.map((run) => run.finish());
}
