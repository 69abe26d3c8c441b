import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/core/definitions/backtest.ts';
import { createColumnReplay, ShapeClassifier, toColumns } from '../../../src/core/definitions/backtest-columns.ts';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { parseDefinition } from '../../../src/core/definitions/definition-parse.ts';
import type { LeadDefinition, PredictedRule } from '../../../src/core/definitions/definition-schema.ts';
import { evaluateLead } from '../../../src/core/definitions/lead-evaluation.ts';
import { modelsOf, predictedPoints } from '../../../src/core/definitions/predicted.ts';
import { emptyEngagementState, fitSignature, scoreFit } from '../../../src/core/definitions/scoring.ts';
import { activity, contact, saas500, vp } from '../../helpers/definition-facts.ts';

const MODEL = '0193a000-0000-7000-8000-000000000003';
const refs = { contentIds: new Set(['cs', 'eb']), customFields: new Set<string>() };
const withPredicted = (rules: PredictedRule[], extra: Partial<LeadDefinition> = {}): LeadDefinition => ({ ...structuredClone(defaultDefinition), predicted: rules, ...extra });
const predicted = (probability: number, modelVersion = 3) => ({ [MODEL]: { probability, modelVersion, targetStage: 'opportunity' } });
const t0 = new Date('2026-03-02T10:00:00Z');

