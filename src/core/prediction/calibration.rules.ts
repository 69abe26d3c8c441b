import { sigmoid } from './logistic.rules.ts';

/** Platt scaling: P = σ(a·z + b) on the model's raw score z, fitted on a validation split the model never saw. */
export type Platt = { a: number; b: number };

/** Newton's method on the 2-parameter log-loss, with Platt's target smoothing so a tiny split cannot give 0 or 1. */
export function fitPlatt(z: number[], labels: (0 | 1)[]): Platt {
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const t = labels.map((l) => (l === 1 ? hi : lo));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + b);
      const d = p - t[i]!;
      const w = p * (1 - p);
      ga += d * z[i]!; gb += d;
      haa += w * z[i]! * z[i]!; hab += w * z[i]!; hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da; b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

export const calibrated = (platt: Platt, z: number) => sigmoid(platt.a * z + platt.b);
