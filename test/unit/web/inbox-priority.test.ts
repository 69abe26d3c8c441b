import { describe, expect, it } from 'vitest';
import type { Lead } from '../../../web/src/api/types.ts';
import type { Envelope } from '../../../web/src/features/dashboard/reports/envelope.ts';
import { adaptFunnel, adaptFunnelFlows } from '../../../web/src/features/dashboard/reports/funnel.adapter.ts';
import { adaptCpod } from '../../../web/src/features/dashboard/reports/process.adapter.ts';
import { comparePriority, ratingRank } from '../../../web/src/features/inbox/priority.ts';

const lead = (id: string, over: Partial<Lead> = {}): Lead => ({
  id, contact_id: 'c', account_id: null, stage: 'mql', owner_id: null, opened_at: '2026-01-01T00:00:00Z', stage_entered_at: '2026-01-02T00:00:00Z',
  closed_at: null, mql_at: '2026-01-02T00:00:00Z', recycle_count: 0, last_reason_code: null, recheck_at: null, source: null, campaign: null,
  first_touch_at: null, fit_score: null, engagement_score: null, rating: null, definition_id: null, allowed_transitions: [], ...over,
});

const sla = (dueAt: string): NonNullable<Lead['sla']> => ({
  kind: 'accept', state: 'running', started_at: '2026-02-02T05:00:00Z', due_at: dueAt, within: '4h', business_hours: true,
  escalation_level: 0, escalation_steps: 2, next_escalation_at: dueAt,
});

describe('inbox priority', () => {
  it('ranks grid ratings A1 best, words next to their grade, missing last', () => {
    expect(['C3', null, 'A2', 'B1', 'A1', 'warm'].sort((a, b) => ratingRank(a) - ratingRank(b))).toEqual(['A1', 'A2', 'B1', 'warm', 'C3', null]);
  });

  it('orders by rating, then the nearest SLA deadline, then the most recent intent', () => {
    const leads = [
      lead('old-b', { rating: 'B1', mql_at: '2026-01-01T00:00:00Z' }),
      lead('new-b', { rating: 'B1', mql_at: '2026-02-01T00:00:00Z' }),
      lead('due-b', { rating: 'B1', mql_at: '2025-12-01T00:00:00Z', sla: sla('2026-02-02T09:00:00Z') }),
      lead('a', { rating: 'A2' }),
    ];
    expect([...leads].sort(comparePriority).map((l) => l.id)).toEqual(['a', 'due-b', 'new-b', 'old-b']);
  });
});

describe('dashboard funnel adapters (GET /api/v1/reports/funnel)', () => {
  const total = { group: 'total', leads: 100, mql: 40, sal: 25, sql: 15, opportunity: 10, won: 3, lost: 4, disqualified: 5, recycled_leads: 6, mql_net_new: 40, mql_recycled: 2,
    lead_to_mql: 0.4, mql_to_sal: 0.625, sal_to_sql: 0.6, sql_to_opportunity: 0.666667, opportunity_to_won: 0.3 };
  const envelope: Envelope = { report: 'funnel', period: { from: '', to: '', to_inclusive: '' }, filters: { by: 'month', model: 'linear' }, definition_versions: [], notes: [],
    columns: Object.keys(total), rows: [{ ...total, group: '2026-01' }, total] };
  it('draws the waterfall from the total row', () => {
    expect(adaptFunnel(envelope)!.table.rows[0]).toEqual([100, 40, 25, 15, 10, 3]);
  });
  it('sends recycles, rejections and losses to sinks so the Sankey has no cycle, and the flows add up', () => {
    const rows = adaptFunnelFlows(envelope)!.table.rows;
    expect(rows).toContainEqual(['MQL', 'Recycled to nurture', 6]);
    expect(rows).toContainEqual(['MQL', 'Rejected / disqualified', 5]);
    expect(rows).toContainEqual(['Opportunity', 'Lost', 4]);
    const out = (node: string) => rows.filter((r) => r[0] === node).reduce((a, r) => a + Number(r[2]), 0);
    expect(out('Leads')).toBe(100);
    expect(out('MQL')).toBe(40);
  });
});

describe('dashboard cost per order dollar adapter (GET /api/v1/reports/cpod)', () => {
  const envelope = (cpods: (number | null)[]): Envelope => ({
    report: 'cpod', period: { from: '', to: '', to_inclusive: '' }, filters: { by: 'month', model: 'linear' }, definition_versions: [], notes: [],
    columns: ['month', 'cpod'], rows: cpods.map((cpod, i) => ({ month: `2026-0${i + 1}`, cpod })),
  });
  it('is empty (not bare axes) when no month has a cost per order dollar', () => {
    expect(adaptCpod(envelope([null, null, null]))).toBeNull();
  });
  it('draws the months that have one, keeping the gaps', () => {
    expect(adaptCpod(envelope([null, 0.25, null]))!.model).toMatchObject({ kind: 'bar', categories: ['2026-01', '2026-02', '2026-03'], series: [{ values: [null, 0.25, null] }] });
  });
});
