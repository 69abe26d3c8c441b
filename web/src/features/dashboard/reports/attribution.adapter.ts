import { pick, rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/attribution: credited revenue per channel for each model, side by side.
export function adaptAttribution(raw: unknown, model: string | null): ReportView | null {
  const rows = rowsOf(raw, ['credits', 'channels']);
  if (!rows) return null;
  const modelOf = (r: Record<string, unknown>) => pick<string>(r, ['model'], 'string') ?? 'all';
  const models = [...new Set(rows.map(modelOf))];
  const chosen = model && models.includes(model) ? model : models[0]!;
  const selected = rows.filter((r) => modelOf(r) === chosen);
  const categories = selected.map((r) => pick<string>(r, ['channel', 'source', 'campaign', 'content', 'key', 'name'], 'string') ?? '?');
  const values = selected.map((r) => pick<number>(r, ['revenue', 'credit', 'amount', 'value'], 'number') ?? null);
  return { model: { kind: 'bar', categories, series: [{ name: `Revenue (${chosen})`, values }] }, table: tableOf(rows), note: models.join(',') };
}
