import { describe, expect, it } from 'vitest';
import type { AccountFact, ActivityFact, ActivityType, ContactFact, ContentFact } from '../../../src/core/activity.ts';
import { runBacktest, type BacktestOptions, type ContactOutcome } from '../../../src/core/definitions/backtest.ts';
import {
  createColumnReplay, shapeFieldsRead, ShapeClassifier, toColumns,
} from '../../../src/core/definitions/backtest-columns.ts';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import type { LeadDefinition } from '../../../src/core/definitions/definition-schema.ts';
import { account, activity, contact, content } from '../../helpers/definition-facts.ts';
import { prng } from '../../helpers/prng.ts';

/**
 * The column replay (pre-matched shapes, counting sort, applyWorkingMatched) must report exactly
 * what the reference replay (createBacktest over activity objects in (contact, time, id) order)
 * reports, on randomized histories with ties, caps, negative points, hand-raises, windows and
 * outcomes, for several definitions at once.
 */

const DAY = 86_400_000;
const contents = new Map<string, ContentFact>([
  ['cs', content('cs', { format: 'case_study', url: 'https://x.io/pricing/case' })],
  ['eb', content('eb', { format: 'ebook', buyingStage: 'awareness', topics: ['AI'] })],
  ['wp', content('wp', { format: 'Whitepaper', url: '/careers/join' })],
  ['wb', content('wb', { format: 'webinar', buyingStage: 'decision' })],
]);
const lookupContent = (id: string) => contents.get(id);

function variant(rand: () => number): LeadDefinition {
  const d = structuredClone(defaultDefinition);
  d.name = 'variant';
  d.engagement.halfLifeDays = rand() < 0.3 ? null : 5 + Math.floor(rand() * 60);
  d.engagement.rules.push(
    { id: 'any-google', label: 'from google', source: ['google', 'Bing'], points: 2, cap: { max: 2, perDays: 7 } },
    { id: 'launch', label: 'launch campaign', campaign: 'launch', medium: 'email', points: 6, halfLifeDays: null },
    { id: 'signup-event', label: 'signup event', type: 'custom', eventName: 'Signed Up', points: 12 },
    { id: 'plan-pro', label: 'pro plan (any type)', properties: { plan: ['pro', 3] }, points: 9 },
    { id: 'ai-topic', label: 'AI topic', topic: 'ai', points: 4 },
    { id: 'late-stage', label: 'decision stage', buyingStage: 'decision', points: 7, halfLifeDays: 2 },
    { id: 'host-pricing', label: 'x.io pricing', url: 'x.io/pricing*', points: 5 },
    { id: 'cs-id', label: 'case study by id', contentId: ['cs'], points: -3 },
  );
  d.engagement.levels = [{ level: 1, min: 50 + Math.floor(rand() * 30) }, { level: 2, min: 20 + Math.floor(rand() * 20) }, { level: 3, min: 0 }, { level: 4 }];
  if (rand() < 0.5) d.rating.matrix.C = ['qualified', 'warm', 'cold', 'qualified'];
  d.mql.handRaises.push({ id: 'big-event', label: 'signed up', type: 'custom', eventName: ['signed up'], minFitGrade: 'D' });
  // Half the variants narrow the inquiry rule: a newsletter form, downloads from google, two signals of named rules.
  if (rand() < 0.5) {
    d.inquiry = {
      activities: [{ id: 'newsletter', type: 'form_submit', properties: { formId: 'newsletter' } }, { id: 'google-download', type: 'content_download', source: 'google' }],
      engaged: { minSignals: 2, rules: ['pricing-page', 'launch', 'any-google'] },
    };
  }
  return d;
}

