import { describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { explainScore, formatContribution, formatContributions } from '../../../src/core/definitions/explanation.ts';
import { decideQualification } from '../../../src/core/definitions/qualification.ts';
import { fitRuleLabel, activityRuleLabel } from '../../../src/core/definitions/rule-labels.ts';
import {
  applyActivity, emptyEngagementState, rateLead, scoreFit, summarizeEngagement,
} from '../../../src/core/definitions/scoring.ts';
import { activity, contact, content, saas500, vp } from '../../helpers/definition-facts.ts';

const def = defaultDefinition;
const t0 = new Date('2026-03-02T10:00:00Z');

describe('explainScore', () => {
  it('reads like the MQL reason in the issue', () => {
    const fit = scoreFit(vp, saas500, def);
    let s = emptyEngagementState();
    const acts = [
      activity('page_view', t0, { url: '/pricing' }),
      activity('page_view', new Date(t0.getTime() + 60_000), { url: '/pricing' }),
      activity('content_download', new Date(t0.getTime() + 120_000), { contentId: 'cs' }),
    ];
    for (const a of acts) s = applyActivity(s, a, a.contentId ? content('cs', { format: 'case_study' }) : null, def, a.occurredAt).state;
    const engagement = summarizeEngagement(s, def);
    const rating = rateLead(fit.grade, engagement.level, def);
    expect(explainScore({ version: 3, fit, engagement, rating })).toBe(
      'definition v3: rating A2 (fit 72 = title VP or C-level +30, industry SaaS +25, 200–1000 employees +17; engagement 35 = pricing page ×2 +20, case study download +15)',
    );
  });

  it('leads with the hand-raise or the exclusion', () => {
    const fit = scoreFit(contact({ title: 'VP Sales' }), null, def);
    const engagement = { points: 0, contributions: [] };
    const rating = rateLead(fit.grade, 4, def);
    const q = decideQualification({ fit, engagement: { level: 4 }, activity: activity('form_submit', t0, { properties: { formId: 'demo-request' } }) }, def);
    expect(explainScore({ version: 'x', fit, engagement, rating, qualification: q }))
      .toBe('definition vx: hand-raise: demo request, rating C4 (fit 30 = title VP or C-level +30; engagement 0 = no matching rules)');
    const excludedFit = scoreFit(contact({ title: 'VP', unsubscribed: true }), null, def);
    expect(explainScore({ version: 1, fit: excludedFit, engagement, rating: rateLead(excludedFit.grade, 4, def) }))
      .toMatch(/^definition v1: excluded \(unsubscribed\), rating C4/);
  });

  it('orders by points, shows negatives and drops zeros', () => {
    expect(formatContributions([
      { ruleId: 'a', label: 'a', points: 3.2, hits: 1 },
      { ruleId: 'b', label: 'b', points: -10, hits: 1 },
      { ruleId: 'c', label: 'c', points: 12.6, hits: 4 },
      { ruleId: 'd', label: 'd', points: 0.2, hits: 9 },
    ])).toBe('c ×4 +13, a +3, b -10');
    expect(formatContribution({ ruleId: 'd', label: 'd', points: 0.4, hits: 1 })).toBeNull();
  });
});

describe('generated labels', () => {
  it('describes fit rules without a label', () => {
    expect(fitRuleLabel({ id: 'x', match: 'all', points: 1, conditions: [{ field: 'account.employeeCount', op: 'between', min: 200, max: 1000 }] }))
      .toBe('employee count 200–1000');
    expect(fitRuleLabel({ id: 'x', match: 'any', points: 1, conditions: [
      { field: 'contact.title', op: 'contains', values: ['vp', 'chief'] },
      { field: 'contact.emailDomain', op: 'in', values: ['a.io'], not: true },
    ] })).toBe('title contains "vp" or "chief" or not (email domain is a.io)');
  });

  it('describes activity rules without a label', () => {
    expect(activityRuleLabel({ type: 'page_view', url: '/pricing*' })).toBe('page view of /pricing*');
    expect(activityRuleLabel({ type: ['content_download', 'content_view'], format: 'case_study', properties: { formId: 'x' } }))
      .toBe('content download or content view (format case_study, formId x)');
    expect(activityRuleLabel({ label: 'Pricing', type: 'page_view' })).toBe('Pricing');
  });
});
