import type { Example } from './dataset.ts';

/**
 * How raw fields become model inputs. Numbers: log-scaled when they are counts/amounts (all ≥ 0 and skewed), then
 * standardised, with a separate "missing" input (missing is information: no title says something). Text: one input
 * per level seen at least `minLevelCount` times; rarer levels share "(other)", and missing is its own level.
 */
export type NumericEncoding = { kind: 'numeric'; field: string; log: boolean; mean: number; sd: number; index: number; missingIndex: number | null };
export type CategoricalEncoding = { kind: 'categorical'; field: string; levels: Record<string, number>; otherIndex: number | null; missingIndex: number | null };
export type FieldEncoding = NumericEncoding | CategoricalEncoding;
export type Encoding = { fields: FieldEncoding[]; inputs: InputName[] };
/** What each model input means, for importance and explanations. */
export type InputName = { field: string; level?: string; kind: 'value' | 'level' | 'other' | 'missing' };

export type SparseRow = { index: number[]; value: number[] };

export const OTHER = '(other)';
export const MISSING = '(missing)';

export function learnEncoding(examples: Example[], fields: string[], options: { minLevelCount?: number; maxLevels?: number } = {}): Encoding {
  const minLevelCount = options.minLevelCount ?? Math.max(5, Math.ceil(examples.length * 0.005));
  const maxLevels = options.maxLevels ?? 50;
  const inputs: InputName[] = [];
  const add = (name: InputName) => inputs.push(name) - 1;
  const encodings: FieldEncoding[] = [];
  for (const field of fields) {
    const values = examples.map((e) => e.fields[field] ?? null);
    const present = values.filter((v) => v !== null);
    if (present.length === 0) continue;
    const missing = present.length < values.length;
    if (present.every((v) => typeof v === 'number')) {
      const nums = present as number[];
      const log = nums.every((v) => v >= 0) && skewed(nums);
      const scaled = nums.map((v) => (log ? Math.log1p(v) : v));
      const mean = scaled.reduce((a, b) => a + b, 0) / scaled.length;
      const sd = Math.sqrt(scaled.reduce((a, b) => a + (b - mean) ** 2, 0) / scaled.length) || 1;
      const index = add({ field, kind: 'value' });
      encodings.push({ kind: 'numeric', field, log, mean, sd, index, missingIndex: missing ? add({ field, kind: 'missing' }) : null });
    } else {
      const counts = new Map<string, number>();
      for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const kept = [...counts].filter(([, n]) => n >= minLevelCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxLevels);
      const levels: Record<string, number> = {};
      for (const [level] of kept) levels[level] = add({ field, level, kind: 'level' });
      const hasOther = kept.length < counts.size;
      encodings.push({
        kind: 'categorical', field, levels,
        otherIndex: hasOther ? add({ field, level: OTHER, kind: 'other' }) : null,
        missingIndex: missing ? add({ field, level: MISSING, kind: 'missing' }) : null,
      });
    }
  }
  return { fields: encodings, inputs };
}

/** Counts and amounts (most zero or small, a few huge) are compared on a log scale. */
function skewed(values: number[]): boolean {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
  return p99 > 10 * Math.max(1, median);
}

export function encode(fields: Example['fields'], encoding: Encoding): SparseRow {
  const index: number[] = [];
  const value: number[] = [];
  for (const f of encoding.fields) {
    const raw = fields[f.field] ?? null;
    if (f.kind === 'numeric') {
      if (raw === null || typeof raw !== 'number' || !Number.isFinite(raw)) {
        if (f.missingIndex !== null) { index.push(f.missingIndex); value.push(1); }
        continue;
      }
      const x = ((f.log ? Math.log1p(Math.max(0, raw)) : raw) - f.mean) / f.sd;
      index.push(f.index);
      value.push(Math.max(-6, Math.min(6, x)));
    } else {
      if (raw === null) {
        if (f.missingIndex !== null) { index.push(f.missingIndex); value.push(1); }
        continue;
      }
      const at = f.levels[String(raw)] ?? f.otherIndex;
      if (at !== null && at !== undefined) { index.push(at); value.push(1); }
    }
  }
  return { index, value };
}