function uuid(rand: () => number): string {
  let h = '';
  for (let i = 0; i < 32; i++) h += Math.floor(rand() * 16).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type World = { contacts: ContactFact[]; accounts: Map<string, AccountFact | null>; outcomes: Map<string, ContactOutcome | null>; activities: ActivityFact[] };

function world(seed: number): World {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const types: ActivityType[] = ['page_view', 'page_view', 'page_view', 'content_download', 'content_view', 'webinar_attended', 'email_click', 'email_open', 'form_submit', 'custom', 'meeting'];
  const urls = ['/pricing', '/PRICING?utm=x', 'https://x.io/pricing', ' /careers ', '/careers/apply', '/blog', null, null];
  const forms = [{ formId: 'demo-request' }, { formId: 'contact-sales' }, { formId: 'newsletter' }, { formId: 'demo-request', plan: 'PRO' }, { plan: 3 }, { plan: { x: 1 } }, { plan: null }, {}];
  const titles = ['VP Marketing', 'Director of Sales', 'Marketing Manager', 'Analyst', 'Student', 'CEO', null];
  const out: World = { contacts: [], accounts: new Map(), outcomes: new Map(), activities: [] };
  const base = Date.UTC(2025, 10, 1);
  for (let c = 0; c < 160; c++) {
    const id = uuid(rand);
    const roll = rand();
    // Some people stay anonymous (no email): the inquiry rule never applies to them.
    out.contacts.push(contact({ id, title: pick(titles), email: roll < 0.05 ? 'x@competitor.example' : roll < 0.25 ? null : `p${c}@acme.io`, unsubscribed: rand() < 0.03, department: pick(['marketing', 'sales', null]) }));
    out.accounts.set(id, rand() < 0.15 ? null : account({ industry: pick(['SaaS', 'Retail', 'software']), employeeCount: Math.floor(rand() * 2500), region: pick(['NA', 'EMEA', 'APAC']) }));
    const won = rand() < 0.25 ? new Date(base + Math.floor(rand() * 200 * DAY)) : null;
    out.outcomes.set(id, rand() < 0.4 ? {
      salAt: rand() < 0.7 ? new Date(base + Math.floor(rand() * 200 * DAY)) : null,
      sqlAt: rand() < 0.5 ? new Date(base + Math.floor(rand() * 200 * DAY)) : null,
      opportunityAt: rand() < 0.4 ? new Date(base + Math.floor(rand() * 200 * DAY)) : null,
      wonAt: won, wonRevenue: won ? Math.round(rand() * 1e6) / 100 : 0,
    } : null);
    const n = Math.floor(rand() * rand() * 80);
    let t = base + Math.floor(rand() * 60 * DAY);
    for (let i = 0; i < n; i++) {
      // Coarse steps: many activities share a millisecond (ties broken by id), some go back in time.
      const r = rand();
      if (r < 0.6) t += Math.floor(rand() * 4) * Math.floor(rand() * 3 * DAY / 4);
      else if (r < 0.9) t += 0;
      else t -= Math.floor(rand() * 5 * DAY);
      const type = pick(types);
      out.activities.push(activity(type, new Date(t), {
        id: uuid(rand), contactId: id,
        url: type === 'page_view' || rand() < 0.1 ? pick(urls) : null,
        contentId: type === 'content_download' || type === 'content_view' || type === 'webinar_attended' ? pick(['cs', 'eb', 'wp', 'wb', null]) : null,
        properties: type === 'form_submit' || rand() < 0.05 ? pick(forms) : {},
        source: pick(['google', 'bing', 'linkedin', null]), medium: pick(['email', 'cpc', null]), campaign: pick(['launch', 'Launch', 'other', null]),
        eventName: type === 'custom' ? pick(['Signed Up', 'signed up', 'Logged In']) : null,
      }));
    }
  }
  // A contact with no facts: its activities are skipped by both paths.
  out.activities.push(activity('form_submit', new Date(base), { id: uuid(rand), contactId: uuid(rand), properties: { formId: 'demo-request' } }));
  return out;
}

function compare(w: World, definitions: LeadDefinition[], options: BacktestOptions) {
  const to = options.to ? options.to.getTime() : Infinity;
  const kept = w.activities.filter((a) => a.occurredAt.getTime() < to);
  // The SQL reader's order: contact, time, id (lowercase uuids compare like their bytes).
  const sorted = [...kept].sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0)
    || a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(w.contacts.map((c) => [c.id, c]));
  const reference = runBacktest(sorted, {
    contact: (id) => byId.get(id), account: (id) => w.accounts.get(id) ?? null, outcome: (id) => w.outcomes.get(id) ?? null,
  }, definitions, options);

  const classifier = new ShapeClassifier(definitions, lookupContent);
  const shuffled = [...kept];
  const rand = prng(99);
  for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
  const columns = toColumns(shuffled, classifier);
  const replay = createColumnReplay(columns, classifier, options);
  for (const ordinal of replay.order) {
    const id = columns.contactIds[ordinal]!;
    const c = byId.get(id);
    if (c) replay.contact(ordinal, c, w.accounts.get(id) ?? null, w.outcomes.get(id) ?? null);
  }
  const fast = replay.finish();
  return { reference, fast, classifier };
}

