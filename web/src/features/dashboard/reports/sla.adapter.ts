import { pick, rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/sla (hand-off issue): per rep, the SLA hit rate (the "follow-up rate").
export function adaptSla(raw: unknown): ReportView | null {
  const rows = rowsOf(raw, ['reps', 'by_rep', 'owners']);
  if (!rows) return null;
  const categories = rows.map((r) => pick<string>(r, ['rep', 'owner', 'owner_name', 'name', 'email', 'team'], 'string') ?? '?');
  const values = rows.map((r) => {
    const v = pick<number>(r, ['hit_rate', 'sla_hit_rate', 'follow_up_rate'], 'number');
    // Rates may come as 0–1 or as percentages.
    return v === undefined ? null : v <= 1 ? Math.round(v * 1000) / 10 : v;
  });
  if (values.every((v) => v === null)) return null;
  return { model: { kind: 'bar', categories, series: [{ name: 'SLA hit rate (%)', values }], unit: '%' }, table: tableOf(rows) };
}
