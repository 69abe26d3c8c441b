import { describe, expect, it } from 'vitest';
import type { Lead } from '../../../web/src/api/types.ts';
import { funnelFromLeads, sankeyFromLeads } from '../../../web/src/features/dashboard/reports/leads-fallback.ts';
import { comparePriority, ratingRank } from '../../../web/src/features/inbox/priority.ts';

const lead = (id: string, over: Partial<Lead> = {}): Lead => ({
  id, contact_id: 'c', account_id: null, stage: 'mql', owner_id: null, opened_at: '2026-01-01T00:00:00Z', stage_entered_at: '2026-01-02T00:00:00Z',
  closed_at: null, mql_at: '2026-01-02T00:00:00Z', recycle_count: 0, last_reason_code: null, recheck_at: null, source: null, campaign: null,
  first_touch_at: null, fit_score: null, engagement_score: null, rating: null, definition_id: null, allowed_transitions: [], ...over,
});

describe('inbox priority', () => {
  it('ranks grid ratings A1 best, words next to their grade, missing last', () => {
    expect(['C3', null, 'A2', 'B1', 'A1', 'warm'].sort((a, b) => ratingRank(a) - ratingRank(b))).toEqual(['A1', 'A2', 'B1', 'warm', 'C3', null]);
  });

  it('orders by rating, then the nearest SLA deadline, then the most recent intent', () => {
    const leads = [
      lead('old-b', { rating: 'B1', mql_at: '2026-01-01T00:00:00Z' }),
      lead('new-b', { rating: 'B1', mql_at: '2026-02-01T00:00:00Z' }),
      lead('due-b', { rating: 'B1', mql_at: '2025-12-01T00:00:00Z', sla: { due_at: '2026-02-02T09:00:00Z', state: 'running' } }),
      lead('a', { rating: 'A2' }),
    ];
    expect([...leads].sort(comparePriority).map((l) => l.id)).toEqual(['a', 'due-b', 'new-b', 'old-b']);
  });
});

describe('dashboard snapshot from leads', () => {
  const leads = [
    lead('1', { stage: 'inquiry', mql_at: null }), lead('2', { stage: 'mql' }), lead('3', { stage: 'won' }),
    lead('4', { stage: 'nurture', recycle_count: 1 }), lead('5', { stage: 'lost' }), lead('6', { stage: 'disqualified', mql_at: null }),
  ];
  it('counts how far down the waterfall each lead got', () => {
    expect(funnelFromLeads(leads).table.rows.map((r) => r[1])).toEqual([6, 4, 2, 2, 2, 1]);
  });
  it('sends recycles and exits out of the stage they left from', () => {
    const rows = sankeyFromLeads(leads).table.rows;
    expect(rows).toContainEqual(['MQL', 'Nurture', 1]);
    expect(rows).toContainEqual(['Inquiry', 'Disqualified', 1]);
    expect(rows).toContainEqual(['Opportunity', 'Lost', 1]);
    expect(rows).toContainEqual(['Inquiry', 'MQL', 4]);
  });
});
