import { num, pct, tableOfEnvelope, type Envelope } from './envelope.ts';
import type { ReportView } from './report-model.ts';

// GET /api/v1/reports/time-to-sales-ready?by=month: median / p90 days from first touch to MQL and SAL per cohort month.
export function adaptTimeToSalesReady(e: Envelope): ReportView | null {
  const m = e.rows.filter((r) => r.group !== 'total');
  if (!m.length) return null;
  const s = (k: string) => m.map((r) => (typeof r[k] === 'number' ? r[k] : null));
  return {
    model: { kind: 'line', unit: 'days', categories: m.map((r) => String(r.group)), series: [
      { name: 'Median days to MQL', values: s('median_days_to_mql') }, { name: 'Median days to SAL', values: s('median_days_to_sal') },
      { name: 'p90 days to SAL', values: s('p90_days_to_sal') },
    ] },
    table: tableOfEnvelope(e),
  };
}

// GET /api/v1/reports/cpod: per month (marketing + sales cost) / won revenue.
export function adaptCpod(e: Envelope): ReportView | null {
  // Without recorded costs every month is empty: say so instead of drawing bare axes.
  if (!e.rows.some((r) => typeof r.cpod === 'number')) return null;
  // The period's total stays in the CSV; as a bar among the months it read as one more month.
  const months = e.rows.filter((r) => r.month !== 'total');
  return {
    model: { kind: 'bar', format: 'ratio_money', categories: months.map((r) => String(r.month)), series: [{ name: 'Cost per order dollar', values: months.map((r) => (typeof r.cpod === 'number' ? r.cpod : null)) }] },
    table: tableOfEnvelope(e),
  };
}

// GET /api/v1/reports/sources?by=…: quality per segment; below_average is the significance flag.
export function adaptSources(e: Envelope): ReportView | null {
  const rows = e.rows.filter((r) => r.group !== 'total');
  if (!rows.length) return null;
  const shown = ['group', 'leads', 'mqls', 'sals', 'won', 'mql_rate', 'win_rate', 'revenue', 'cost_per_lead', 'cost_per_won_deal'];
  const table = { columns: shown, rows: rows.map((r) => shown.map((c) => (c.endsWith('_rate') ? pct(r[c]) : r[c] ?? null))) };
  const flags = rows.map((r) => (r.below_average === true ? `Win rate below the rest (${String(r.quality_test)}, p = ${String(r.p_value)})` : null));
  return { model: { kind: 'table', table: { ...table, columns: shown.map((c) => (c.endsWith('_rate') ? c.replace('_rate', '_pct') : c)) }, flags }, table: tableOfEnvelope(e) };
}

export function adaptSegmentBars(e: Envelope): ReportView | null {
  const rows = e.rows.filter((r) => r.group !== 'total').slice(0, 20);
  if (!rows.length) return null;
  return {
    model: { kind: 'bar', format: 'count', categories: rows.map((r) => String(r.group)), series: [{ name: 'Leads', values: rows.map((r) => num(r.leads)) }, { name: 'MQLs', values: rows.map((r) => num(r.mqls)) }, { name: 'SALs', values: rows.map((r) => num(r.sals)) }, { name: 'Won', values: rows.map((r) => num(r.won)) }] },
    table: tableOfEnvelope(e),
  };
}

/** GET /api/v1/reports/sla: hit rate per rep (the follow-up rate) and the team total. */
type SlaRow = { key: string; name: string; received: number; accepted: number; breaches: number; sla: { hits: number; misses: number; open: number; hitRate: number | null } };
export type SlaRaw = { reps: SlaRow[]; total: SlaRow };
export function adaptSla(raw: SlaRaw): ReportView | null {
  const rows = [...raw.reps, ...(raw.total.received ? [{ ...raw.total, name: 'All reps' }] : [])];
  if (!rows.length) return null;
  return {
    model: { kind: 'bar', unit: '%', categories: rows.map((r) => r.name), series: [{ name: 'SLA hit rate (%)', values: rows.map((r) => (r.sla.hitRate === null ? null : Math.round(r.sla.hitRate * 1000) / 10)) }] },
    table: { columns: ['rep', 'received', 'accepted', 'sla_hits', 'sla_misses', 'sla_open', 'hit_rate', 'breaches'], rows: rows.map((r) => [r.name, r.received, r.accepted, r.sla.hits, r.sla.misses, r.sla.open, r.sla.hitRate, r.breaches]) },
  };
}
