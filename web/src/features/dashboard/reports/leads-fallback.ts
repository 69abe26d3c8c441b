import type { Lead } from '../../../api/types.ts';
import type { ReportView } from './report-model.ts';

// Until the report endpoints land, the dashboard computes what it honestly can from the leads'
// current stages. These are snapshots (where leads are now), not the cohort-true reports.

const waterfall = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won'] as const;
const rank = (stage: string) => waterfall.indexOf(stage as (typeof waterfall)[number]);
const label: Record<string, string> = { inquiry: 'Inquiry', mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won', lost: 'Lost', nurture: 'Nurture', disqualified: 'Disqualified' };
const L = (s: string) => label[s] ?? s;

/** How far down the waterfall a lead got: lost deals reached opportunity; nurture/disqualified count from mql_at. */
function reached(lead: Lead): number {
  if (lead.stage === 'lost') return rank('opportunity');
  if (lead.stage === 'nurture' || lead.stage === 'disqualified') return lead.mql_at ? rank('mql') : rank('inquiry');
  return Math.max(rank(lead.stage), 0);
}

export function funnelFromLeads(leads: Lead[]): ReportView {
  const steps = waterfall.map((s, i) => ({ name: L(s), value: leads.filter((l) => reached(l) >= i).length }));
  return {
    model: { kind: 'funnel', steps },
    table: { columns: ['stage', 'leads_reached', 'conversion_from_previous'], rows: steps.map((s, i) => [s.name, s.value, i === 0 || !steps[i - 1]!.value ? null : Math.round((s.value / steps[i - 1]!.value) * 1000) / 10]) },
  };
}

export function sankeyFromLeads(leads: Lead[]): ReportView {
  const flows = new Map<string, number>();
  const add = (a: string, b: string) => flows.set(`${a}\u0000${b}`, (flows.get(`${a}\u0000${b}`) ?? 0) + 1);
  for (const lead of leads) {
    const r = reached(lead);
    for (let i = 1; i <= r; i++) add(L(waterfall[i - 1]!), L(waterfall[i]!));
    // Exits: where each lead left the waterfall (recycled to nurture, disqualified, lost).
    if (lead.stage === 'nurture' || lead.stage === 'disqualified') add(L(waterfall[r]!), L(lead.stage));
    if (lead.stage === 'lost') add(L('opportunity'), L('lost'));
  }
  const links = [...flows].map(([k, value]) => { const [source, target] = k.split('\u0000') as [string, string]; return { source, target, value }; });
  const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))];
  return { model: { kind: 'sankey', nodes, links }, table: { columns: ['from', 'to', 'leads'], rows: links.map((l) => [l.source, l.target, l.value]) } };
}

export function mqlTrendFromLeads(leads: Lead[]): ReportView {
  const byMonth = new Map<string, { mql: number; recycled: number }>();
  for (const l of leads) {
    if (!l.mql_at) continue;
    const m = l.mql_at.slice(0, 7);
    const e = byMonth.get(m) ?? { mql: 0, recycled: 0 };
    if (l.recycle_count > 0) e.recycled++; else e.mql++;
    byMonth.set(m, e);
  }
  const months = [...byMonth.keys()].sort().slice(-18);
  return {
    model: { kind: 'line', categories: months, series: [{ name: 'Net-new MQLs', values: months.map((m) => byMonth.get(m)!.mql) }, { name: 'Recycled MQLs', values: months.map((m) => byMonth.get(m)!.recycled) }] },
    table: { columns: ['month', 'net_new_mqls', 'recycled_mqls'], rows: months.map((m) => [m, byMonth.get(m)!.mql, byMonth.get(m)!.recycled]) },
  };
}

/**
 * Leads, MQL rate and SAL rate per source, flagging sources whose MQL rate is significantly below
 * the rest: a one-sided two-proportion z-test at 95% (z < −1.645), only with at least 20 leads.
 */
export function sourcesFromLeads(leads: Lead[]): { table: ReportView; bars: ReportView } {
  const groups = new Map<string, Lead[]>();
  for (const l of leads) {
    const key = l.source ?? '(none)';
    const list = groups.get(key);
    if (list) list.push(l); else groups.set(key, [l]);
  }
  const total = leads.length;
  const totalMql = leads.filter((l) => reached(l) >= 1).length;
  const rows = [...groups].map(([source, ls]) => {
    const n = ls.length;
    const mql = ls.filter((l) => reached(l) >= 1).length;
    const sal = ls.filter((l) => reached(l) >= 2).length;
    const won = ls.filter((l) => l.stage === 'won').length;
    const restN = total - n;
    const restRate = restN ? (totalMql - mql) / restN : 0;
    const pooled = total ? totalMql / total : 0;
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / n + (restN ? 1 / restN : 0)));
    const z = se ? (mql / n - restRate) / se : 0;
    const flag = n >= 20 && restN >= 20 && z < -1.645 ? `MQL rate below the rest (z = ${z.toFixed(1)})` : null;
    return { source, n, mql, sal, won, mqlRate: n ? mql / n : 0, salRate: mql ? sal / mql : 0, flag };
  }).sort((a, b) => b.n - a.n);
  const pct = (x: number) => Math.round(x * 1000) / 10;
  const table = { columns: ['source', 'leads', 'mql_pct', 'sal_of_mql_pct', 'won', 'flag'], rows: rows.map((r) => [r.source, r.n, pct(r.mqlRate), pct(r.salRate), r.won, r.flag]) };
  return {
    table: { model: { kind: 'table', table, flags: rows.map((r) => r.flag) }, table },
    bars: {
      model: { kind: 'bar', categories: rows.map((r) => r.source), series: [{ name: 'Leads', values: rows.map((r) => r.n) }, { name: 'MQLs', values: rows.map((r) => r.mql) }, { name: 'SALs', values: rows.map((r) => r.sal) }] },
      table,
    },
  };
}

export function stageBySourceHeatmap(leads: Lead[]): ReportView {
  const stages = ['inquiry', 'nurture', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'disqualified'];
  const sources = [...new Set(leads.map((l) => l.source ?? '(none)'))].sort();
  const counts = new Map<string, number>();
  for (const l of leads) counts.set(`${l.stage}|${l.source ?? '(none)'}`, (counts.get(`${l.stage}|${l.source ?? '(none)'}`) ?? 0) + 1);
  const cells: [number, number, number][] = [];
  stages.forEach((s, x) => sources.forEach((src, y) => cells.push([x, y, counts.get(`${s}|${src}`) ?? 0])));
  return {
    model: { kind: 'heatmap', x: stages.map(L), y: sources, cells },
    table: { columns: ['source', ...stages], rows: sources.map((src) => [src, ...stages.map((s) => counts.get(`${s}|${src}`) ?? 0)]) },
  };
}
