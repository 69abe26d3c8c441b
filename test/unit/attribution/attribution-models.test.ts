import { describe, expect, it } from 'vitest';
import { attribute, attributeModels } from '../../../src/core/attribution/attribution.rules.ts';
import { AttributionWorkspace } from '../../../src/core/attribution/attribution-workspace.rules.ts';
import { dealModels, defaultAttributionOptions, type AttributionCredit } from '../../../src/core/attribution/journey.types.ts';
import { markovChannelWeights } from '../../../src/core/attribution/markov.rules.ts';
import { day, journey, prng, touch } from './journey.fixture.ts';

const cents = (credits: AttributionCredit[]) => Object.fromEntries(credits.map((c) => [c.touchId ?? 'unattributed', c.cents]));
const roles = (credits: AttributionCredit[]) => Object.fromEntries(credits.map((c) => [c.touchId ?? 'unattributed', c.roles.join('+')]));

describe('one touch', () => {
  // Lead created day 5, opportunity day 10, won day 20; the only touch (day 1) holds every position.
  const j = journey([touch('t1', 1, 'search')]);
  const markov = markovChannelWeights([{ channels: ['search'], converted: true }]);

  it('gets the whole amount under every model', () => {
    for (const model of dealModels) {
      expect(cents(attribute(j, model, {}, markov)), model).toEqual({ t1: 10_000 });
    }
  });

  it('says which positions it holds', () => {
    expect(roles(attribute(j, 'first_touch'))).toEqual({ t1: 'first' });
    expect(roles(attribute(j, 'last_touch'))).toEqual({ t1: 'last' });
    expect(roles(attribute(j, 'lead_creation'))).toEqual({ t1: 'lead_creation' });
    expect(roles(attribute(j, 'u_shaped'))).toEqual({ t1: 'first+lead_creation' });
    expect(roles(attribute(j, 'w_shaped'))).toEqual({ t1: 'first+lead_creation+opportunity_creation' });
    expect(roles(attribute(j, 'full_path'))).toEqual({ t1: 'first+lead_creation+opportunity_creation+close' });
    expect(attribute(j, 'linear')[0]).toMatchObject({ role: 'even', weight: 1, channel: 'search', opportunityId: 'opp-1' });
  });
});

