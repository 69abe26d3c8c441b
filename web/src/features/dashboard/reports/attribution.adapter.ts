import { label, tableOfEnvelope, type Envelope } from './envelope.ts';
import type { ReportView } from './report-model.ts';

const modelNames: Record<string, string> = {
  first_touch: 'First touch', last_touch: 'Last touch', lead_creation: 'Lead creation', linear: 'Linear', u_shaped: 'U-shaped (40/20/40)',
  w_shaped: 'W-shaped', full_path: 'Full path (Z-shaped)', time_decay: 'Time decay', markov_path: 'Markov, per deal', markov: 'Markov (removal effect)', shapley: 'Shapley value',
};
/** An attribution model as marketers name it. */
export const modelLabel = (m: string) => modelNames[m] ?? label(m);

// GET /api/v1/reports/attribution?model=…: rows (horizon, dimension, key, one column per model); marketing_contribution vs target.
export function adaptAttribution(e: Envelope, model: string, dimension: string): ReportView | null {
  const filter = (r: Envelope['rows'][number]) => r.horizon === 'short_term' && r.dimension === dimension;
  const rows = e.rows.filter(filter).sort((a, b) => Number(b[model] ?? 0) - Number(a[model] ?? 0)).slice(0, 15);
  if (!rows.length) return null;
  return {
    model: { kind: 'bar', format: 'money', categories: rows.map((r) => String(r.key)), series: [{ name: `Credited revenue (${modelLabel(model)})`, values: rows.map((r) => (typeof r[model] === 'number' ? r[model] : null)) }] },
    table: tableOfEnvelope(e, filter),
  };
}

type Contribution = { model: string; target: number; share: number | null; sourced_share: number | null; influenced_share: number | null; meets_target: boolean | null };
export function adaptContribution(e: Envelope): ReportView | null {
  const c = e.marketing_contribution as Contribution | undefined;
  if (!c || c.share === null) return null;
  const p = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const cats = [`Credited (${modelLabel(c.model)})`, 'Sourced', 'Influenced'];
  return {
    model: { kind: 'bar', unit: '%', categories: cats, series: [{ name: 'Marketing share (%)', values: [p(c.share), p(c.sourced_share), p(c.influenced_share)] }, { name: 'Target (%)', values: cats.map(() => p(c.target)) }] },
    table: { columns: ['model', 'credited_share', 'sourced_share', 'influenced_share', 'target', 'meets_target'], rows: [[c.model, c.share, c.sourced_share, c.influenced_share, c.target, c.meets_target]] },
  };
}
