import { describe, expect, it } from 'vitest';
import type { Example } from '../../../src/core/prediction/dataset.ts';
import { predict, trainModel, type TrainedModel } from '../../../src/core/prediction/train.rules.ts';
import { mulberry32 } from '../../../src/core/stats/prng.rules.ts';
import { predictPeople } from '../../../src/app/prediction/predict-people.ts';
import { describeFields, fieldsOf } from '../../../src/app/prediction/prediction-features.ts';
import type { PersonSnapshot } from '../../../src/storage/predictions.repo.ts';

function trained(seed: number): TrainedModel {
  const random = mulberry32(seed);
  const examples: Example[] = Array.from({ length: 1500 }, (_, i) => {
    const seniority = ['Individual', 'Manager', 'VP'][i % 3]!;
    const pages = Math.floor(random() * 10);
    const z = -2 + (seniority === 'VP' ? 1.5 : 0) + 0.3 * pages * (seed % 2 ? 1 : -1);
    return { id: String(i).padStart(5, '0'), at: i, label: random() < 1 / (1 + Math.exp(-z)) ? 1 : 0, ruleScore: null, fields: { seniority, activities_total: pages } };
  });
  const result = trainModel({ examples, fields: describeFields(examples) });
  if (!result.ok) throw new Error(result.message);
  return result.value.model;
}

const person = (contactId: string, seniority: string, total: number): PersonSnapshot => ({
  contactId, leadId: null, at: new Date('2026-03-02T09:00:00Z'), label: null, fitScore: null, engagementScore: null,
  contact: { email: null, title: null, seniority, department: null, country: null, firstSource: null, firstMedium: null },
  lead: null, account: null, attributes: {}, accountAttributes: {},
  engagement: { total, last30Days: total, distinctContent: 0, daysSinceLast: 1, byType: { page_view: total } },
});

describe('predictPeople (the pure part of an in-transaction refresh)', () => {
  it('scores each person with each model as predict() would, person by person then model by model (one upsert order)', () => {
    const models = [{ id: 'm-1', version: 1, trained: trained(1) }, { id: 'm-2', version: 2, trained: trained(2) }];
    const people = [person('c-1', 'VP', 9), person('c-2', 'Individual', 0)];
    const at = new Date('2026-03-02T09:01:00Z');
    const rows = predictPeople(models, people, at);
    expect(rows.map((r) => [r.contactId, r.modelId, r.modelVersion])).toEqual([['c-1', 'm-1', 1], ['c-1', 'm-2', 2], ['c-2', 'm-1', 1], ['c-2', 'm-2', 2]]);
    rows.forEach((r, i) => {
      const expected = predict(models[i % 2]!.trained, fieldsOf(people[Math.floor(i / 2)]!));
      expect(r).toMatchObject({ probability: expected.probability, explanation: { up: expected.up, down: expected.down }, computedAt: at, leadId: null });
    });
    // The two models read the same person differently: each row is its own model's.
    expect(rows[0]!.probability).not.toBe(rows[1]!.probability);
  });
});