describe('two touches', () => {
  // t1 day 1 (search); t2 day 5 (email) created the lead and is the last touch before the opportunity (day 10).
  const j = journey([touch('t1', 1, 'search'), touch('t2', 5, 'email')]);

  it('positional models', () => {
    expect(cents(attribute(j, 'first_touch'))).toEqual({ t1: 10_000 });
    expect(cents(attribute(j, 'last_touch'))).toEqual({ t2: 10_000 });
    expect(cents(attribute(j, 'lead_creation'))).toEqual({ t2: 10_000 });
    expect(cents(attribute(j, 'linear'))).toEqual({ t1: 5_000, t2: 5_000 });
    // U: 40 first, 40 lead creation, 20 for others — there are none, so 40:40 → 50/50.
    expect(cents(attribute(j, 'u_shaped'))).toEqual({ t1: 5_000, t2: 5_000 });
    // W: t1 30; t2 lead 30 + opportunity 30 = 60; no others → 1/3, 2/3 = 3333.33, 6666.67; the cent goes to .67.
    expect(cents(attribute(j, 'w_shaped'))).toEqual({ t1: 3_333, t2: 6_667 });
    // Full path: t1 22.5; t2 lead + opportunity + close = 67.5 → 25 % / 75 %.
    expect(cents(attribute(j, 'full_path'))).toEqual({ t1: 2_500, t2: 7_500 });
    expect(roles(attribute(j, 'full_path'))).toEqual({ t1: 'first', t2: 'lead_creation+opportunity_creation+close' });
  });

  it('U-shaped when the first touch also created the lead: 80 / 20', () => {
    const early = journey([touch('t1', 1, 'search'), touch('t2', 5, 'email')], { lead: 2 });
    expect(cents(attribute(early, 'u_shaped'))).toEqual({ t1: 8_000, t2: 2_000 });
    expect(roles(attribute(early, 'u_shaped'))).toEqual({ t1: 'first+lead_creation', t2: 'middle' });
  });

  it('without a lead-creation touch, its share drops out pro rata', () => {
    const noLead = journey([touch('t1', 1, 'search'), touch('t2', 5, 'email')], { lead: null });
    expect(attribute(noLead, 'lead_creation')).toMatchObject([{ touchId: null, role: 'unattributed', cents: 10_000 }]);
    // U: first 40, others 20 → 2/3, 1/3.
    expect(cents(attribute(noLead, 'u_shaped'))).toEqual({ t1: 6_667, t2: 3_333 });
  });

  it('time decay halves the weight every half-life before the anchor', () => {
    // Anchor = close (day 20): ages 19 and 15 days; half-life 4 days → weights 1/2 and 1 → 1/3, 2/3.
    expect(cents(attribute(j, 'time_decay', { halfLifeDays: 4 }))).toEqual({ t1: 3_333, t2: 6_667 });
    // Anchor = opportunity creation (day 10): ages 9 and 5 → the same ratio.
    expect(cents(attribute(j, 'time_decay', { halfLifeDays: 4, decayAnchor: 'opportunity_creation' }))).toEqual({ t1: 3_333, t2: 6_667 });
    // Half-life 2 days: 1/4 and 1 → 2000 / 8000.
    expect(cents(attribute(j, 'time_decay', { halfLifeDays: 2 }))).toEqual({ t1: 2_000, t2: 8_000 });
  });

  it('time decay caps the age of touches after the anchor at zero', () => {
    // Anchor day 10; t2 on day 14 counts as age 0 like t3 on day 10: t1 (age 8, half-life 8) weighs 1/2 → 1/5, 2/5, 2/5.
    const after = journey([touch('t1', 2, 'search'), touch('t2', 14, 'email'), touch('t3', 10, 'email')], { status: 'open' });
    expect(cents(attribute(after, 'time_decay', { halfLifeDays: 8 }))).toEqual({ t1: 2_000, t2: 4_000, t3: 4_000 });
  });
});

