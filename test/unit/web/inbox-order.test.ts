import { describe, expect, it } from 'vitest';
import type { Lead } from '../../../web/src/api/types.ts';
import { comparePriority, priorityBand, ratingRank } from '../../../web/src/features/inbox/priority.ts';

const now = Date.parse('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
const daysAgo = (d: number) => hoursAgo(d * 24);

const lead = (id: string, over: Partial<Lead> = {}): Lead => ({
  id, contact_id: 'c', account_id: null, stage: 'mql', owner_id: null, opened_at: daysAgo(400), stage_entered_at: daysAgo(3),
  closed_at: null, mql_at: daysAgo(3), recycle_count: 0, last_reason_code: null, recheck_at: null, source: null, campaign: null,
  first_touch_at: null, fit_score: null, engagement_score: null, rating: null, definition_id: null, allowed_transitions: [], ...over,
});
const fresh = (h: number) => ({ stage_entered_at: hoursAgo(h), mql_at: hoursAgo(h) });
const sla = (dueAt: string, state: 'running' | 'breached' = 'running'): NonNullable<Lead['sla']> => ({
  kind: 'accept', state, started_at: daysAgo(300), due_at: dueAt, within: '4h', business_hours: true,
  escalation_level: 0, escalation_steps: 2, next_escalation_at: null,
});
const order = (leads: Lead[]) => [...leads].sort(comparePriority(now)).map((l) => l.id);

describe('inbox priority', () => {
  it('ranks grid ratings A1 best, words next to their grade, missing last', () => {
    expect(['C3', null, 'A2', 'B1', 'A1', 'warm'].sort((a, b) => ratingRank(a) - ratingRank(b))).toEqual(['A1', 'A2', 'B1', 'warm', 'C3', null]);
  });

  it('puts a five-minute-old high-intent lead first, above leads overdue for months (issue #17)', () => {
    const overdue = [100, 120, 150, 170, 200].map((d) => lead(`overdue-${d}`, { rating: 'A1', stage_entered_at: daysAgo(d + 1), mql_at: daysAgo(d + 1), sla: sla(daysAgo(d), 'breached') }));
    const demo = lead('cto-demo', { rating: 'A2', ...fresh(5 / 60), sla: sla(hoursAgo(-4)) });
    expect(order([...overdue, demo])[0]).toBe('cto-demo');
  });

  it('keeps overdue leads after the ones still on time, most recently missed first', () => {
    const leads = [
      lead('missed-200d', { rating: 'A1', sla: sla(daysAgo(200), 'breached') }),
      lead('missed-1h', { rating: 'C3', sla: sla(hoursAgo(1)) }),
      lead('due-in-2h', { rating: 'D4', sla: sla(hoursAgo(-2)) }),
      lead('no-clock', { rating: 'A1' }),
    ];
    expect(order(leads)).toEqual(['due-in-2h', 'missed-1h', 'missed-200d', 'no-clock']);
    expect(priorityBand(leads[1]!, now)).toBe(2);
  });

  it('orders fresh leads by rating, then newest; leads on the clock by deadline, then rating', () => {
    const leads = [
      lead('fresh-b-new', { rating: 'B1', ...fresh(1) }),
      lead('fresh-b-old', { rating: 'B1', ...fresh(20) }),
      lead('fresh-a', { rating: 'A3', ...fresh(23) }),
      lead('clock-late', { rating: 'A1', sla: sla(hoursAgo(-30)) }),
      lead('clock-soon-c', { rating: 'C1', sla: sla(hoursAgo(-3)) }),
      lead('clock-soon-a', { rating: 'A1', sla: sla(hoursAgo(-3)) }),
    ];
    expect(order(leads)).toEqual(['fresh-a', 'fresh-b-new', 'fresh-b-old', 'clock-soon-a', 'clock-soon-c', 'clock-late']);
  });

  it('a fresh lead already past its SLA counts as overdue, not new', () => {
    expect(priorityBand(lead('x', { ...fresh(6), sla: sla(hoursAgo(2)) }), now)).toBe(2);
    expect(priorityBand(lead('y', { ...fresh(6), sla: sla(hoursAgo(-2)) }), now)).toBe(0);
  });
});
