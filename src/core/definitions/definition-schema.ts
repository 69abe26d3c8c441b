import { z } from 'zod';
import { activityTypes } from '../activity.ts';

/**
 * The lead definition document: the agreement between marketing and sales on what a sales-ready
 * lead is. One strict zod schema (unknown fields are errors, so a typo never silently does
 * nothing); cross-field rules (bands, references to content and custom fields) live in
 * definition-checks.ts and run after the shape is right; definition-parse.ts runs both.
 */

export const fitGrades = ['A', 'B', 'C', 'D'] as const;
export type FitGrade = (typeof fitGrades)[number];
export const engagementLevels = [1, 2, 3, 4] as const;
export type EngagementLevel = (typeof engagementLevels)[number];
export const ratings = ['qualified', 'warm', 'cold'] as const;
export type Rating = (typeof ratings)[number];

/** Fields fit and negative rules may test; custom fields are `contact.attributes.<name>` / `account.attributes.<name>`. */
export const fitFieldTypes = {
  'contact.title': 'text',
  'contact.seniority': 'text',
  'contact.department': 'text',
  'contact.country': 'text',
  'contact.email': 'text',
  'contact.emailDomain': 'text',
  'contact.unsubscribed': 'boolean',
  'account.name': 'text',
  'account.domain': 'text',
  'account.industry': 'text',
  'account.employeeCount': 'number',
  'account.country': 'text',
  'account.region': 'text',
  'account.annualRevenue': 'number',
} as const;
export type FitField = keyof typeof fitFieldTypes;

const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'ids are 1–80 letters, digits, _ . - (starting with a letter or digit)');
const label = z.string().trim().min(1).max(120);
const text = z.string().trim().min(1).max(200);
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

