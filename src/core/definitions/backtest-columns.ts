import { storedSpellings } from '../activity-vocabulary.rules.ts';
import { isActivityType, type AccountFact, type ActivityFact, type ContactFact, type ContentFact } from '../activity.ts';
import {
  createBacktestReport, qualified, resetReplay, startContact, emptyReplay,
  type BacktestOptions, type BacktestReport, type ContactBacktest, type ContactOutcome, type ContactReplay, type ContactStart,
} from './backtest.ts';
import { compileDefinition, levelOf, type CompiledDefinition } from './compiled-definition.ts';
import type { ActivityCriteria, LeadDefinition, Rating } from './definition-schema.ts';
import { engagedFires, inquiryActivityMatches, inquirySignals } from './inquiry.ts';
import { ActivityView } from './rule-matching.ts';
import { applyWorkingMatched, createWorking, resetWorking, roundScore, workingTotal, type EngagementWorking } from './scoring.ts';

/**
 * The backtest's fast path over columns instead of activity objects. Rules only ever look at an
 * activity's *shape* (type, content, URL, campaign, source, medium, event name, properties), and a
 * history has few distinct shapes; so the reader hands each distinct shape to a ShapeClassifier
 * once, which runs the definitions' own compiled predicates on it and answers a small signature
 * number (which engagement rules match, which hand-raise fires, per definition). Each activity is
 * then three numbers: contact, time and signature. The replay groups them by contact (counting
 * sort), orders each contact's activities by (time, id) as the SQL reader did, and applies the
 * pre-matched rules with scoring's own arithmetic (applyWorkingMatched), feeding the same report
 * accumulator as createBacktest: both paths give identical reports (see the randomized test).
 */

/** The fields of an activity that rules can test: everything but who, when and its id. */
export type ActivityShape = Pick<ActivityFact, 'type' | 'source' | 'medium' | 'campaign' | 'contentId' | 'url' | 'eventName' | 'properties'>;

/** Which shape fields the definitions read; a reader fetches only these (the others stay null / empty). */
export type ShapeFields = {
  content: boolean; url: boolean; campaign: boolean; source: boolean; medium: boolean; eventName: boolean;
  /** Property key → activity types whose value is read ('all': every type). */
  properties: Map<string, ReadonlySet<string> | 'all'>;
};

export function shapeFieldsRead(definitions: readonly LeadDefinition[]): ShapeFields {
  const fields: ShapeFields = { content: false, url: false, campaign: false, source: false, medium: false, eventName: false, properties: new Map() };
  const criteria: ActivityCriteria[] = definitions.flatMap((d) => [...d.engagement.rules, ...d.mql.handRaises, ...d.inquiry.activities]);
  for (const c of criteria) {
    // The URL test falls back to the content asset's URL, so it needs the content too.
    if (c.contentId !== undefined || c.format !== undefined || c.buyingStage !== undefined || c.topic !== undefined || c.url !== undefined) fields.content = true;
    if (c.url !== undefined) fields.url = true;
    if (c.campaign !== undefined) fields.campaign = true;
    if (c.source !== undefined) fields.source = true;
    if (c.medium !== undefined) fields.medium = true;
    if (c.eventName !== undefined) fields.eventName = true;
    // Every spelling rule matching reads (see storedSpellings), so history under an alias is replayed alike.
    for (const key of Object.keys(c.properties ?? {}).flatMap(storedSpellings)) {
      const had = fields.properties.get(key);
      if (had === 'all') continue;
      if (c.type === undefined) { fields.properties.set(key, 'all'); continue; }
      const types = new Set(had ?? []);
      for (const t of Array.isArray(c.type) ? c.type : [c.type]) types.add(t);
      fields.properties.set(key, types);
    }
  }
  return fields;
}

const EPOCH = new Date(0);
/** A replay packs signature × ROW_LIMIT + row into one double (exact below 2^53). */
const ROW_LIMIT = 2 ** 31;
const SIGNATURE_LIMIT = 2 ** 22;

/**
 * Maps activity shapes to signatures: per definition, the engagement rules that match (rule
 * order, as applyWorking finds them) and the best grade a matching hand-raise accepts (-1: none).
 * Signatures are interned, so there are only as many as distinct match outcomes.
 */
