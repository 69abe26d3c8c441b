import { fail, ok, type Result } from '../result.ts';
import { calibrated, fitPlatt, type Platt } from './calibration.rules.ts';
import type { Example, FieldInfo } from './dataset.ts';
import { encode, learnEncoding, type Encoding, type SparseRow } from './encoding.rules.ts';
import { detectLeaks, type LeakCheck } from './leakage.rules.ts';
import { fitLogistic, linear, type LogisticModel } from './logistic.rules.ts';
import { brier, calibrationTable, logLoss, prAuc, rocAuc, topFraction, type CalibrationBin } from './metrics.rules.ts';

export const MIN_PER_CLASS = 50;

/** Everything needed to score a person again: the encoding, the weights and the calibration, plus field labels. */
export type TrainedModel = { encoding: Encoding; logistic: LogisticModel; platt: Platt; fields: FieldInfo[]; baseline: Record<string, number> };

export type Metrics = { rocAuc: number; prAuc: number; logLoss: number | null; brier: number | null; top10: { lift: number; capture: number } };

export type TrainingReport = {
  examples: { labelled: number; tooRecent: number; train: number; validation: number; holdout: number };
  classBalance: { positives: number; negatives: number; rate: number };
  /** The outcome rate of each split: a holdout converting far more (or less) than training shows drift over time. */
  rates: { train: number; validation: number; holdout: number };
  split: { trainFrom: string; validationFrom: string; holdoutFrom: string; holdoutTo: string };
  excluded: (LeakCheck & { label: string })[];
  /** Fields a person kept although the leak check flagged them. */
  keptDespiteLeak: string[];
  holdout: { model: Metrics; rules: Metrics | null };
  calibration: CalibrationBin[];
  /** Cumulative capture and lift by top fraction of the holdout (10%, 20% … 100%): the model and the rule score. Absent in older reports. */
  gains?: { fraction: number; model: { lift: number; capture: number }; rules: { lift: number; capture: number } | null }[];
  importance: { field: string; label: string; meanAbsContribution: number }[];
};

export type TrainInput = { examples: Example[]; fields: FieldInfo[]; include?: string[]; exclude?: string[]; l2?: number };

/**
 * Trains on the oldest 60% of the labelled leads, calibrates on the next 20% and evaluates on the newest 20%: the
 * way the model will be used (on leads newer than anything it learned from). The model evaluated is the one kept.
 */
export function trainModel(input: TrainInput): Result<{ model: TrainedModel; report: TrainingReport }> {
  const labelled = input.examples.filter((e) => e.label !== null).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const positives = labelled.filter((e) => e.label === 1).length;
  const negatives = labelled.length - positives;
  if (positives < MIN_PER_CLASS || negatives < MIN_PER_CLASS) {
    return fail('ValidationFailed', `Training needs at least ${MIN_PER_CLASS} leads that reached the target stage and ${MIN_PER_CLASS} that did not, `
      + `with a known outcome (opened longer ago than the horizon); this workspace has ${positives} and ${negatives}. `
      + 'Import more history (a CSV with the outcome column), choose an earlier target stage (sql), or a shorter horizon.');
  }
  // Only undated fields can be written after the outcome (see leakage.rules.ts).
  const undated = input.fields.filter((f) => f.group === 'contact' || f.group === 'account' || f.group === 'attribute').map((f) => f.name);
  const leaks = detectLeaks(labelled, undated);
  const forced = new Set(input.include ?? []);
  const dropped = new Set([...leaks.map((l) => l.field).filter((f) => !forced.has(f)), ...(input.exclude ?? [])]);
  const fields = input.fields.filter((f) => !dropped.has(f.name));
  const labelOf = new Map(input.fields.map((f) => [f.name, f.label]));

  const cut1 = Math.floor(labelled.length * 0.6);
  const cut2 = Math.floor(labelled.length * 0.8);
  const train = labelled.slice(0, cut1);
  const validation = labelled.slice(cut1, cut2);
  const holdout = labelled.slice(cut2);
  const encoding = learnEncoding(train, fields.map((f) => f.name));
  const rows = (xs: Example[]) => xs.map((e) => encode(e.fields, encoding));
  const trainRows = rows(train);
  const labels = (xs: Example[]) => xs.map((e) => e.label as 0 | 1);
  const logistic = fitLogistic(trainRows, labels(train), encoding.inputs.length, { l2: input.l2 });
  const platt = fitPlatt(rows(validation).map((r) => linear(logistic, r)), labels(validation));
  const baseline = fieldBaselines(trainRows, logistic, encoding);
  // A field never filled in the training period has no input: it is not part of the model.
  const encoded = new Set(encoding.fields.map((f) => f.field));
  const model: TrainedModel = { encoding, logistic, platt, fields: fields.filter((f) => encoded.has(f.name)), baseline };

  const holdoutLabels = labels(holdout);
  const p = rows(holdout).map((r) => calibrated(platt, linear(logistic, r)));
  const rule = holdout.map((e) => e.ruleScore);
  const rules = rule.every((s) => s !== null) ? rankingMetrics(rule as number[], holdoutLabels) : null;
  const iso = (ms: number) => new Date(ms).toISOString();
  return ok({
    model,
    report: {
      examples: { labelled: labelled.length, tooRecent: input.examples.length - labelled.length, train: train.length, validation: validation.length, holdout: holdout.length },
      classBalance: { positives, negatives, rate: positives / labelled.length },
      rates: { train: rateOf(train), validation: rateOf(validation), holdout: rateOf(holdout) },
      split: { trainFrom: iso(train[0]!.at), validationFrom: iso(validation[0]!.at), holdoutFrom: iso(holdout[0]!.at), holdoutTo: iso(holdout[holdout.length - 1]!.at) },
      excluded: leaks.filter((l) => !forced.has(l.field)).map((l) => ({ ...l, label: labelOf.get(l.field) ?? l.field })),
      keptDespiteLeak: leaks.filter((l) => forced.has(l.field)).map((l) => l.field),
      holdout: { model: { ...rankingMetrics(p, holdoutLabels), logLoss: logLoss(p, holdoutLabels), brier: brier(p, holdoutLabels) }, rules },
      calibration: calibrationTable(p, holdoutLabels),
      gains: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((fraction) => {
        const m = topFraction(p, holdoutLabels, fraction);
        const r = rules ? topFraction(rule as number[], holdoutLabels, fraction) : null;
        return { fraction, model: { lift: m.lift, capture: m.capture }, rules: r ? { lift: r.lift, capture: r.capture } : null };
      }),
      importance: importance(trainRows, logistic, encoding, labelOf),
    },
  });
}

