import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../web/src/features/dashboard/reports/envelope.ts';
import { adaptFunnel, adaptFunnelFlows } from '../../../web/src/features/dashboard/reports/funnel.adapter.ts';
import { adaptCpod } from '../../../web/src/features/dashboard/reports/process.adapter.ts';

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