describe('many touches with repeated channels', () => {
  // day:  1 search, 2 email, 4 email, 6 webinar (lead created day 6), 8 email, 12 email (after the opportunity, day 10); won day 15.
  const j = journey([
    touch('t1', 1, 'search'), touch('t2', 2, 'email'), touch('t3', 4, 'email'),
    touch('t4', 6, 'webinar'), touch('t5', 8, 'email'), touch('t6', 12, 'email'),
  ], { amount: 100_000, lead: 6, created: 10, closed: 15 });

  it('first, last, lead creation', () => {
    expect(cents(attribute(j, 'first_touch'))).toEqual({ t1: 100_000 });
    expect(cents(attribute(j, 'last_touch'))).toEqual({ t6: 100_000 });
    expect(cents(attribute(j, 'lead_creation'))).toEqual({ t4: 100_000 });
  });

  it('linear: 16666.67 each, the four leftover cents to the four earliest', () => {
    expect(cents(attribute(j, 'linear'))).toEqual({ t1: 16_667, t2: 16_667, t3: 16_667, t4: 16_667, t5: 16_666, t6: 16_666 });
  });

  it('U-shaped: 40 first, 40 lead creation, 20 over the four others', () => {
    expect(cents(attribute(j, 'u_shaped'))).toEqual({ t1: 40_000, t2: 5_000, t3: 5_000, t4: 40_000, t5: 5_000, t6: 5_000 });
  });

  it('W-shaped: 30 first, 30 lead, 30 opportunity (t5, last before day 10), 10 over three others', () => {
    // Others: 3333.33 each; one cent left, tie → earliest (t2).
    expect(cents(attribute(j, 'w_shaped'))).toEqual({ t1: 30_000, t2: 3_334, t3: 3_333, t4: 30_000, t5: 30_000, t6: 3_333 });
    expect(roles(attribute(j, 'w_shaped'))).toMatchObject({ t1: 'first', t4: 'lead_creation', t5: 'opportunity_creation', t6: 'middle' });
  });

  it('full path: 22.5 × 4 (t1, t4, t5, close t6), 10 over t2 and t3', () => {
    expect(cents(attribute(j, 'full_path'))).toEqual({ t1: 22_500, t2: 5_000, t3: 5_000, t4: 22_500, t5: 22_500, t6: 22_500 });
  });

  it('full path on an open deal has no close position: 22.5 × 3 + 10 scaled to 100', () => {
    const open = journey(j.touches.slice(), { amount: 77_500, lead: 6, created: 10, status: 'open' });
    // Shares 225, 50, 50, 225, 225, 0 + others... t6 is an "other" now: others t2, t3, t6 get 100/3 each.
    // Total 775: t1, t4, t5 = 225/775 × 77500 = 22500; others 33.33/775 × 77500 = 3333.33 → one cent to t2.
    expect(cents(attribute(open, 'full_path'))).toEqual({ t1: 22_500, t2: 3_334, t3: 3_333, t4: 22_500, t5: 22_500, t6: 3_333 });
  });

  it('orders long unsorted journeys by time, equal times in input order', () => {
    // 40 touches given newest first, in pairs sharing a time: t39 & t38 at day 40, ..., t1 & t0 at day 21.
    const touches = Array.from({ length: 40 }, (_, i) => touch(`t${39 - i}`, 21 + Math.floor((39 - i) / 2), 'email'));
    const long = journey(touches, { created: 70, closed: 80, lead: 20 });
    const credits = attribute(long, 'linear');
    expect(credits.map((c) => c.touchId)).toEqual(Array.from({ length: 20 }, (_, k) => [`t${2 * k + 1}`, `t${2 * k}`]).flat());
    expect(attribute(long, 'first_touch')[0]!.touchId).toBe('t1');
  });

  it('every model sums exactly to the amount, and input order does not matter', () => {
    const markov = markovChannelWeights([
      { channels: ['search', 'email'], converted: true },
      { channels: ['webinar'], converted: false },
      { channels: ['email', 'webinar'], converted: true },
    ]);
    const shuffled = { ...j, touches: [j.touches[3]!, j.touches[0]!, j.touches[5]!, j.touches[1]!, j.touches[4]!, j.touches[2]!] };
    for (const model of dealModels) {
      const credits = attribute(j, model, {}, markov);
      expect(credits.reduce((s, c) => s + c.cents, 0), model).toBe(100_000);
      expect(cents(attribute(shuffled, model, {}, markov)), model).toEqual(cents(credits));
    }
  });
});

describe('window and unattributed revenue', () => {
  it('excludes touches before the look-back window and after the close', () => {
    // Opportunity day 40, look-back 30 days → from day 10; won day 50.
    const j = journey([touch('old', 5, 'search'), touch('in', 12, 'email'), touch('late', 55, 'event')], { created: 40, closed: 50, lead: 12 });
    expect(cents(attribute(j, 'linear', { lookbackDays: 30 }))).toEqual({ in: 10_000 });
    expect(cents(attribute(j, 'linear', { lookbackDays: null }))).toEqual({ old: 5_000, in: 5_000 });
    // An open deal has no upper bound.
    expect(cents(attribute({ ...j, opportunity: { ...j.opportunity, status: 'open', closedAt: null } }, 'linear', { lookbackDays: 30 })))
      .toEqual({ in: 5_000, late: 5_000 });
  });

  it('includes touches exactly on the window bounds', () => {
    const j = journey([touch('from', 10, 'search'), touch('close', 50, 'email')], { created: 40, closed: 50 });
    expect(cents(attribute(j, 'linear', { lookbackDays: 30 }))).toEqual({ from: 5_000, close: 5_000 });
  });

  it('a journey without touches is one explicit unattributed credit of the full amount', () => {
    const j = journey([touch('old', 1, 'search')], { created: 100, closed: 120 });
    for (const model of dealModels) {
      expect(attribute(j, model, { lookbackDays: 30 }, markovChannelWeights([])), model).toEqual([{
        opportunityId: 'opp-1', model, touchId: null, cents: 10_000, weight: 1, role: 'unattributed', roles: ['unattributed'],
        at: null, channel: null, source: null, campaign: null, contentId: null,
      }]);
    }
  });

  it('splits negative amounts the same way', () => {
    const j = journey([touch('a', 1, 'x'), touch('b', 2, 'y'), touch('c', 3, 'z')], { amount: -100 });
    expect(cents(attribute(j, 'linear'))).toEqual({ a: -34, b: -33, c: -33 });
  });

  it('attributeModels returns each model’s credits in turn', () => {
    const j = journey([touch('a', 1, 'x'), touch('b', 6, 'y')]);
    const credits = attributeModels(j, ['first_touch', 'linear']);
    expect(credits.map((c) => [c.model, c.touchId, c.cents])).toEqual([['first_touch', 'a', 10_000], ['linear', 'a', 5_000], ['linear', 'b', 5_000]]);
  });

  it('refuses invalid options and markov without weights', () => {
    const j = journey([touch('a', 1, 'x')]);
    expect(() => attribute(j, 'time_decay', { halfLifeDays: 0 })).toThrow(RangeError);
    expect(() => attribute(j, 'linear', { lookbackDays: -1 })).toThrow(RangeError);
    expect(() => attribute(j, 'markov_path')).toThrow(/channel weights/);
  });
});

