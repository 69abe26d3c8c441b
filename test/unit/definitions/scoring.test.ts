import { describe, expect, it } from 'vitest';
import type { ActivityFact, ActivityType, ContentFact } from '../../../src/core/activity.ts';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { parseDefinition } from '../../../src/core/definitions/definition-parse.ts';
import type { LeadDefinition, LeadDefinitionInput } from '../../../src/core/definitions/definition-schema.ts';
import {
  applyActivity, decayTo, emptyEngagementState, rateLead, roundScore, scoreEngagement, scoreFit, summarizeEngagement,
  type EngagementState,
} from '../../../src/core/definitions/scoring.ts';
import { account, activity, contact, content, prng, saas500, vp } from '../../helpers/definition-facts.ts';

const def = defaultDefinition;
const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

function define(input: LeadDefinitionInput, contentIds: string[] = []): LeadDefinition {
  const r = parseDefinition(input, { contentIds: new Set(contentIds), customFields: new Set(['plan', 'seats']) });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.value;
}

describe('scoreFit', () => {
  it('scores a VP at a 500-person SaaS company 72 → A, rule by rule', () => {
    const fit = scoreFit(vp, saas500, def);
    expect(fit.points).toBe(72);
    expect(fit.grade).toBe('A');
    expect(fit.contributions.map((c) => [c.ruleId, c.points])).toEqual([['title-vp-clevel', 30], ['industry-saas', 25], ['size-midmarket', 17]]);
    expect(fit.exclusions).toEqual([]);
  });

  it('matches text case-insensitively and on word boundaries with matches', () => {
    expect(scoreFit(contact({ title: 'vice PRESIDENT, Sales' }), null, def).contributions.map((c) => c.ruleId)).toContain('title-vp-clevel');
    // "MVP engineer" must not read as VP.
    expect(scoreFit(contact({ title: 'MVP Engineer' }), null, def).contributions.map((c) => c.ruleId)).not.toContain('title-vp-clevel');
  });

  it('does not count a VP as a director too (not-condition)', () => {
    const ids = scoreFit(contact({ title: 'VP and Head of Growth' }), null, def).contributions.map((c) => c.ruleId);
    expect(ids).toContain('title-vp-clevel');
    expect(ids).not.toContain('title-director');
    expect(scoreFit(contact({ title: 'Head of Growth' }), null, def).contributions.map((c) => c.ruleId)).toEqual(['title-director']);
  });

  it('grades on band boundaries (min is inclusive)', () => {
    const d = define({ ...def, fit: { ...def.fit, rules: [{ id: 'x', conditions: [{ field: 'account.annualRevenue', op: 'exists' }], points: 60 }] } });
    expect(scoreFit(contact(), account({ annualRevenue: 1 }), d).grade).toBe('A');
    const d59 = define({ ...def, fit: { ...def.fit, rules: [{ id: 'x', conditions: [{ field: 'account.annualRevenue', op: 'exists' }], points: 59 }] } });
    expect(scoreFit(contact(), account({ annualRevenue: 1 }), d59).grade).toBe('B');
  });

  it('without an account only contact rules apply', () => {
    const fit = scoreFit(vp, null, def);
    expect(fit.points).toBe(30);
    expect(fit.grade).toBe('C');
  });

  it('subtracts negative points and records exclusions', () => {
    const student = scoreFit(contact({ title: 'Marketing Student' }), saas500, def);
    expect(student.points).toBe(25 + 17 - 50);
    expect(student.grade).toBe('D');
    expect(student.contributions.find((c) => c.ruleId === 'student')?.points).toBe(-50);
    expect(scoreFit(contact({ unsubscribed: true }), null, def).exclusions).toEqual([{ ruleId: 'unsubscribed', label: 'unsubscribed' }]);
    expect(scoreFit(contact({ email: 'spy@Competitor.Example' }), null, def).exclusions.map((e) => e.ruleId)).toEqual(['competitor']);
  });

  it('reads custom attributes, coercing numeric text for numeric operators', () => {
    const d = define({
      ...def,
      fit: {
        ...def.fit,
        rules: [
          { id: 'plan', conditions: [{ field: 'contact.attributes.plan', op: 'in', values: ['Pro', 'Enterprise'] }], points: 10 },
          { id: 'seats', conditions: [{ field: 'account.attributes.seats', op: 'gte', value: 50 }], points: 20 },
        ],
      },
    });
    const fit = scoreFit(contact({ attributes: { plan: 'enterprise' } }), account({ attributes: { seats: '75' } }), d);
    expect(fit.points).toBe(30);
    expect(scoreFit(contact({ attributes: { plan: 'free' } }), account({ attributes: { seats: 'many' } }), d).points).toBe(0);
  });
});