const conditionBase = { field: z.string().min(1), not: z.boolean().optional() };
export const conditionSchema = z.discriminatedUnion('op', [
  z.strictObject({ ...conditionBase, op: z.literal('equals'), value: scalar }),
  z.strictObject({ ...conditionBase, op: z.literal('in'), values: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.strictObject({ ...conditionBase, op: z.literal('contains'), values: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ ...conditionBase, op: z.literal('matches'), pattern: z.string().min(1).max(300) }),
  z.strictObject({ ...conditionBase, op: z.literal('gte'), value: z.number() }),
  z.strictObject({ ...conditionBase, op: z.literal('lte'), value: z.number() }),
  z.strictObject({ ...conditionBase, op: z.literal('between'), min: z.number(), max: z.number() }),
  z.strictObject({ ...conditionBase, op: z.literal('exists') }),
]);
export type Condition = z.output<typeof conditionSchema>;

const conditionRule = {
  id: ruleId,
  label: label.optional(),
  conditions: z.array(conditionSchema).min(1),
  /** all: every condition must hold (default); any: one is enough. */
  match: z.enum(['all', 'any']).default('all'),
};

export const fitRuleSchema = z.strictObject({ ...conditionRule, points: z.number().int().min(-1000).max(1000) });
export type FitRule = z.output<typeof fitRuleSchema>;

/** Criteria on one activity; every criterion given must match, a list means "any of". */
const activityCriteria = {
  type: oneOrMany(z.enum(activityTypes)).optional(),
  contentId: oneOrMany(z.string().min(1)).optional(),
  /** The content asset's format, e.g. case_study, webinar, ebook. */
  format: oneOrMany(z.string().min(1)).optional(),
  buyingStage: oneOrMany(z.string().min(1)).optional(),
  topic: oneOrMany(z.string().min(1)).optional(),
  /** Glob-like URL patterns: `*` any characters, `?` one; `/path*` matches the path, `host/path*` host and path. */
  url: oneOrMany(z.string().min(1).max(500)).optional(),
  campaign: oneOrMany(z.string().min(1)).optional(),
  source: oneOrMany(z.string().min(1)).optional(),
  medium: oneOrMany(z.string().min(1)).optional(),
  eventName: oneOrMany(z.string().min(1)).optional(),
  properties: z.record(z.string().min(1), z.union([scalar, z.array(scalar).min(1)])).optional(),
};
export const activityCriteriaKeys = ['type', 'contentId', 'format', 'buyingStage', 'topic', 'url', 'campaign', 'source', 'medium', 'eventName', 'properties'] as const;
export type ActivityCriteria = { [K in (typeof activityCriteriaKeys)[number]]?: z.output<(typeof activityCriteria)[K]> };

export const capSchema = z.strictObject({ max: z.number().int().min(1).max(10_000), perDays: z.number().positive().max(3650) });
export type Cap = z.output<typeof capSchema>;

export const engagementRuleSchema = z.strictObject({
  id: ruleId,
  label: label.optional(),
  ...activityCriteria,
  points: z.number().int().min(-1000).max(1000),
  cap: capSchema.optional(),
  /** Overrides the engagement half-life for this rule; null: this rule's points never decay. */
  halfLifeDays: z.number().positive().max(3650).nullable().optional(),
});
export type EngagementRule = z.output<typeof engagementRuleSchema>;

const gradeBand = z.strictObject({ grade: z.enum(fitGrades), min: z.number().optional() });
const levelBand = z.strictObject({ level: z.literal(engagementLevels), min: z.number().optional() });
export type GradeBand = z.output<typeof gradeBand>;
export type LevelBand = z.output<typeof levelBand>;

const ratingSchema = z.enum(ratings);
const matrixRow = z.tuple([ratingSchema, ratingSchema, ratingSchema, ratingSchema]);
export type RatingMatrix = Record<FitGrade, [Rating, Rating, Rating, Rating]>;

/** Eloqua-style A1–D4 default: A is best fit, 1 is most engaged. */
export const defaultRatingMatrix: RatingMatrix = {
  A: ['qualified', 'qualified', 'warm', 'cold'],
  B: ['qualified', 'warm', 'warm', 'cold'],
  C: ['warm', 'warm', 'cold', 'cold'],
  D: ['cold', 'cold', 'cold', 'cold'],
};

export const handRaiseSchema = z.strictObject({
  id: ruleId,
  label: label.optional(),
  ...activityCriteria,
  /** The worst fit grade that still qualifies on this hand-raise (C: A, B and C qualify). */
  minFitGrade: z.enum(fitGrades).default('C'),
});
export type HandRaise = z.output<typeof handRaiseSchema>;

export const negativeRuleSchema = z.strictObject({
  ...conditionRule,
  /** true: the contact can never become an MQL while this holds. */
  exclude: z.literal(true).optional(),
  /** Alternatively, negative fit points. */
  points: z.number().int().min(-1000).max(-1).optional(),
});
export type NegativeRule = z.output<typeof negativeRuleSchema>;

/** An activity that makes a known person (an email on file) an inquiry: a lead opens at `inquiry`. */
export const inquiryActivitySchema = z.strictObject({ id: ruleId, label: label.optional(), ...activityCriteria });
export type InquiryActivityRule = z.output<typeof inquiryActivitySchema>;

export const inquiryRuleSchema = z.strictObject({
  /** Any of these activities by a known person opens an inquiry (e.g. a form submission, a gated download). */
  activities: z.array(inquiryActivitySchema).default([]),
  /**
   * A known person with at least `minSignals` engagement signals becomes an inquiry at the signal
   * that reaches it. A signal is a counted (not capped) hit of an engagement rule: the listed
   * `rules`, or every rule giving positive points. null: engagement alone never opens an inquiry.
   */
  engaged: z.strictObject({
    minSignals: z.number().int().min(1).max(1000).default(1),
    rules: z.array(z.string().min(1)).min(1).optional(),
  }).nullable().default({ minSignals: 1 }),
});
export type InquiryRule = z.output<typeof inquiryRuleSchema>;

/**
 * What makes a known person an inquiry when a definition does not say: a form submission, a gated
 * (content) download, or one engagement signal once they are known (an identify with an email and
 * a pricing view, say). Definitions saved before the rule existed parse with this default.
 */
export const defaultInquiryRule: InquiryRule = {
  activities: [
    { id: 'form-submit', label: 'form submission', type: 'form_submit' },
    { id: 'gated-download', label: 'gated download', type: 'content_download' },
  ],
  engaged: { minSignals: 1 },
};

/** Activities that count as consuming content for the high-intent signal (an email *sent* does not). */
export const defaultHighIntentTypes = ['page_view', 'screen_view', 'content_view', 'content_download', 'email_click', 'form_submit', 'webinar_attended', 'event_attended'] as const;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD');
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const slaPolicySchema = z.strictObject({
  acceptWithinBusinessHours: z.number().positive().max(10_000),
  firstTouchWithinBusinessHours: z.number().positive().max(10_000),
  opportunityDecisionWithinDays: z.number().positive().max(3650),
  businessHours: z.strictObject({
    timezone: z.string().min(1),
    days: z.array(z.enum(weekdays)).min(1),
    start: hhmm,
    end: hhmm,
  }),
  holidays: z.array(isoDate).default([]),
  escalation: z.array(z.strictObject({
    on: z.enum(['accept', 'first_touch', 'opportunity_decision']),
    /** Business hours after the deadline is missed (0: at the breach). */
    afterBusinessHours: z.number().min(0).max(10_000),
    action: z.enum(['notify', 'reassign']),
    to: z.enum(['owner', 'owner_manager', 'sales_manager', 'marketing', 'admin']),
  })).default([]),
});
export type SlaPolicy = z.output<typeof slaPolicySchema>;

/**
 * A `predicted` rule: a trained conversion model (named by its version's id) used in the agreement. `use: fit` or
 * `engagement` adds points to that component — `points × probability` (rounded), or the full `points` once the
 * probability reaches `minProbability` when that is given; `use: mql` qualifies a lead whose probability reaches
 * `minProbability` (after exclusions, like a hand-raise). The probability is a fact the app supplies (the person's
 * stored prediction of that model); without one the rule adds nothing and the MQL condition does not hold.
 */
export const predictedRuleSchema = z.strictObject({
  id: ruleId,
  label: label.optional(),
  model: z.string().trim().min(1).max(80),
  use: z.enum(['fit', 'engagement', 'mql']),
  points: z.number().int().min(-1000).max(1000).optional(),
  minProbability: z.number().min(0).max(1).optional(),
});
export type PredictedRule = z.output<typeof predictedRuleSchema>;

/** How the sales inbox orders open leads: the usual priority bands, or a model's probability (most likely first). */
export const inboxSortSchema = z.discriminatedUnion('sort', [
  z.strictObject({ sort: z.literal('priority') }),
  z.strictObject({ sort: z.literal('predicted'), model: z.string().trim().min(1).max(80) }),
]);
export type InboxSort = z.output<typeof inboxSortSchema>;

export const leadDefinitionSchema = z.strictObject({
  schemaVersion: z.literal(1),
  name: text,
  description: z.string().max(2000).optional(),
  fit: z.strictObject({ rules: z.array(fitRuleSchema), grades: z.array(gradeBand) }),
  engagement: z.strictObject({
    /** Points halve every this many days; null: no decay. */
    halfLifeDays: z.number().positive().max(3650).nullable(),
    rules: z.array(engagementRuleSchema),
    levels: z.array(levelBand),
  }),
  rating: z.strictObject({ matrix: z.strictObject({ A: matrixRow, B: matrixRow, C: matrixRow, D: matrixRow }) })
    .default({ matrix: defaultRatingMatrix }),
  inquiry: inquiryRuleSchema.default(defaultInquiryRule),
  mql: z.strictObject({
    ratings: z.array(ratingSchema).default(['qualified']),
    handRaises: z.array(handRaiseSchema).default([]),
  }),
  highIntent: z.strictObject({
    contentIds: z.array(z.string().min(1)).default([]),
    urls: z.array(z.string().min(1).max(500)).default([]),
    activityTypes: z.array(z.enum(activityTypes)).min(1).optional(),
  }).default({ contentIds: [], urls: [] }),
  negative: z.array(negativeRuleSchema).default([]),
  /** Optional (absent in documents saved before models existed): rules reading a trained model's probability. */
  predicted: z.array(predictedRuleSchema).optional(),
  /** Optional: how the inbox orders leads (absent: the priority bands). */
  inbox: inboxSortSchema.optional(),
  sla: slaPolicySchema,
});
export type LeadDefinition = z.output<typeof leadDefinitionSchema>;
export type LeadDefinitionInput = z.input<typeof leadDefinitionSchema>;

/** `engagement.rules[2].contentId` from a zod/issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