const rateOf = (xs: Example[]) => xs.filter((e) => e.label === 1).length / Math.max(1, xs.length);

function rankingMetrics(scores: number[], labels: (0 | 1)[]): Metrics {
  return { rocAuc: rocAuc(scores, labels), prAuc: prAuc(scores, labels), logLoss: null, brier: null, top10: topFraction(scores, labels, 0.1) };
}

/** Each field's contribution to the raw score, per row (sum of its inputs' weight × value). */
function fieldContributions(row: SparseRow, logistic: LogisticModel, encoding: Encoding): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = 0; k < row.index.length; k++) {
    const field = encoding.inputs[row.index[k]!]!.field;
    out.set(field, (out.get(field) ?? 0) + logistic.weights[row.index[k]!]! * row.value[k]!);
  }
  return out;
}

/** The typical (mean) contribution of each field: explanations say how a person differs from the typical lead. */
function fieldBaselines(rows: SparseRow[], logistic: LogisticModel, encoding: Encoding): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const row of rows) for (const [field, c] of fieldContributions(row, logistic, encoding)) sums[field] = (sums[field] ?? 0) + c;
  for (const field of Object.keys(sums)) sums[field] = sums[field]! / Math.max(1, rows.length);
  return sums;
}

function importance(rows: SparseRow[], logistic: LogisticModel, encoding: Encoding, labelOf: Map<string, string>): TrainingReport['importance'] {
  const sums = new Map<string, number>();
  for (const row of rows) for (const [field, c] of fieldContributions(row, logistic, encoding)) sums.set(field, (sums.get(field) ?? 0) + Math.abs(c));
  return [...sums].map(([field, s]) => ({ field, label: labelOf.get(field) ?? field, meanAbsContribution: s / Math.max(1, rows.length) }))
    .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution || (a.field < b.field ? -1 : 1)).slice(0, 25);
}

export type Reason = { field: string; label: string; value: string; effect: number; words: string };
export type Prediction = { probability: number; up: Reason[]; down: Reason[] };

/**
 * A person's probability and why: each field's effect is how much the probability would drop (or rise) if that
 * field looked like the typical lead's, in percentage points — "+18 pts: Pricing page views, last 30 days: 3".
 */
export function predict(model: TrainedModel, fields: Example['fields'], top = 3): Prediction {
  const row = encode(fields, model.encoding);
  const z = linear(model.logistic, row);
  const probability = calibrated(model.platt, z);
  const contributions = fieldContributions(row, model.logistic, model.encoding);
  const reasons: Reason[] = [];
  for (const info of model.fields) {
    const c = contributions.get(info.name) ?? 0;
    const typical = model.baseline[info.name] ?? 0;
    const effect = probability - calibrated(model.platt, z - c + typical);
    if (Math.abs(effect) < 0.005) continue;
    const value = describeValue(fields[info.name] ?? null);
    const points = Math.round(effect * 100);
    reasons.push({ field: info.name, label: info.label, value, effect, words: `${points >= 0 ? '+' : '−'}${Math.abs(points)} pts: ${info.label}: ${value}` });
  }
  reasons.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || (a.field < b.field ? -1 : 1));
  return { probability, up: reasons.filter((r) => r.effect > 0).slice(0, top), down: reasons.filter((r) => r.effect < 0).slice(0, top) };
}

function describeValue(v: number | string | null): string {
  if (v === null) return 'not known';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return v;
}