describe('column backtest replay', () => {
  it('reads only the fields some rule tests', () => {
    const f = shapeFieldsRead([defaultDefinition]);
    expect(f).toMatchObject({ content: true, url: true, campaign: false, source: false, medium: false, eventName: false });
    // The canonical key and the alias spellings older history may hold (activity vocabulary).
    expect(f.properties).toEqual(new Map(['form_id', 'formId', 'formID', 'form-id'].map((k) => [k, new Set(['form_submit'])])));
    const v = shapeFieldsRead([variant(prng(1))]);
    expect(v).toMatchObject({ campaign: true, source: true, medium: true, eventName: true });
    expect(v.properties.get('plan')).toBe('all');
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`reports exactly what the reference replay reports (seed ${seed})`, () => {
      const rand = prng(seed * 7919);
      const w = world(seed);
      const strict = structuredClone(defaultDefinition);
      strict.name = 'strict';
      strict.engagement.levels = [{ level: 1, min: 70 }, { level: 2, min: 40 }, { level: 3, min: 5 }, { level: 4 }];
      strict.inquiry = { activities: [{ id: 'demo-only', type: 'form_submit', properties: { formId: 'demo-request' } }], engaged: null };
      const definitions = [variant(rand), defaultDefinition, strict];
      const windows: BacktestOptions[] = [
        { repCount: 3, content: lookupContent },
        { repCount: 2, content: lookupContent, from: new Date(Date.UTC(2025, 11, 15)), to: new Date(Date.UTC(2026, 2, 1)), missedSample: 5 },
        { repCount: 0, content: lookupContent, to: new Date(Date.UTC(2026, 0, 10, 12, 30)) },
      ];
      let qualified = 0;
      let inquiries = 0;
      let strictInquiries = 0;
      for (const options of windows) {
        const { reference, fast, classifier } = compare(w, definitions, options);
        expect(fast).toEqual(reference);
        qualified += reference[0]!.mqls;
        inquiries += reference[1]!.inquiries;
        // Every MQL was an inquiry first (or at once), so a window never has more MQLs than inquiries plus earlier ones.
        for (const r of reference) expect(r.inquiriesToMql).toBeLessThanOrEqual(r.inquiries);
        expect(reference[2]!.inquiries).toBeLessThanOrEqual(reference[1]!.inquiries);
        strictInquiries += reference[2]!.inquiries;
        expect(classifier.count).toBeGreaterThan(5);
      }
      expect(qualified).toBeGreaterThan(10);
      expect(inquiries).toBeGreaterThan(20);
      expect(strictInquiries).toBeLessThan(inquiries);
    });
  }

  it('one contact, many tied activities: the id decides their order, as in SQL', () => {
    const id = '00000000-0000-7000-8000-000000000001';
    const at = new Date('2026-01-10T10:00:00Z');
    // A hand-raise and a rating-qualifying download at the same millisecond: which fires first depends on the ids.
    const acts = [
      activity('form_submit', at, { id: 'ffffffff-0000-7000-8000-000000000000', contactId: id, properties: { formId: 'demo-request' } }),
      activity('content_download', at, { id: '0fffffff-0000-7000-8000-000000000000', contactId: id, contentId: 'cs' }),
      activity('page_view', at, { id: '1fffffff-0000-7000-8000-000000000000', contactId: id, url: '/pricing' }),
      activity('page_view', at, { id: '2fffffff-0000-7000-8000-000000000000', contactId: id, url: '/pricing' }),
    ];
    const w: World = {
      contacts: [contact({ id, title: 'VP Marketing' })], accounts: new Map([[id, account({ industry: 'SaaS', employeeCount: 500 })]]),
      outcomes: new Map(), activities: acts,
    };
    const { reference, fast } = compare(w, [defaultDefinition], { repCount: 1, content: lookupContent });
    expect(reference[0]).toMatchObject({ mqls: 1, viaHandRaise: 0 });
    expect(fast).toEqual(reference);
  });
});