describe('predicted rule kind', () => {
  it('fit points scale with the probability, or come in full from the threshold; explained in words', () => {
    const scaled: PredictedRule = { id: 'model-fit', model: MODEL, use: 'fit', points: 26 };
    const stepped: PredictedRule = { id: 'model-step', model: MODEL, use: 'fit', points: 10, minProbability: 0.5 };
    const p46 = { probability: 0.46, modelVersion: 3, targetStage: 'opportunity' };
    expect(predictedPoints(scaled, p46)).toBe(12);
    expect(predictedPoints(stepped, p46)).toBe(0);
    expect(predictedPoints(stepped, { ...p46, probability: 0.5 })).toBe(10);
    expect(predictedPoints(scaled, null)).toBe(0);

    const def = withPredicted([scaled]);
    const fit = scoreFit({ ...vp, predictions: predicted(0.46) }, saas500, def);
    expect(fit.points).toBe(72 + 12);
    const ev = evaluateLead({ definition: def, version: 7, contact: { ...vp, predictions: predicted(0.46) }, account: saas500, state: emptyEngagementState(), now: t0 });
    expect(ev.explanation).toContain('+12 pts: predicted 46% likely to reach opportunity (model v3)');
    // No prediction yet: the rule adds nothing and the sentence does not mention it.
    const none = evaluateLead({ definition: def, version: 7, contact: vp, account: saas500, state: emptyEngagementState(), now: t0 });
    expect(none.fit.points).toBe(72);
    expect(none.explanation).not.toContain('predicted');
  });

  it('a predicted fit point can change the grade, and the fit signature tells different probabilities apart', () => {
    const def = withPredicted([{ id: 'model-fit', model: MODEL, use: 'fit', points: 40 }]);
    const nobody = contact({ title: 'Engineer' });
    expect(scoreFit(nobody, null, def).grade).toBe('D');
    expect(scoreFit({ ...nobody, predictions: predicted(0.9) }, null, def)).toMatchObject({ points: 36, grade: 'C' });
    expect(fitSignature({ ...nobody, predictions: predicted(0.9) }, null, def)).not.toBe(fitSignature({ ...nobody, predictions: predicted(0.1) }, null, def));
    expect(fitSignature(nobody, null, defaultDefinition)).toBe(fitSignature({ ...nobody, predictions: predicted(0.9) }, null, defaultDefinition));
  });

  it('engagement points from the model lift the level; an MQL condition qualifies at its threshold, after exclusions', () => {
    const engagement = withPredicted([{ id: 'model-eng', model: MODEL, use: 'engagement', points: 50 }]);
    const withPrediction = { ...vp, predictions: predicted(0.8) };
    const ev = evaluateLead({ definition: engagement, version: 2, contact: withPrediction, account: saas500, state: emptyEngagementState(), now: t0 });
    expect(ev.engagement).toMatchObject({ points: 40, level: 2 });
    expect(ev.qualification).toMatchObject({ qualifies: true, via: 'rating', cell: 'A2' });

    const mql = withPredicted([{ id: 'likely', model: MODEL, use: 'mql', minProbability: 0.4 }]);
    const intern = contact({ title: 'Intern', predictions: predicted(0.41) });
    const q = evaluateLead({ definition: mql, version: 4, contact: intern, account: null, state: emptyEngagementState(), now: t0 });
    expect(q.qualification).toMatchObject({ qualifies: true, via: 'predicted', predicted: { id: 'likely' } });
    expect(q.explanation).toMatch(/^definition v4: predicted 41% likely to reach opportunity \(model v3\) ≥ 40%, rating D4/);
    const below = evaluateLead({ definition: mql, version: 4, contact: { ...intern, predictions: predicted(0.39) }, account: null, state: emptyEngagementState(), now: t0 });
    expect(below.qualification).toMatchObject({ qualifies: false, via: null });
    expect(below.qualification.reason).toContain('predicted probability');
    const student = withPredicted([{ id: 'likely', model: MODEL, use: 'mql', minProbability: 0.4 }], {
      negative: [{ id: 'students', conditions: [{ field: 'contact.title', op: 'contains', values: ['Intern'] }], match: 'all', exclude: true }],
    });
    const excluded = evaluateLead({ definition: student, version: 4, contact: intern, account: null, state: emptyEngagementState(), now: t0 });
    expect(excluded.qualification).toMatchObject({ qualifies: false, excluded: { ruleId: 'students' } });
  });

  it('validation: points for components, a threshold and no points for the MQL condition, unique ids', () => {
    const base = structuredClone(defaultDefinition) as unknown as Record<string, unknown>;
    const bad = parseDefinition({ ...base, predicted: [
      { id: 'a', model: MODEL, use: 'fit' },
      { id: 'a', model: MODEL, use: 'mql', points: 5 },
      { id: 'c', model: MODEL, use: 'engagement', points: 5, minProbability: 1.5 },
    ] }, refs);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const paths = (bad.details ?? []).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['predicted[2].minProbability']));
    const meaning = parseDefinition({ ...base, predicted: [
      { id: 'a', model: MODEL, use: 'fit' },
      { id: 'a', model: MODEL, use: 'mql', points: 5 },
    ] }, refs);
    expect(meaning.ok).toBe(false);
    if (meaning.ok) return;
    expect((meaning.details ?? []).map((d) => d.path)).toEqual(expect.arrayContaining(['predicted[0].points', 'predicted[1].id', 'predicted[1].minProbability', 'predicted[1].points']));
    const good = parseDefinition({ ...base, predicted: [{ id: 'likely', model: MODEL, use: 'mql', minProbability: 0.4 }], inbox: { sort: 'predicted', model: MODEL } }, refs);
    expect(good.ok).toBe(true);
    if (good.ok) expect(modelsOf(good.value)).toEqual([MODEL]);
    expect(parseDefinition({ ...base, inbox: { sort: 'predicted' } }, refs).ok).toBe(false);
  });

  it('a backtest reads the probability as a fact of each person: MQL at the first activity, engagement points added', () => {
    const def = withPredicted([{ id: 'likely', model: MODEL, use: 'mql', minProbability: 0.4 }]);
    const people = [contact({ id: 'p1', title: 'Intern', predictions: predicted(0.7) }), contact({ id: 'p2', title: 'Intern', predictions: predicted(0.2) }), contact({ id: 'p3', title: 'Intern' })];
    const acts = people.flatMap((p, i) => [
      activity('page_view', new Date(t0.getTime() + i * 1000), { contactId: p.id, url: '/blog' }),
      activity('page_view', new Date(t0.getTime() + 86_400_000 + i * 1000), { contactId: p.id, url: '/blog' }),
    ]).sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : a.occurredAt.getTime() - b.occurredAt.getTime()));
    const byId = new Map(people.map((p) => [p.id, p]));
    const [withModel, without] = runBacktest(acts, { contact: (id) => byId.get(id), account: () => null, outcome: () => null }, [def, defaultDefinition], { repCount: 1, content: () => null });
    expect(withModel).toMatchObject({ mqls: 1, viaPredicted: 1 });
    expect(without).toMatchObject({ mqls: 0, viaPredicted: 0 });
  });

  it('the column replay (what the app runs) reports exactly what the reference replay reports, predicted rules included', () => {
    const def = withPredicted([
      { id: 'likely', model: MODEL, use: 'mql', minProbability: 0.6 },
      { id: 'model-eng', model: MODEL, use: 'engagement', points: 40 },
      { id: 'model-fit', model: MODEL, use: 'fit', points: 30, minProbability: 0.3 },
    ]);
    const uuid = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const people = Array.from({ length: 30 }, (_, i) => contact({ id: uuid(1000 + i), title: i % 3 ? 'VP Sales' : 'Engineer', ...(i % 4 ? { predictions: predicted((i * 37 % 100) / 100) } : {}) }));
    let n = 0;
    const acts = people.flatMap((p, i) => Array.from({ length: 1 + (i % 4) }, (_, k) => activity(k % 2 ? 'page_view' : 'content_download', new Date(t0.getTime() + (i * 7 + k) * 3_600_000), {
      id: uuid(++n), contactId: p.id, url: k % 2 ? '/pricing' : null, contentId: k % 2 ? null : 'cs',
    })));
    const sorted = [...acts].sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1)));
    const byId = new Map(people.map((p) => [p.id, p]));
    const options = { repCount: 2, content: () => null };
    const reference = runBacktest(sorted, { contact: (id) => byId.get(id), account: () => null, outcome: () => null }, [def, defaultDefinition], options);
    const classifier = new ShapeClassifier([def, defaultDefinition], () => null);
    const columns = toColumns([...acts].reverse(), classifier);
    const replay = createColumnReplay(columns, classifier, options);
    for (const ordinal of replay.order) replay.contact(ordinal, byId.get(columns.contactIds[ordinal]!)!, null, null);
    expect(replay.finish()).toEqual(reference);
    expect(reference[0]!.mqls).toBeGreaterThan(reference[1]!.mqls);
    expect(reference[0]!.viaPredicted).toBeGreaterThan(0);
  });
});