export class ShapeClassifier {
  /** [definition][signature] → matching engagement rule indexes. */
  readonly rules: Int32Array[][];
  /** [definition][signature] → highest maxGradeIndex of a matching hand-raise, -1 when none matches. */
  readonly handRaise: number[][];
  /** [definition][signature] → whether an inquiry activity rule matches. */
  readonly inquiry: boolean[][];
  private readonly compiled: CompiledDefinition[];
  private readonly bySignature = new Map<string, number>();
  private readonly view = new ActivityView();

  constructor(readonly definitions: readonly LeadDefinition[], private readonly content: (id: string) => ContentFact | null | undefined) {
    this.compiled = definitions.map(compileDefinition);
    this.rules = definitions.map(() => []);
    this.handRaise = definitions.map(() => []);
    this.inquiry = definitions.map(() => []);
  }

  get count(): number {
    return this.bySignature.size;
  }

  classify(shape: ActivityShape): number {
    const fact: ActivityFact = { ...shape, type: isActivityType(shape.type) ? shape.type : 'custom', id: '', contactId: '', occurredAt: EPOCH };
    this.view.set(fact, fact.contentId ? this.content(fact.contentId) ?? null : null);
    const rules: number[][] = [];
    const hands: number[] = [];
    const inquiries: boolean[] = [];
    for (const c of this.compiled) {
      const matched: number[] = [];
      for (const rule of c.engagementByType.get(fact.type) ?? c.engagement) if (rule.test(this.view)) matched.push(rule.index);
      let hand = -1;
      for (const hr of c.handRaisesByType.get(fact.type) ?? c.handRaises) if (hr.maxGradeIndex > hand && hr.test(this.view)) hand = hr.maxGradeIndex;
      rules.push(matched);
      hands.push(hand);
      inquiries.push(inquiryActivityMatches(c, this.view));
    }
    const key = JSON.stringify([rules, hands, inquiries]);
    let sig = this.bySignature.get(key);
    if (sig === undefined) {
      sig = this.bySignature.size;
      this.bySignature.set(key, sig);
      for (let d = 0; d < this.compiled.length; d++) {
        this.rules[d]!.push(Int32Array.from(rules[d]!));
        this.handRaise[d]!.push(hands[d]!);
        this.inquiry[d]!.push(inquiries[d]!);
      }
    }
    return sig;
  }
}

/** Activities as columns, one row each; `contact` indexes `contactIds`. */
export type ActivityColumns = {
  count: number;
  contactIds: readonly string[];
  contact: Int32Array;
  /** Microseconds since the epoch (exact below 2^53). */
  us: Float64Array;
  signature: Int32Array;
  /** The activity id's 16 bytes as 4 big-endian words per row: the tie-break within one contact and microsecond. */
  idWords: Uint32Array;
};

export type ColumnReplay = {
  /** Contact ordinals with activities, in processing order (contact id order, as the SQL reader sorted). */
  readonly order: Int32Array;
  /** Replays one contact under every definition; call in `order`. Contacts never passed here are skipped, as unknown contacts are. */
  contact(ordinal: number, contact: ContactFact, account: AccountFact | null, outcome: ContactOutcome | null): void;
  /** One report per definition, as createBacktest gives. */
  finish(): BacktestReport[];
};

/**
 * Prepares the replay of `columns` under `definitions` (the classifier's, same order): orders
 * contacts and their activities; the caller then feeds contact facts in `order`.
 */