describe('exact sum on randomized journeys (seeded)', () => {
  it('credits always sum to the amount, are integers, and stay inside the window', () => {
    const random = prng(20240601);
    const channels = ['search', 'email', 'webinar', 'social', 'event', 'direct', 'partner'];
    const pick = () => channels[Math.floor(random() * channels.length)]!;
    const paths = Array.from({ length: 300 }, () => ({
      channels: Array.from({ length: 1 + Math.floor(random() * 6) }, pick), converted: random() < 0.3,
    }));
    const markov = markovChannelWeights(paths);
    const workspace = new AttributionWorkspace({ ...defaultAttributionOptions, lookbackDays: 60, halfLifeDays: 1 + random() * 20 }, markov, 1);
    const problems: string[] = [];
    for (let k = 0; k < 2_000; k++) {
      const n = Math.floor(random() * 25);
      const created = 30 + Math.floor(random() * 60);
      const status = (['open', 'won', 'lost'] as const)[Math.floor(random() * 3)]!;
      const touches = Array.from({ length: n }, (_, i) => touch(`t${i}`, Math.floor(random() * 140) - 20 + random(), pick()));
      const magnitude = 10 ** Math.floor(random() * 13);
      const amount = Math.floor(random() * magnitude) * (random() < 0.05 ? -1 : 1) || 0;
      const j = journey(touches, { amount, created, closed: created + Math.floor(random() * 40), status, lead: random() < 0.2 ? null : created - Math.floor(random() * 30) });
      const inWindow = workspace.load(j);
      // Plain checks collected and asserted once: ~200k expect() calls made this test slow, not the code.
      const problem = (model: string, what: string) => problems.push(`journey ${k} ${model}: ${what}`);
      for (const model of dealModels) {
        const credited = workspace.attribute(model);
        const credits = workspace.credits();
        if (credits.reduce((s, c) => s + c.cents, 0) !== amount) problem(model, 'credits do not sum to the amount');
        if (!credits.every((c) => Number.isInteger(c.cents))) problem(model, 'non-integer cents');
        if (credited > 0) {
          if (Math.abs(credits.reduce((s, c) => s + c.weight, 0) - 1) > 1e-9) problem(model, 'weights do not sum to 1');
          for (const c of credits) {
            const at = c.at!.getTime();
            if (at < j.opportunity.createdAt.getTime() - 60 * 86_400_000) problem(model, 'touch before the look-back window');
            if (j.opportunity.closedAt && at > j.opportunity.closedAt.getTime()) problem(model, 'touch after the close');
          }
        } else if (credits.length !== 1 || credits[0]!.role !== 'unattributed') {
          problem(model, 'no touches but not one unattributed credit');
        }
        if ((model === 'linear' || model === 'time_decay' || model === 'first_touch') && (credited > 0) !== (inWindow > 0)) problem(model, 'credited touches disagree with the window');
      }
    }
    expect(problems).toEqual([]);
    expect(day(1).toISOString()).toBe('2024-01-01T12:00:00.000Z');
  });
});
