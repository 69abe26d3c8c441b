import { pick, rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/cpod: cost per order dollar per period = (marketing + sales cost) / won revenue.
export function adaptCpod(raw: unknown): ReportView | null {
  const rows = rowsOf(raw, ['periods']);
  if (!rows) return null;
  const categories = rows.map((r) => pick<string>(r, ['period', 'month', 'quarter'], 'string') ?? '');
  const values = rows.map((r) => pick<number>(r, ['cpod', 'cost_per_order_dollar', 'value'], 'number') ?? null);
  if (values.every((v) => v === null)) return null;
  return { model: { kind: 'bar', categories, series: [{ name: 'Cost per order dollar', values }] }, table: tableOf(rows) };
}
