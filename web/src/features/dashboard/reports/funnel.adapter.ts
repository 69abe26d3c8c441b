import { pick, rowsOf, tableOf, type ReportView } from './report-model.ts';

// GET /api/v1/reports/funnel (closed-loop issue). Expected: rows of { stage, count } in waterfall
// order, optionally `flows` of { from, to, count } for the Sankey. Adjust here when the shape lands.
export function adaptFunnel(raw: unknown): ReportView | null {
  const rows = rowsOf(raw, ['stages', 'funnel', 'waterfall']);
  if (!rows) return null;
  const steps = rows.map((r) => ({
    name: pick<string>(r, ['stage', 'name', 'label'], 'string') ?? '?',
    value: pick<number>(r, ['count', 'leads', 'value', 'entered', 'reached'], 'number') ?? NaN,
  }));
  if (steps.some((s) => Number.isNaN(s.value))) return null;
  return { model: { kind: 'funnel', steps }, table: tableOf(rows) };
}

export function adaptFunnelFlows(raw: unknown): ReportView | null {
  const rows = raw && typeof raw === 'object' ? rowsOf(raw, ['flows', 'links', 'transitions']) : null;
  if (!rows) return null;
  const links = rows.map((r) => ({
    source: pick<string>(r, ['from', 'source'], 'string') ?? '',
    target: pick<string>(r, ['to', 'target'], 'string') ?? '',
    value: pick<number>(r, ['count', 'value', 'leads'], 'number') ?? 0,
  })).filter((l) => l.source && l.target && l.value > 0);
  if (!links.length) return null;
  const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))];
  return { model: { kind: 'sankey', nodes, links }, table: tableOf(rows) };
}
