import { z } from 'zod';
import { attributionModels, type AttributionModel } from '../../core/attribution/journey.types.ts';
import { monthKeyStart } from '../../core/stats/cohort.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import type { GroupBy } from '../../storage/reports/report-sql.ts';
import type { DefinitionVersion } from '../../storage/reports/report-sql.ts';

export const reportNames = ['funnel', 'time-to-sales-ready', 'sources', 'cpod', 'attribution', 'interactions', 'leakage'] as const;
export type ReportName = (typeof reportNames)[number];
export const groupings = ['source', 'campaign', 'owner', 'month', 'definition_version'] as const;

/** A CSV-able cell. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export type ReportParams = { from: Date; to: Date; by: GroupBy; model: AttributionModel; markovOrder?: number };

/**
 * What every report answers: the period (half-open [from, to) in UTC, `to_inclusive` the last day),
 * the filters applied, the lead-definition versions involved, when it was computed, how each figure
 * is defined (`notes`, `definitions`), and one flat table (`columns` + `rows`: the CSV form).
 * Report-specific sections come on top.
 */
export type ReportEnvelope = {
  report: ReportName;
  period: { from: string; to: string; to_inclusive: string };
  filters: { by: GroupBy; model: AttributionModel };
  definition_versions: DefinitionVersion[];
  generated_at: string;
  notes: string[];
  definitions: Record<string, string>;
  columns: string[];
  rows: Row[];
  [section: string]: unknown;
};

const dateOrMonth = z.string().trim().regex(/^\d{4}-\d{2}(-\d{2})?$/, "must be a date 'YYYY-MM-DD' or a month 'YYYY-MM'");

/** Query parameters of every report (HTTP and CLI); all optional. */
export const reportQuerySchema = z.strictObject({
  from: dateOrMonth.optional().describe("First day of the period (or 'YYYY-MM' = its first day). Default: 12 months before `to`."),
  to: dateOrMonth.optional().describe("Last day of the period, inclusive (or 'YYYY-MM' = its last day). Default: today (UTC)."),
  by: z.enum(groupings).optional().describe("Grouping: source, campaign, owner, month (the month leads entered) or definition_version (the lead definition version recorded on the lead's first → mql transition: '1', '2'…, '(by hand)', '(not mql)'). Default per report."),
  model: z.enum(attributionModels).optional().describe('Attribution model for marketing share (attribution report). Default linear.'),
  markov_order: z.coerce.number().int().min(1).max(4).optional().describe('Order of the Markov chain behind the markov and markov_path models (attribution report): 1–4, as ChannelAttribution\'s `order`. Default 1.'),
  format: z.enum(['json', 'csv']).optional().describe('csv: the flat table as text/csv.'),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

const dayMs = 86_400_000;
function parseDay(value: string, end: boolean): Date | null {
  if (/^\d{4}-\d{2}$/.test(value)) {
    const start = monthKeyStart(value);
    if (!start) return null;
    if (!end) return start;
    return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) return null;
  return end ? new Date(d.getTime() + dayMs) : d;
}

export const defaultGrouping: Record<ReportName, GroupBy> = {
  funnel: 'month', 'time-to-sales-ready': 'month', sources: 'source', cpod: 'month', attribution: 'source', interactions: 'source', leakage: 'owner',
};

/** Turns query strings into a period [from, to) with defaults relative to `now`. */
export function reportParams(name: ReportName, q: Omit<ReportQuery, 'format'>, now: Date): Result<ReportParams> {
  const to = q.to ? parseDay(q.to, true) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  if (!to) return fail('ValidationFailed', `to=${q.to} is not a valid date.`, [{ path: 'querystring.to', message: 'invalid date' }]);
  const from = q.from ? parseDay(q.from, false) : new Date(Date.UTC(to.getUTCFullYear() - 1, to.getUTCMonth(), to.getUTCDate()));
  if (!from) return fail('ValidationFailed', `from=${q.from} is not a valid date.`, [{ path: 'querystring.from', message: 'invalid date' }]);
  if (from >= to) return fail('ValidationFailed', `The period is empty: from (${q.from}) must be on or before to (${q.to}).`, [{ path: 'querystring.from', message: 'after to' }]);
  return ok({ from, to, by: q.by ?? defaultGrouping[name], model: q.model ?? 'linear', markovOrder: q.markov_order ?? 1 });
}

export function envelopeBase(name: ReportName, p: ReportParams, now: Date, definitionVersions: DefinitionVersion[]) {
  return {
    report: name,
    period: { from: p.from.toISOString(), to: p.to.toISOString(), to_inclusive: new Date(p.to.getTime() - dayMs).toISOString().slice(0, 10) },
    filters: { by: p.by, model: p.model },
    definition_versions: definitionVersions,
    generated_at: now.toISOString(),
  };
}

/** Ratio or null when the denominator is 0 (never NaN or Infinity in a report). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
/** Rounds money to cents and rates to 6 digits, so JSON and CSV show the same figures. */
export const money = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
export const rate = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e6);