export function createColumnReplay(
  columns: ActivityColumns, classifier: ShapeClassifier, options: BacktestOptions, onContact?: (definition: number, result: ContactBacktest) => void,
): ColumnReplay {
  const { count, contact, us, signature, idWords, contactIds } = columns;
  const definitions = classifier.definitions;
  const n = contactIds.length;
  // Counting sort by contact: rows of contact c land at positions offset[c] .. offset[c + 1].
  const offset = new Int32Array(n + 1);
  for (let i = 0; i < count; i++) offset[(contact[i] as number) + 1]!++;
  let largest = 0;
  for (let c = 0; c < n; c++) {
    const size = offset[c + 1] as number;
    if (size > largest) largest = size;
    offset[c + 1] = (offset[c] as number) + size;
  }
  // Each row's time and (signature, row) are copied in contact order into one array: the scatter is
  // one 16-byte write per row and a contact's replay reads its rows contiguously (random reads into
  // 10M-row columns cost more than the whole scatter). Ids are only read on a tie, through the row.
  if (count >= ROW_LIMIT) throw new Error(`A column replay takes fewer than ${ROW_LIMIT} activities`);
  if (classifier.count > SIGNATURE_LIMIT) throw new Error(`A column replay takes at most ${SIGNATURE_LIMIT} signatures`);
  const packed = new Float64Array(count * 2);
  {
    const fill = offset.slice(0, n);
    for (let i = 0; i < count; i++) {
      const p = fill[contact[i] as number]!++ * 2;
      packed[p] = us[i] as number;
      packed[p + 1] = (signature[i] as number) * ROW_LIMIT + i;
    }
  }
  const rowAt = (p: number): number => (packed[p * 2 + 1] as number) % ROW_LIMIT;
  const order = Int32Array.from(contactIds.keys()).sort((a, b) => {
    const x = contactIds[a]!, y = contactIds[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });

  const compiled = definitions.map(compileDefinition);
  const working: EngagementWorking[] = compiled.map(createWorking);
  const reports = definitions.map((d, k) => createBacktestReport(d, options, onContact && ((r) => onContact(k, r))));
  const replays: ContactReplay[] = definitions.map(emptyReplay);
  const to = options.to ? options.to.getTime() : Number.POSITIVE_INFINITY;
  // Scratch: the current contact's positions in (time, id) order, their times in ms and signatures.
  let rows = new Int32Array(Math.max(16, largest));
  let spare = new Int32Array(rows.length);
  const ms = new Float64Array(rows.length);
  const sigs = new Int32Array(rows.length);

  /** Position a (in contact order) before position b: microseconds, then the id bytes. */
  const before = (a: number, b: number): boolean => {
    const ta = packed[a * 2] as number, tb = packed[b * 2] as number;
    if (ta !== tb) return ta < tb;
    const ra = rowAt(a) * 4, rb = rowAt(b) * 4;
    for (let w = 0; w < 4; w++) {
      const x = idWords[ra + w] as number, y = idWords[rb + w] as number;
      if (x !== y) return x < y;
    }
    return false;
  };

  /** Sorts rows[0..len) by (time, id): insertion sort for short runs, merged bottom-up. */
  function sortRows(len: number): void {
    const RUN = 16;
    for (let lo = 0; lo < len; lo += RUN) {
      const hi = Math.min(len, lo + RUN);
      for (let i = lo + 1; i < hi; i++) {
        const r = rows[i] as number;
        let j = i - 1;
        while (j >= lo && before(r, rows[j] as number)) { rows[j + 1] = rows[j] as number; j--; }
        rows[j + 1] = r;
      }
    }
    for (let width = RUN; width < len; width *= 2) {
      for (let lo = 0; lo < len; lo += 2 * width) {
        const mid = Math.min(len, lo + width), hi = Math.min(len, lo + 2 * width);
        let i = lo, j = mid, k = lo;
        while (i < mid && j < hi) spare[k++] = before(rows[j] as number, rows[i] as number) ? rows[j++] as number : rows[i++] as number;
        while (i < mid) spare[k++] = rows[i++] as number;
        while (j < hi) spare[k++] = rows[j++] as number;
      }
      const swap = rows;
      rows = spare;
      spare = swap;
    }
  }

  return {
    order,
    contact(ordinal, fact, account, outcome) {
      const start = offset[ordinal] as number;
      let len = 0;
      let sorted = true;
      for (let k = start, end = offset[ordinal + 1] as number; k < end; k++) {
        // The reader already dropped activities at or after `to`; keep the reference path's guard.
        if (Math.floor((packed[k * 2] as number) / 1000) >= to) continue;
        if (len > 0 && sorted && before(k, rows[len - 1] as number)) sorted = false;
        rows[len++] = k;
      }
      if (!sorted) sortRows(len);
      for (let k = 0; k < len; k++) {
        const p = rows[k] as number;
        ms[k] = Math.floor((packed[p * 2] as number) / 1000);
        sigs[k] = Math.floor((packed[p * 2 + 1] as number) / ROW_LIMIT);
      }
      for (let d = 0; d < compiled.length; d++) {
        const c = compiled[d]!;
        const r = resetReplay(replays[d]!);
        if (len > 0) {
          r.activities = len;
          r.firstTouch = r.minAt = ms[0] as number;
          r.maxAt = ms[len - 1] as number;
        }
        const s = startContact(c, fact, account);
        if (s.canQualify || s.known) replay(d, c, s, r, len);
        reports[d]!.add(fact, outcome, s, r);
      }
    },
    finish: () => reports.map((r) => r.finish()),
  };

  /** createBacktest's activity() over pre-matched rows: same steps, same arithmetic. */
  function replay(d: number, c: CompiledDefinition, s: ContactStart, r: ContactReplay, len: number): void {
    const w = working[d]!;
    resetWorking(w);
    const ruleSets = classifier.rules[d]!;
    const hands = classifier.handRaise[d]!;
    const inquiries = classifier.inquiry[d]!;
    const row = c.definition.rating.matrix[s.grade];
    // While no rule has matched, every point is 0: decaying changes nothing but the reference time.
    let zero = true;
    const zeroQualifies = c.qualifying.has(row[levelOf(c, roundScore(s.predictedEngagement)) - 1] as Rating);
    for (let k = 0; k < len; k++) {
      const needInquiry = s.known && Number.isNaN(r.inquiryAt);
      const needMql = s.canQualify && Number.isNaN(r.mqlAt);
      if (!needInquiry && !needMql) return;
      const t = ms[k] as number;
      const sig = sigs[k] as number;
      const matched = ruleSets[sig]!;
      const signalsBefore = needInquiry ? inquirySignals(c, w.hits) : 0;
      if (zero && matched.length === 0) {
        if (t > w.asOf) w.asOf = t;
      } else {
        zero = false;
        applyWorkingMatched(w, c, matched, t, t);
      }
      if (needInquiry && (inquiries[sig] === true || engagedFires(c, signalsBefore, inquirySignals(c, w.hits)))) r.inquiryAt = t;
      if (!needMql) continue;
      if (s.gradeIndex <= (hands[sig] as number)) {
        qualified(r, t, 'hand_raise');
        return;
      }
      const qualifies = zero ? zeroQualifies : c.qualifying.has(row[levelOf(c, roundScore(workingTotal(w) + s.predictedEngagement)) - 1] as Rating);
      if (qualifies || s.predictedMql) {
        qualified(r, t, qualifies ? 'rating' : 'predicted');
        return;
      }
    }
  }
}

const NO_PROPERTIES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The part of an activity a reader fetches for these fields (what the SQL reader selects, for in-memory histories and tests). */
export function shapeOf(a: ActivityFact, fields: ShapeFields): ActivityShape {
  let properties = NO_PROPERTIES;
  for (const [key, types] of fields.properties) {
    if (types !== 'all' && !types.has(a.type)) continue;
    if (!Object.hasOwn(a.properties, key)) continue;
    if (properties === NO_PROPERTIES) properties = {};
    properties[key] = a.properties[key];
  }
  return {
    type: a.type, contentId: fields.content ? a.contentId : null, url: fields.url ? a.url : null,
    campaign: fields.campaign ? a.campaign : null, source: fields.source ? a.source : null, medium: fields.medium ? a.medium : null,
    eventName: fields.eventName ? a.eventName : null, properties,
  };
}

/** Words of a uuid's 16 bytes (big-endian), the order PostgreSQL sorts uuids in. */
export function uuidWords(id: string, into: Uint32Array, at: number): void {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a uuid: ${id}`);
  for (let w = 0; w < 4; w++) into[at + w] = parseInt(hex.slice(w * 8, w * 8 + 8), 16) >>> 0;
}

/** Columns of in-memory activities (uuid ids), in any order: for histories that are not read by the SQL reader, and tests. */
export function toColumns(activities: readonly ActivityFact[], classifier: ShapeClassifier): ActivityColumns {
  const fields = shapeFieldsRead(classifier.definitions);
  const count = activities.length;
  const ordinals = new Map<string, number>();
  const columns = { count, contactIds: [] as string[], contact: new Int32Array(count), us: new Float64Array(count), signature: new Int32Array(count), idWords: new Uint32Array(count * 4) };
  activities.forEach((a, i) => {
    let c = ordinals.get(a.contactId);
    if (c === undefined) { c = ordinals.size; ordinals.set(a.contactId, c); columns.contactIds.push(a.contactId); }
    columns.contact[i] = c;
    columns.us[i] = a.occurredAt.getTime() * 1000;
    columns.signature[i] = classifier.classify(shapeOf(a, fields));
    uuidWords(a.id, columns.idWords, i * 4);
  });
  return columns;
}