describe('engagement', () => {
  const t0 = at('2026-03-02T10:00:00Z');
  const pricing = (when: Date) => activity('page_view', when, { url: 'https://leadloop.example/pricing?plan=team' });

  it('adds points for matching rules and reports them', () => {
    const r = applyActivity(emptyEngagementState(), pricing(t0), null, def, t0);
    expect(r.delta).toBe(10);
    expect(r.matchedRules).toEqual([{ ruleId: 'pricing-page', label: 'pricing page', points: 10, capped: false }]);
    expect(r.state.rules['pricing-page']).toMatchObject({ points: 10, hits: 1, recent: [t0.toISOString()], halfLifeDays: 30 });
    expect(applyActivity(emptyEngagementState(), activity('page_view', t0, { url: '/blog/pricing-tips' }), null, def, t0).delta).toBe(0);
  });

  it('halves points every half-life', () => {
    const s = applyActivity(emptyEngagementState(), pricing(t0), null, def, t0).state;
    expect(decayTo(s, plus(t0, 30 * DAY)).rules['pricing-page']!.points).toBeCloseTo(5, 10);
    expect(decayTo(s, plus(t0, 60 * DAY)).rules['pricing-page']!.points).toBeCloseTo(2.5, 10);
    // never decays backwards
    expect(decayTo(s, plus(t0, -DAY))).toBe(s);
  });

  it('decays a late activity from when it happened, not when it arrived', () => {
    const r = applyActivity(emptyEngagementState(), pricing(t0), null, def, plus(t0, 30 * DAY));
    expect(r.delta).toBeCloseTo(5, 10);
  });

  it('treats a future-stamped activity as happening now', () => {
    const r = applyActivity(emptyEngagementState(), pricing(plus(t0, DAY)), null, def, t0);
    expect(r.delta).toBe(10);
  });

  it('caps a rule at max hits per rolling window', () => {
    let s = emptyEngagementState();
    const deltas: number[] = [];
    for (let i = 0; i < 5; i++) {
      const when = plus(t0, i * DAY);
      const r = applyActivity(s, pricing(when), null, def, when);
      deltas.push(roundScore(r.delta));
      s = r.state;
      if (i >= 3) expect(r.matchedRules[0]).toMatchObject({ ruleId: 'pricing-page', capped: true, points: 0 });
    }
    expect(deltas).toEqual([10, 10, 10, 0, 0]);
    expect(s.rules['pricing-page']!.hits).toBe(3);
    // 30 days after the first counted hit, a slot frees up.
    const later = plus(t0, 30 * DAY + 1);
    expect(applyActivity(s, pricing(later), null, def, later).delta).toBe(10);
  });

  it('matches content facets, properties and host patterns', () => {
    const d = define({
      ...def,
      engagement: {
        ...def.engagement,
        rules: [
          { id: 'bofu', type: 'content_view', buyingStage: 'decision', topic: ['pricing', 'roi'], points: 7 },
          { id: 'form', type: 'form_submit', properties: { formId: ['demo-request', 'trial'] }, points: 20 },
          { id: 'docs', url: 'docs.*/api/*', points: 2 },
          { id: 'utm', campaign: 'Spring-Launch', source: 'linkedin', points: 4 },
        ],
      },
    });
    const cf: ContentFact = content('k1', { buyingStage: 'Decision', topics: ['ROI'] });
    const s = emptyEngagementState();
    expect(applyActivity(s, activity('content_view', t0, { contentId: 'k1' }), cf, d, t0).delta).toBe(7);
    expect(applyActivity(s, activity('content_view', t0, { contentId: 'k1' }), null, d, t0).delta).toBe(0);
    expect(applyActivity(s, activity('form_submit', t0, { properties: { formId: 'Demo-Request' } }), null, d, t0).delta).toBe(20);
    expect(applyActivity(s, activity('form_submit', t0, { properties: { formId: 'newsletter' } }), null, d, t0).delta).toBe(0);
    expect(applyActivity(s, activity('page_view', t0, { url: 'https://DOCS.leadloop.io/api/v1#auth' }), null, d, t0).delta).toBe(2);
    expect(applyActivity(s, activity('page_view', t0, { url: 'https://www.leadloop.io/api/v1' }), null, d, t0).delta).toBe(0);
    expect(applyActivity(s, activity('email_click', t0, { campaign: 'spring-launch', source: 'LinkedIn' }), null, d, t0).delta).toBe(4);
    expect(applyActivity(s, activity('email_click', t0, { campaign: 'spring-launch', source: null }), null, d, t0).delta).toBe(0);
  });

  it('honours a per-rule half-life override, including no decay', () => {
    const d = define({
      ...def,
      engagement: {
        ...def.engagement,
        rules: [
          { id: 'forever', type: 'event_attended', points: 20, halfLifeDays: null },
          { id: 'fast', type: 'email_click', points: 8, halfLifeDays: 7 },
        ],
      },
    });
    let s = applyActivity(emptyEngagementState(), activity('event_attended', t0), null, d, t0).state;
    s = applyActivity(s, activity('email_click', t0), null, d, t0).state;
    s = decayTo(s, plus(t0, 14 * DAY));
    expect(s.rules.forever!.points).toBe(20);
    expect(s.rules.fast!.points).toBeCloseTo(2, 10);
    expect(summarizeEngagement(s, d).points).toBe(22);
  });

  it('summarizes with contributions and a level from the rounded total', () => {
    const cs = content('cs1', { format: 'case_study' });
    let s = emptyEngagementState();
    for (const a of [pricing(t0), pricing(plus(t0, 60_000)), activity('content_download', plus(t0, 120_000), { contentId: 'cs1' })]) {
      s = applyActivity(s, a, a.contentId ? cs : null, def, a.occurredAt).state;
    }
    const e = summarizeEngagement(s, def);
    expect(e.points).toBe(35);
    expect(e.level).toBe(2);
    expect(e.contributions.map((c) => [c.ruleId, c.hits, roundScore(c.points)])).toEqual([['pricing-page', 2, 20], ['case-study-download', 1, 15]]);
  });
});

