import { num, pct, tableOfEnvelope, type Envelope } from './envelope.ts';
import type { ReportView } from './report-model.ts';

// GET /api/v1/reports/funnel?by=month: one row per cohort month plus the `total` row, and `velocity` per stage.
const total = (e: Envelope) => e.rows.find((r) => r.group === 'total');
const months = (e: Envelope) => e.rows.filter((r) => r.group !== 'total');
const stageNames: Record<string, string> = { inquiry: 'Inquiry', mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won', lost: 'Lost', nurture: 'Nurture', disqualified: 'Disqualified' };
const stageName = (s: string) => stageNames[s] ?? s;

export function adaptFunnel(e: Envelope): ReportView | null {
  const t = total(e);
  if (!t || !num(t.leads)) return null;
  const steps = (['leads', 'mql', 'sal', 'sql', 'opportunity', 'won'] as const).map((k) => ({ name: k === 'leads' ? 'Leads' : k.toUpperCase().replace('OPPORTUNITY', 'Opportunity').replace('WON', 'Won'), value: num(t[k]) }));
  return { model: { kind: 'funnel', steps }, table: { columns: steps.map((s) => s.name), rows: [steps.map((s) => s.value)] } };
}

/**
 * The cohort's flow as a Sankey: how far leads got, and where the others went (never qualified,
 * recycled to nurture, rejected/disqualified, stalled, lost). Detours are sinks, so the graph has no cycle.
 */
export function adaptFunnelFlows(e: Envelope): ReportView | null {
  const t = total(e);
  if (!t || !num(t.leads)) return null;
  const leads = num(t.leads), mql = num(t.mql), sal = num(t.sal), sql = num(t.sql), opp = num(t.opportunity), won = num(t.won), lost = num(t.lost);
  const recycled = Math.min(num(t.recycled_leads), Math.max(0, mql - sal));
  const rejected = Math.min(num(t.disqualified), Math.max(0, mql - sal - recycled));
  const links = [
    { source: 'Leads', target: 'MQL', value: mql },
    { source: 'Leads', target: 'Not yet qualified', value: leads - mql },
    { source: 'MQL', target: 'SAL', value: sal },
    { source: 'MQL', target: 'Recycled to nurture', value: recycled },
    { source: 'MQL', target: 'Rejected / disqualified', value: rejected },
    { source: 'MQL', target: 'Awaiting sales', value: mql - sal - recycled - rejected },
    { source: 'SAL', target: 'SQL', value: sql },
    { source: 'SAL', target: 'Stalled', value: sal - sql },
    { source: 'SQL', target: 'Opportunity', value: opp },
    { source: 'SQL', target: 'Stalled', value: sql - opp },
    { source: 'Opportunity', target: 'Won', value: won },
    { source: 'Opportunity', target: 'Lost', value: lost },
    { source: 'Opportunity', target: 'Open deals', value: opp - won - lost },
  ].filter((l) => l.value > 0);
  const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))];
  return { model: { kind: 'sankey', nodes, links }, table: { columns: ['from', 'to', 'leads'], rows: links.map((l) => [l.source, l.target, l.value]) } };
}

export function adaptConversion(e: Envelope): ReportView | null {
  const t = total(e);
  if (!t) return null;
  const steps = [['Lead → MQL', 'lead_to_mql'], ['MQL → SAL', 'mql_to_sal'], ['SAL → SQL', 'sal_to_sql'], ['SQL → Opp.', 'sql_to_opportunity'], ['Opp. → Won', 'opportunity_to_won']] as const;
  return {
    model: { kind: 'bar', categories: steps.map((s) => s[0]), series: [{ name: 'Conversion (%)', values: steps.map((s) => pct(t[s[1]])) }], unit: '%' },
    table: { columns: ['step', 'conversion'], rows: steps.map((s) => [s[0], t[s[1]] ?? null]) },
  };
}

export function adaptVelocity(e: Envelope): ReportView | null {
  const v = (e.velocity as { stage: string; stays: number; median_days: number | null; p90_days: number | null; mean_days: number | null }[] | undefined) ?? [];
  if (!v.some((r) => r.stays > 0)) return null;
  return {
    model: { kind: 'bar', format: 'days', categories: v.map((r) => stageName(r.stage)), series: [{ name: 'Median days in stage', values: v.map((r) => r.median_days) }, { name: 'p90 days', values: v.map((r) => r.p90_days) }] },
    table: { columns: ['stage', 'stays', 'median_days', 'p90_days', 'mean_days'], rows: v.map((r) => [r.stage, r.stays, r.median_days, r.p90_days, r.mean_days]) },
  };
}

export function adaptMqlTrend(e: Envelope): ReportView | null {
  const m = months(e);
  if (!m.length) return null;
  return {
    model: { kind: 'bar', stacked: true, categories: m.map((r) => String(r.group)), series: [{ name: 'Net-new MQLs', values: m.map((r) => num(r.mql_net_new)) }, { name: 'Recycled MQLs', values: m.map((r) => num(r.mql_recycled)) }] },
    table: tableOfEnvelope(e, (r) => r.group !== 'total'),
  };
}
