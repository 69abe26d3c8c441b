import { describe, expect, it } from 'vitest';
import type { Example, FieldInfo } from '../../../src/core/prediction/dataset.ts';
import { encode, learnEncoding } from '../../../src/core/prediction/encoding.rules.ts';
import { detectLeaks } from '../../../src/core/prediction/leakage.rules.ts';
import { fitLogistic, sigmoid } from '../../../src/core/prediction/logistic.rules.ts';
import { calibrationTable, logLoss, prAuc, rocAuc, topFraction } from '../../../src/core/prediction/metrics.rules.ts';
import { predict, trainModel } from '../../../src/core/prediction/train.rules.ts';
import { mulberry32 } from '../../../src/core/stats/prng.rules.ts';

describe('metrics', () => {
  it('match the textbook example (scikit-learn docs: roc_auc_score 0.75, average_precision_score 0.8333)', () => {
    const scores = [0.1, 0.4, 0.35, 0.8];
    const labels: (0 | 1)[] = [0, 0, 1, 1];
    expect(rocAuc(scores, labels)).toBeCloseTo(0.75, 10);
    expect(prAuc(scores, labels)).toBeCloseTo(0.8333333333, 8);
    expect(logLoss([0.9, 0.1], [1, 0])).toBeCloseTo(-Math.log(0.9), 12);
  });

  it('count ties half and give lift and capture of the top decile', () => {
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    const scores = Array.from({ length: 100 }, (_, i) => 100 - i);
    const labels = scores.map((_, i) => (i < 5 || i === 50 || i === 60 ? 1 : 0)) as (0 | 1)[];
    expect(topFraction(scores, labels, 0.1)).toEqual({ lift: (5 / 10) / (7 / 100), capture: 5 / 7, count: 10 });
    const bins = calibrationTable([0.05, 0.05, 0.95], [0, 1, 1]);
    expect(bins).toEqual([{ from: 0, to: 0.1, count: 2, meanPredicted: 0.05, observedRate: 0.5 }, { from: 0.9, to: 1, count: 1, meanPredicted: 0.95, observedRate: 1 }]);
  });
});

describe('logistic regression', () => {
  it('recovers the coefficients of the process that made the data', () => {
    const random = mulberry32(7);
    const rows = [];
    const labels: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const a = random() * 2 - 1;
      const b = random() < 0.5 ? 1 : 0;
      rows.push({ index: [0, 1], value: [a, b] });
      labels.push(random() < sigmoid(-1 + 2 * a + 1.5 * b) ? 1 : 0);
    }
    const model = fitLogistic(rows, labels, 2, { l2: 0 });
    expect(model.bias).toBeCloseTo(-1, 1);
    expect(model.weights[0]).toBeCloseTo(2, 1);
    expect(model.weights[1]).toBeCloseTo(1.5, 1);
  });
});

describe('encoding', () => {
  it('groups rare levels as (other), keeps missing as its own input, and log-scales skewed counts', () => {
    const ex = (fields: Example['fields']): Example => ({ id: 'x', at: 0, label: 0, fields, ruleScore: null });
    const examples = [
      ...Array.from({ length: 20 }, () => ex({ industry: 'SaaS', visits: 1 })),
      ...Array.from({ length: 20 }, () => ex({ industry: 'Retail', visits: 0 })),
      ex({ industry: 'Mining', visits: 500 }), ex({ industry: null, visits: null }),
    ];
    const encoding = learnEncoding(examples, ['industry', 'visits'], { minLevelCount: 5 });
    expect(encoding.inputs.map((i) => `${i.field}:${i.level ?? i.kind}`)).toEqual(['industry:Retail', 'industry:SaaS', 'industry:(other)', 'industry:(missing)', 'visits:value', 'visits:missing']);
    expect(encoding.fields.find((f) => f.field === 'visits')).toMatchObject({ kind: 'numeric', log: true });
    expect(encode({ industry: 'Mining', visits: null }, encoding)).toEqual({ index: [2, 5], value: [1, 1] });
  });
});