describe('incremental equals full recompute (seeded property test)', () => {
  const d = define({
    ...def,
    engagement: {
      halfLifeDays: 21,
      rules: [
        { id: 'pricing', type: 'page_view', url: '/pricing*', points: 10, cap: { max: 3, perDays: 30 } },
        { id: 'any-page', type: 'page_view', points: 1, cap: { max: 5, perDays: 1 } },
        { id: 'download', type: 'content_download', points: 12, cap: { max: 2, perDays: 14 }, halfLifeDays: 60 },
        { id: 'webinar', type: 'webinar_attended', points: 15, halfLifeDays: null },
        { id: 'careers', url: '/careers*', points: -5 },
        { id: 'click', type: 'email_click', points: 3 },
      ],
      levels: def.engagement.levels,
    },
  });
  const types: ActivityType[] = ['page_view', 'page_view', 'page_view', 'content_download', 'webinar_attended', 'email_click', 'email_open'];
  const urls = ['/pricing', '/pricing/enterprise', '/careers/jobs', '/blog/x', null];

  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const rand = prng(seed);
      const start = Date.UTC(2026, 0, 1);
      const n = 1 + Math.floor(rand() * 80);
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(start + Math.floor(rand() * 200 * DAY));
      times.sort((a, b) => a - b);
      // Bursts: some activities share a timestamp or fall minutes apart (caps and ties).
      for (let i = 1; i < n; i++) if (rand() < 0.2) times[i] = times[i - 1]! + Math.floor(rand() * 600_000);
      times.sort((a, b) => a - b);
      const acts: ActivityFact[] = times.map((ms, i) => activity(types[Math.floor(rand() * types.length)]!, new Date(ms), {
        id: `s${seed}-${String(i).padStart(3, '0')}`, url: urls[Math.floor(rand() * urls.length)] ?? null,
      }));

      let state: EngagementState = emptyEngagementState();
      let processed = 0;
      for (const a of acts) {
        if (rand() < 0.3) state = JSON.parse(JSON.stringify(decayTo(state, new Date(a.occurredAt.getTime() - Math.floor(rand() * DAY))))) as EngagementState;
        const ingestedAt = new Date(Math.max(a.occurredAt.getTime() + Math.floor(rand() * 3 * DAY), processed));
        processed = ingestedAt.getTime();
        state = JSON.parse(JSON.stringify(applyActivity(state, a, null, d, ingestedAt).state)) as EngagementState;
      }
      const now = new Date(Math.max(processed, start + 210 * DAY));
      const incremental = decayTo(state, now);
      const full = scoreEngagement([...acts].reverse(), new Map(), d, now);

      expect(Object.keys(incremental.rules).sort()).toEqual(Object.keys(full.rules).sort());
      for (const [id, rule] of Object.entries(full.rules)) {
        const inc = incremental.rules[id]!;
        expect(inc.hits, id).toBe(rule.hits);
        expect(inc.recent, id).toEqual(rule.recent);
        expect(inc.points, id).toBeCloseTo(rule.points, 9);
      }
      expect(summarizeEngagement(incremental, d).points).toBe(summarizeEngagement(full, d).points);
    });
  }
});

describe('rateLead', () => {
  it('maps grade × level through the matrix with an A1–D4 cell label', () => {
    expect(rateLead('A', 2, def)).toEqual({ rating: 'qualified', cell: 'A2' });
    expect(rateLead('A', 3, def)).toEqual({ rating: 'warm', cell: 'A3' });
    expect(rateLead('B', 2, def)).toEqual({ rating: 'warm', cell: 'B2' });
    expect(rateLead('D', 1, def)).toEqual({ rating: 'cold', cell: 'D1' });
  });
});
