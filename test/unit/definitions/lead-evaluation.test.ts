import { describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { evaluateLead } from '../../../src/core/definitions/lead-evaluation.ts';
import { emptyEngagementState } from '../../../src/core/definitions/scoring.ts';
import { activity, saas500, vp } from '../../helpers/definition-facts.ts';

describe('evaluateLead', () => {
  it('scores, decides, flags high intent and explains in one step; decay-only refresh drops the rating', () => {
    const base = { definition: defaultDefinition, version: 3, contact: vp, account: saas500 };
    const t0 = new Date('2026-03-02T10:00:00Z');
    const first = evaluateLead({ ...base, state: emptyEngagementState(), activity: activity('page_view', t0, { url: '/pricing' }), now: t0 });
    expect(first).toMatchObject({ delta: 10, highIntent: { via: 'url', pattern: '/pricing*' }, rating: { cell: 'A3' }, qualification: { qualifies: false } });
    const demo = activity('form_submit', t0, { properties: { formId: 'demo-request' } });
    const second = evaluateLead({ ...base, state: first.state, activity: demo, now: t0 });
    expect(second.qualification).toMatchObject({ qualifies: true, via: 'hand_raise' });
    expect(second.engagement.points).toBe(50);
    expect(second.explanation).toBe('definition v3: hand-raise: demo request, rating A2 (fit 72 = title VP or C-level +30, industry SaaS +25, 200–1000 employees +17; engagement 50 = demo request +40, pricing page +10)');
    const later = evaluateLead({ ...base, state: second.state, now: new Date(t0.getTime() + 60 * 86_400_000) });
    expect(later).toMatchObject({ delta: 0, highIntent: null, rating: { cell: 'A3', rating: 'warm' }, qualification: { qualifies: false, via: null } });
    expect(later.engagement.points).toBe(13);
  });
});