/** Leads with a real signal in seniority and pricing visits, a leaking "call minutes" and a unique free-text note. */
function synthetic(n: number, seed = 3): { examples: Example[]; fields: FieldInfo[] } {
  const random = mulberry32(seed);
  const examples: Example[] = [];
  for (let i = 0; i < n; i++) {
    const senior = random() < 0.4;
    const pricing = Math.floor(random() * 4);
    const label = random() < sigmoid(-2 + (senior ? 1.2 : 0) + 0.6 * pricing) ? 1 : 0;
    examples.push({
      id: String(i).padStart(6, '0'), at: i * 1000, label,
      fields: {
        seniority: senior ? 'VP' : 'Individual', pricing_views_30d: pricing,
        call_minutes: label ? 10 + random() * 20 : random() * 3, note: `note ${i}`, country: random() < 0.5 ? 'DE' : 'FR',
      },
      ruleScore: (senior ? 20 : 0) + pricing * 5,
    });
  }
  const fields: FieldInfo[] = [
    { name: 'seniority', label: 'Seniority', group: 'contact' }, { name: 'pricing_views_30d', label: 'Pricing page views, last 30 days', group: 'engagement' },
    { name: 'call_minutes', label: 'Call minutes', group: 'attribute' }, { name: 'note', label: 'Note', group: 'attribute' }, { name: 'country', label: 'Country', group: 'contact' },
  ];
  return { examples, fields };
}

describe('training', () => {
  it('flags a field written after the outcome, not a unique note, and never checks dated engagement', () => {
    const { examples } = synthetic(3000);
    const leaks = detectLeaks(examples, ['seniority', 'call_minutes', 'note', 'country']);
    expect(leaks.map((l) => l.field)).toEqual(['call_minutes']);
    expect(leaks[0]!.reason).toMatch(/almost perfectly/);
  });

  it('excludes the leak by itself, evaluates on the newest leads beside the rule score, and explains in words', () => {
    const { examples, fields } = synthetic(4000);
    const trained = trainModel({ examples, fields });
    if (!trained.ok) throw new Error(trained.message);
    const { report, model } = trained.value;
    expect(report.excluded.map((e) => e.field)).toEqual(['call_minutes']);
    expect(model.fields.map((f) => f.name)).not.toContain('call_minutes');
    expect(report.examples).toMatchObject({ labelled: 4000, train: 2400, validation: 800, holdout: 800 });
    expect(report.holdout.model.rocAuc).toBeGreaterThan(0.65);
    expect(report.holdout.rules).not.toBeNull();
    expect(report.importance.slice(0, 2).map((i) => i.field).sort()).toEqual(['pricing_views_30d', 'seniority']);
    const hot = predict(model, { seniority: 'VP', pricing_views_30d: 3, country: 'DE', note: 'x' });
    const cold = predict(model, { seniority: 'Individual', pricing_views_30d: 0, country: 'DE', note: 'x' });
    expect(hot.probability).toBeGreaterThan(cold.probability);
    expect(hot.up.map((r) => r.field).sort()).toEqual(['pricing_views_30d', 'seniority']);
    expect(hot.up.find((r) => r.field === 'pricing_views_30d')!.words).toMatch(/^\+\d+ pts: Pricing page views, last 30 days: 3$/);
    expect(cold.down.length).toBeGreaterThan(0);
  });

  it('a person can keep a flagged field; training refuses too few of a class with what is missing', () => {
    const { examples, fields } = synthetic(4000);
    const kept = trainModel({ examples, fields, include: ['call_minutes'] });
    expect(kept.ok && kept.value.report.keptDespiteLeak).toEqual(['call_minutes']);
    const few = examples.map((e, i) => ({ ...e, label: (i < 30 ? 1 : 0) as 0 | 1 }));
    const refused = trainModel({ examples: few, fields });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/at least 50 leads that reached the target stage.*has 30 and 3970/);
  });
});
