import { describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { decideQualification, gradeAtLeast, matchHighIntent } from '../../../src/core/definitions/qualification.ts';
import {
  applyActivity, decayTo, emptyEngagementState, scoreFit, summarizeEngagement, type EngagementState,
} from '../../../src/core/definitions/scoring.ts';
import type { ActivityFact, ContentFact } from '../../../src/core/activity.ts';
import { account, activity, contact, content, saas500, vp } from '../../helpers/definition-facts.ts';

const def = defaultDefinition;
const DAY = 86_400_000;
const t0 = new Date('2026-03-02T10:00:00Z');
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
const demoForm = (when: Date) => activity('form_submit', when, { properties: { formId: 'demo-request' } });

describe('decideQualification', () => {
  const fitA = scoreFit(vp, saas500, def);

  it('qualifies by rating when the cell is in mql.ratings', () => {
    expect(decideQualification({ fit: fitA, engagement: { level: 2 } }, def)).toMatchObject({
      qualifies: true, via: 'rating', rating: 'qualified', cell: 'A2', excluded: null, handRaise: null,
    });
    const warm = decideQualification({ fit: fitA, engagement: { level: 3 } }, def);
    expect(warm).toMatchObject({ qualifies: false, via: null, rating: 'warm', cell: 'A3' });
    expect(warm.reason).toBe('rating A3 is warm; MQL needs qualified');
  });

  it('qualifies a demo request immediately when fit is at least C, whatever the engagement', () => {
    const fitC = scoreFit(contact({ title: 'VP Sales' }), null, def);
    expect(fitC.grade).toBe('C');
    const d = decideQualification({ fit: fitC, engagement: { level: 4 }, activity: demoForm(t0) }, def);
    expect(d).toMatchObject({ qualifies: true, via: 'hand_raise', handRaise: { id: 'demo-request', label: 'demo request' }, cell: 'C4', rating: 'cold' });
  });

  it('does not let a D-fit hand-raise qualify, nor a hand-raise fire without the activity', () => {
    const fitD = scoreFit(contact({ title: 'Analyst' }), null, def);
    expect(fitD.grade).toBe('D');
    expect(decideQualification({ fit: fitD, engagement: { level: 1 }, activity: demoForm(t0) }, def).qualifies).toBe(false);
    const fitC = scoreFit(contact({ title: 'VP Sales' }), null, def);
    expect(decideQualification({ fit: fitC, engagement: { level: 4 } }, def).qualifies).toBe(false);
    const newsletter = activity('form_submit', t0, { properties: { formId: 'newsletter' } });
    expect(decideQualification({ fit: fitC, engagement: { level: 4 }, activity: newsletter }, def).qualifies).toBe(false);
  });

  it('never qualifies an excluded contact, even on a hand-raise', () => {
    const fit = scoreFit({ ...vp, email: 'vp@competitor.example' }, saas500, def);
    const d = decideQualification({ fit, engagement: { level: 1 }, activity: demoForm(t0) }, def);
    expect(d).toMatchObject({ qualifies: false, via: null, excluded: { ruleId: 'competitor' }, cell: 'A1' });
    expect(d.reason).toBe('excluded: works at a competitor');
  });

  it('lets warm qualify when the MQL rule says so', () => {
    const loose = { ...def, mql: { ...def.mql, ratings: ['qualified' as const, 'warm' as const] } };
    expect(decideQualification({ fit: fitA, engagement: { level: 3 } }, loose)).toMatchObject({ qualifies: true, via: 'rating' });
  });

  it('compares grades best-first', () => {
    expect(gradeAtLeast('A', 'C')).toBe(true);
    expect(gradeAtLeast('C', 'C')).toBe(true);
    expect(gradeAtLeast('D', 'C')).toBe(false);
  });
});

describe('matchHighIntent', () => {
  it('matches agreed URL patterns on consumption activities only', () => {
    expect(matchHighIntent(activity('page_view', t0, { url: 'https://x.io/pricing/teams' }), null, def))
      .toEqual({ via: 'url', pattern: '/pricing*', url: 'https://x.io/pricing/teams' });
    expect(matchHighIntent(activity('email_sent', t0, { url: 'https://x.io/pricing' }), null, def)).toBeNull();
    expect(matchHighIntent(activity('page_view', t0, { url: 'https://x.io/blog/pricing' }), null, def)).toBeNull();
  });

  it('matches listed content ids and falls back to the content URL', () => {
    const d = { ...def, highIntent: { contentIds: ['roi-calc'], urls: ['/compare*'] } };
    expect(matchHighIntent(activity('content_download', t0, { contentId: 'roi-calc' }), null, d)).toEqual({ via: 'content', contentId: 'roi-calc' });
    const cf: ContentFact = content('vs', { url: 'https://x.io/compare/rival' });
    expect(matchHighIntent(activity('content_view', t0, { contentId: 'vs' }), cf, d)).toMatchObject({ via: 'url', pattern: '/compare*' });
    expect(matchHighIntent(activity('content_view', t0, { contentId: 'other' }), null, d)).toBeNull();
  });
});

describe('scenario: VP at a 500-person SaaS company', () => {
  // One contact, the default definition, a simulated clock.
  const fit = scoreFit(vp, saas500, def);
  const caseStudy = content('cs-acme', { format: 'case_study' });
  const pricing = (when: Date) => activity('page_view', when, { url: 'https://leadloop.example/pricing' });
  let state: EngagementState = emptyEngagementState();
  const feed = (a: ActivityFact, now: Date, cf: ContentFact | null = null) => {
    state = applyActivity(state, a, cf, def, now).state;
    const engagement = summarizeEngagement(state, def);
    return { engagement, decision: decideQualification({ fit, engagement, activity: a, content: cf }, def) };
  };
  const atRest = (now: Date) => {
    state = decayTo(state, now);
    const engagement = summarizeEngagement(state, def);
    return { engagement, decision: decideQualification({ fit, engagement }, def) };
  };

  it('views pricing twice and downloads a case study → A2 → MQL; 60 days idle → warm; one more visit → still not MQL; the rule re-qualifies later', () => {
    expect(fit).toMatchObject({ points: 72, grade: 'A' });

    const first = feed(pricing(t0), plus(t0, 1000));
    expect(first.decision).toMatchObject({ cell: 'A3', qualifies: false });
    feed(pricing(plus(t0, 5 * 60_000)), plus(t0, 5 * 60_000));
    const mql = feed(activity('content_download', plus(t0, 60 * 60_000), { contentId: 'cs-acme' }), plus(t0, 60 * 60_000), caseStudy);
    expect(mql.engagement.points).toBe(35);
    expect(mql.decision).toMatchObject({ cell: 'A2', rating: 'qualified', qualifies: true, via: 'rating' });

    const idle = atRest(plus(t0, 60 * DAY + 60 * 60_000));
    expect(idle.engagement.points).toBe(9); // 35 / 4
    expect(idle.decision).toMatchObject({ cell: 'A3', rating: 'warm', qualifies: false });

    const back = plus(t0, 60 * DAY + 2 * 60 * 60_000);
    const oneMore = feed(pricing(back), back);
    expect(oneMore.engagement.points).toBe(19);
    expect(oneMore.decision).toMatchObject({ cell: 'A3', rating: 'warm', qualifies: false });

    // The rule says so again once engagement is back in level 2: two more pricing views (cap 3 per 30 days).
    feed(pricing(plus(back, DAY)), plus(back, DAY));
    const again = feed(pricing(plus(back, 2 * DAY)), plus(back, 2 * DAY));
    expect(again.engagement.points).toBeGreaterThanOrEqual(30);
    expect(again.decision).toMatchObject({ cell: 'A2', qualifies: true, via: 'rating' });
    // A fourth pricing view inside 30 days is capped: no points.
    const capped = applyActivity(state, pricing(plus(back, 3 * DAY)), null, def, plus(back, 3 * DAY));
    expect(capped.delta).toBe(0);
  });

  it('the same engagement at a 20-person agency is not an MQL (B/C fit)', () => {
    const smallFit = scoreFit(vp, account({ industry: 'Agency', employeeCount: 20 }), def);
    expect(smallFit.grade).toBe('C');
    expect(decideQualification({ fit: smallFit, engagement: { level: 2 } }, def)).toMatchObject({ cell: 'C2', qualifies: false });
  });
});
