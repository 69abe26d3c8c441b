import type { Example } from './dataset.ts';
import { rocAuc } from './metrics.rules.ts';

export type LeakCheck = { field: string; auc: number; reason: string };

/**
 * Fields without a timestamp (contact, account and custom attributes: we cannot tell when they were filled) are
 * checked for leaks: a call's duration, a lead status sales set, a "lost reason" are written after the outcome, and
 * a model would learn the answer, not the signal. Engagement is computed from dated activities before prediction
 * time, so it cannot leak and is not checked. A field is a leak when it alone separates the outcome almost
 * perfectly (ROC-AUC ≥ 0.9), or clearly (≥ 0.7) and far better (by ≥ 0.1) than any other undated field: real
 * firmographic signal is spread over several fields, an outcome written back is one field standing alone.
 * AUC is taken out of sample — levels' rates are learned on the older half and scored on the newer — so a unique
 * free-text note, which separates perfectly in sample, does not count.
 */
export const LEAK_AUC = 0.9;
export const STANDOUT_AUC = 0.7;
export const STANDOUT_MARGIN = 0.1;

/** Every field's out-of-sample separation, strongest first (the training report shows the top ones). */
export function fieldSeparations(examples: Example[], fields: string[]): { field: string; auc: number }[] {
  const labelled = examples.filter((e) => e.label !== null).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const half = Math.floor(labelled.length / 2);
  const older = labelled.slice(0, half);
  const newer = labelled.slice(half);
  return fields.map((field) => ({ field, auc: separation(older, newer, field) })).sort((a, b) => b.auc - a.auc || (a.field < b.field ? -1 : 1));
}

export function detectLeaks(examples: Example[], fields: string[]): LeakCheck[] {
  const ranked = fieldSeparations(examples, fields);
  const perfect = ranked.filter((r) => r.auc >= LEAK_AUC);
  const rest = ranked.filter((r) => r.auc < LEAK_AUC);
  const leaks: LeakCheck[] = perfect.map(({ field, auc }) => (
    { field, auc, reason: `alone it separates the outcome almost perfectly (ROC-AUC ${auc.toFixed(2)} ≥ ${LEAK_AUC}): it is most likely recorded after the outcome` }));
  // Among the others, only the strongest can stand out from the rest.
  const [top, next] = rest;
  if (top && top.auc >= STANDOUT_AUC && top.auc - (next?.auc ?? 0.5) >= STANDOUT_MARGIN) {
    leaks.push({ field: top.field, auc: top.auc, reason: `alone it separates the outcome far better than any other undated field (ROC-AUC ${top.auc.toFixed(2)} vs ${(next?.auc ?? 0.5).toFixed(2)}): it is most likely recorded after the outcome` });
  }
  return leaks;
}

/** max(AUC, 1 − AUC) of the field on `test`: numbers as they are (missing lowest), text by its level's rate in `train`. */
function separation(train: Example[], test: Example[], field: string): number {
  const labels = test.map((e) => e.label as 0 | 1);
  const raw = test.map((e) => e.fields[field] ?? null);
  if (raw.every((v) => v === null)) return 0.5;
  let scores: number[];
  if (raw.every((v) => v === null || typeof v === 'number')) {
    scores = raw.map((v) => (v === null ? -Infinity : (v as number)));
  } else {
    const rates = new Map<string, { n: number; p: number }>();
    for (const e of train) {
      const key = String(e.fields[field] ?? '\u0000missing');
      const r = rates.get(key) ?? { n: 0, p: 0 };
      r.n++; r.p += e.label as number;
      rates.set(key, r);
    }
    const base = train.reduce((a, e) => a + (e.label as number), 0) / Math.max(1, train.length);
    // Unseen levels get the base rate; rare ones are shrunk towards it.
    scores = raw.map((v) => {
      const r = rates.get(String(v ?? '\u0000missing'));
      return r ? (r.p + 10 * base) / (r.n + 10) : base;
    });
  }
  const auc = rocAuc(scores, labels);
  return Math.max(auc, 1 - auc);
}
