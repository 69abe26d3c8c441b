/** Evaluation of scores against 0/1 outcomes: ranking (ROC-AUC, PR-AUC), probabilities (log-loss, Brier, calibration), lift. */

/** ROC-AUC by ranks (Mann–Whitney U), ties counted half. 0.5 when a class is absent. */
export function rocAuc(scores: number[], labels: (0 | 1)[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]![1]] === 1) { positives++; rankSum += averageRank; }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Average precision (area under the precision–recall curve, step-wise), tied scores taken together. */
export function prAuc(scores: number[], labels: (0 | 1)[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const positives = labels.filter((l) => l === 1).length;
  if (positives === 0) return 0;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let groupPositives = 0;
    while (j < order.length && order[j]![0] === order[i]![0]) { if (labels[order[j]![1]] === 1) groupPositives++; j++; }
    tp += groupPositives;
    seen += j - i;
    ap += (groupPositives / positives) * (tp / seen);
    i = j;
  }
  return ap;
}

export function logLoss(probabilities: number[], labels: (0 | 1)[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length ? sum / labels.length : 0;
}

export function brier(probabilities: number[], labels: (0 | 1)[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return labels.length ? sum / labels.length : 0;
}

export type CalibrationBin = { from: number; to: number; count: number; meanPredicted: number; observedRate: number };

/** Ten bins by predicted probability (0–0.1, …, 0.9–1): how often what was predicted at p happened. */
export function calibrationTable(probabilities: number[], labels: (0 | 1)[], bins = 10): CalibrationBin[] {
  const out: CalibrationBin[] = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, count: 0, meanPredicted: 0, observedRate: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(bins - 1, Math.floor(probabilities[i]! * bins));
    out[b]!.count++;
    out[b]!.meanPredicted += probabilities[i]!;
    out[b]!.observedRate += labels[i]!;
  }
  for (const bin of out) if (bin.count) { bin.meanPredicted /= bin.count; bin.observedRate /= bin.count; }
  return out.filter((b) => b.count > 0);
}

/**
 * The top `fraction` of leads by score: lift (their conversion rate over the base rate) and capture (the share of all
 * conversions they hold). Ties at the cut are broken by input order, as a rep working down a sorted list would.
 */
export function topFraction(scores: number[], labels: (0 | 1)[], fraction = 0.1): { lift: number; capture: number; count: number } {
  const count = Math.max(1, Math.round(labels.length * fraction));
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, count);
  const positives = labels.filter((l) => l === 1).length;
  const topPositives = order.filter(([, i]) => labels[i] === 1).length;
  const baseRate = positives / Math.max(1, labels.length);
  return { lift: baseRate ? topPositives / count / baseRate : 0, capture: positives ? topPositives / positives : 0, count };
}
