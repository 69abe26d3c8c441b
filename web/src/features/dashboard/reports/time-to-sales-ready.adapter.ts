import { pick, rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/time-to-sales-ready: a monthly trend of median days from first touch to MQL and to SAL.
export function adaptTimeToSalesReady(raw: unknown): ReportView | null {
  const rows = rowsOf(raw, ['trend', 'months']);
  if (!rows) return null;
  const categories = rows.map((r) => pick<string>(r, ['month', 'period', 'cohort'], 'string') ?? '');
  const metric = (names: string[]) => rows.map((r) => pick<number>(r, names, 'number') ?? null);
  const series = [
    { name: 'First touch → MQL (median days)', values: metric(['median_days_to_mql', 'to_mql_median_days', 'median_to_mql_days', 'to_mql']) },
    { name: 'First touch → SAL (median days)', values: metric(['median_days_to_sal', 'to_sal_median_days', 'median_to_sal_days', 'to_sal']) },
  ].filter((s) => s.values.some((v) => v !== null));
  if (!series.length) return null;
  return { model: { kind: 'line', categories, series, unit: 'days' }, table: tableOf(rows) };
}
