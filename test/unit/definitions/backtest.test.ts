import { describe, expect, it } from 'vitest';
import type { AccountFact, ActivityFact, ActivityType, ContactFact, ContentFact } from '../../../src/core/activity.ts';
import {
  createBacktest, median, runBacktest, type ContactBacktest, type ContactOutcome,
} from '../../../src/core/definitions/backtest.ts';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import type { LeadDefinition } from '../../../src/core/definitions/definition-schema.ts';
import { decideQualification } from '../../../src/core/definitions/qualification.ts';
import { applyActivity, emptyEngagementState, scoreFit, summarizeEngagement } from '../../../src/core/definitions/scoring.ts';
import { account, activity, contact, content, prng, saas500 } from '../../helpers/definition-facts.ts';

const def = defaultDefinition;
const DAY = 86_400_000;
const contents = new Map<string, ContentFact>([['cs', content('cs', { format: 'case_study' })]]);
const lookupContent = (id: string) => contents.get(id);
const d = (iso: string) => new Date(iso);
const none: ContactOutcome = { salAt: null, sqlAt: null, opportunityAt: null, wonAt: null, wonRevenue: 0 };

type Row = { contact: ContactFact; account: AccountFact | null; outcome: ContactOutcome | null; activities: ActivityFact[] };

function dataset(): Row[] {
  const pricing = (id: string, at: string) => activity('page_view', at, { contactId: id, url: '/pricing' });
  const demo = (id: string, at: string) => activity('form_submit', at, { contactId: id, properties: { formId: 'demo-request' } });
  return [
    {
      contact: contact({ id: 'c1', title: 'VP Marketing' }), account: saas500,
      outcome: { salAt: d('2026-01-12T00:00:00Z'), sqlAt: d('2026-01-20T00:00:00Z'), opportunityAt: d('2026-02-01T00:00:00Z'), wonAt: d('2026-03-01T00:00:00Z'), wonRevenue: 50_000 },
      activities: [
        pricing('c1', '2026-01-10T10:00:00Z'), pricing('c1', '2026-01-10T10:05:00Z'),
        activity('content_download', '2026-01-10T11:00:00Z', { contactId: 'c1', contentId: 'cs' }),
        pricing('c1', '2026-01-11T10:00:00Z'),
      ],
    },
    {
      contact: contact({ id: 'c2', title: 'VP Sales' }), account: null,
      outcome: { ...none, salAt: d('2026-02-01T00:00:00Z') },
      activities: [activity('page_view', '2026-01-20T09:00:00Z', { contactId: 'c2', url: '/blog' }), demo('c2', '2026-02-03T09:00:00Z')],
    },
    {
      contact: contact({ id: 'c3', title: 'Analyst' }), account: account({ industry: 'Retail', employeeCount: 20 }),
      outcome: { ...none, wonAt: d('2026-03-15T00:00:00Z'), wonRevenue: 20_000 },
      activities: [pricing('c3', '2026-01-05T00:00:00Z'), pricing('c3', '2026-01-06T00:00:00Z'), demo('c3', '2026-01-07T00:00:00Z')],
    },
    {
      contact: contact({ id: 'c4', title: 'VP Product', email: 'x@competitor.example' }), account: saas500, outcome: null,
      activities: [demo('c4', '2026-01-08T00:00:00Z')],
    },
    {
      contact: contact({ id: 'c5', title: 'Chief Revenue Officer' }), account: saas500, outcome: none,
      activities: [demo('c5', '2025-12-02T00:00:00Z')],
    },
    {
      contact: contact({ id: 'c6', title: 'VP Ops' }), account: saas500, outcome: none,
      activities: [demo('c6', '2026-04-02T00:00:00Z')], // after `to`: ignored
    },
  ];
}

const options = { from: d('2026-01-01T00:00:00Z'), to: d('2026-04-01T00:00:00Z'), repCount: 2, content: lookupContent };

function run(definition: LeadDefinition, rows: Row[], opts = options) {
  const perContact: ContactBacktest[] = [];
  const bt = createBacktest(definition, opts, (r) => perContact.push(r));
  for (const row of rows) {
    bt.contact(row.contact, row.account, row.outcome);
    for (const a of row.activities) bt.activity(a);
  }
  return { report: bt.finish(), perContact };
}

