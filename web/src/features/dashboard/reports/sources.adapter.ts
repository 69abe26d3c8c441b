import { rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/sources: one row per source with rates and a quality flag. The flag column is
// whatever the report names it (flag / flagged / below_average); anything truthy is shown.
export function adaptSources(raw: unknown): ReportView | null {
  const rows = rowsOf(raw, ['sources']);
  if (!rows) return null;
  const flags = rows.map((r) => {
    const f = r.flag ?? r.flagged ?? r.below_average ?? r.quality_flag;
    if (!f) return null;
    return typeof f === 'string' ? f : 'Below average';
  });
  return { model: { kind: 'table', table: tableOf(rows), flags }, table: tableOf(rows) };
}