describe('backtest', () => {
  it('finds first MQL times and compares them with what really happened', () => {
    const { report, perContact } = run(def, dataset());
    const byId = new Map(perContact.map((r) => [r.contactId, r]));
    expect(byId.get('c1')).toMatchObject({ mqlAt: d('2026-01-10T11:00:00Z'), via: 'rating', grade: 'A' });
    expect(byId.get('c2')).toMatchObject({ mqlAt: d('2026-02-03T09:00:00Z'), via: 'hand_raise', grade: 'C', firstTouchAt: d('2026-01-20T09:00:00Z') });
    expect(byId.get('c3')).toMatchObject({ mqlAt: null, grade: 'D', firstTouchAt: d('2026-01-05T00:00:00Z') });
    expect(byId.get('c4')).toMatchObject({ mqlAt: null, excluded: true });
    expect(byId.get('c6')).toMatchObject({ mqlAt: null, firstTouchAt: null });

    expect(report).toMatchObject({
      contacts: 6, activities: 11, excludedContacts: 1,
      mqls: 2, viaHandRaise: 1, mqlsBeforeWindow: 1,
      mqlsPerMonth: [{ month: '2026-01', count: 1 }, { month: '2026-02', count: 1 }],
      reached: { sal: 1, sql: 1, opportunity: 1, won: 1 },
      lateMqls: 1,
      revenueCovered: 50_000,
      revenueWon: 70_000,
      missedWon: { count: 1, revenue: 20_000, sample: ['c3'] },
    });
    // c1 took an hour, c2 fourteen days: median is the mean of the two.
    expect(report.medianDaysFirstTouchToMql).toBeCloseTo((1 / 24 + 14) / 2, 6);
    const weeks = 90 / 7;
    expect(report.perRepPerWeek.weeks).toBeCloseTo(weeks, 6);
    expect(report.perRepPerWeek.average).toBeCloseTo(2 / weeks / 2, 6);
    expect(report.perRepPerWeek.peak).toBe(0.5);
  });

  it('a stricter proposal produces fewer MQLs and more missed revenue', () => {
    const strict: LeadDefinition = { ...def, mql: { ratings: ['qualified'], handRaises: [] } };
    const [active, proposal] = runBacktest(
      dataset().flatMap((r) => r.activities),
      {
        contact: (id) => dataset().find((r) => r.contact.id === id)?.contact,
        account: (id) => dataset().find((r) => r.contact.id === id)?.account,
        outcome: (id) => dataset().find((r) => r.contact.id === id)?.outcome,
      },
      [def, strict],
      options,
    );
    expect(active!.mqls).toBe(2);
    expect(proposal!.mqls).toBe(1);
    expect(proposal!.viaHandRaise).toBe(0);
    expect(proposal!.contacts).toBe(active!.contacts);
  });

  it('skips activities of unknown contacts and counts unsorted input', () => {
    const acts = [
      activity('page_view', '2026-01-02T00:00:00Z', { contactId: 'ghost', url: '/pricing' }),
      activity('page_view', '2026-01-03T00:00:00Z', { contactId: 'k', url: '/pricing' }),
      activity('page_view', '2026-01-02T00:00:00Z', { contactId: 'k', url: '/pricing' }),
    ];
    const [report] = runBacktest(acts, { contact: (id) => (id === 'k' ? contact({ id }) : null), account: () => null, outcome: () => null }, [def], { repCount: 1, content: lookupContent });
    expect(report).toMatchObject({ contacts: 1, activities: 2, outOfOrderActivities: 1, mqls: 0 });
  });

  it('agrees with the live path on the first MQL time (seeded random histories)', () => {
    const rand = prng(7);
    const types: ActivityType[] = ['page_view', 'page_view', 'content_download', 'webinar_attended', 'email_click', 'form_submit'];
    const titles = ['VP Marketing', 'Director of Sales', 'Marketing Manager', 'Analyst', 'Student'];
    const rows: Row[] = [];
    for (let c = 0; c < 60; c++) {
      const id = `r${c}`;
      const n = Math.floor(rand() * 25);
      let t = Date.UTC(2026, 0, 1) + Math.floor(rand() * 30 * DAY);
      const acts: ActivityFact[] = [];
      for (let i = 0; i < n; i++) {
        t += Math.floor(rand() * rand() * 20 * DAY);
        const type = types[Math.floor(rand() * types.length)]!;
        acts.push(activity(type, new Date(t), {
          contactId: id,
          url: type === 'page_view' ? (rand() < 0.5 ? '/pricing' : '/blog') : null,
          contentId: type === 'content_download' ? 'cs' : null,
          properties: type === 'form_submit' ? { formId: rand() < 0.2 ? 'demo-request' : 'newsletter' } : {},
        }));
      }
      rows.push({
        contact: contact({ id, title: titles[Math.floor(rand() * titles.length)]! }),
        account: account({ industry: rand() < 0.6 ? 'SaaS' : 'Retail', employeeCount: Math.floor(rand() * 2000) }),
        outcome: null,
        activities: acts,
      });
    }
    const { perContact } = run(def, rows, { repCount: 1, content: lookupContent } as typeof options);
    let qualifiedSomewhere = 0;
    for (const row of rows) {
      const fit = scoreFit(row.contact, row.account, def);
      let state = emptyEngagementState();
      let live: Date | null = null;
      for (const a of row.activities) {
        const cf = a.contentId ? contents.get(a.contentId) ?? null : null;
        state = applyActivity(state, a, cf, def, a.occurredAt).state;
        const decision = decideQualification({ fit, engagement: summarizeEngagement(state, def), activity: a, content: cf }, def);
        if (decision.qualifies) { live = a.occurredAt; break; }
      }
      if (live) qualifiedSomewhere++;
      expect(perContact.find((r) => r.contactId === row.contact.id)!.mqlAt, row.contact.id).toEqual(live);
    }
    expect(qualifiedSomewhere).toBeGreaterThan(5);
    expect(qualifiedSomewhere).toBeLessThan(rows.length);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 1, 4, 2])).toBe(3);
  });
});
