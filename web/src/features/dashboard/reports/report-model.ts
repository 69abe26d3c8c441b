/**
 * What the dashboard's charts draw, independent of any report's JSON shape. Each report has one
 * adapter file turning its response into these models; when a report's shape changes, only its
 * adapter changes.
 */
export type Cell = string | number | boolean | null;
export type ReportTable = { columns: string[]; rows: Cell[][] };

export type FunnelModel = { kind: 'funnel'; steps: { name: string; value: number }[] };
export type SankeyModel = { kind: 'sankey'; nodes: string[]; links: { source: string; target: string; value: number }[] };
/** How values read: money in the report currency, a ratio as money per dollar, a count, days, or a percentage (values already ×100). */
export type ValueFormat = 'count' | 'money' | 'ratio_money' | 'days' | 'percent';
export type SeriesModel = { kind: 'line' | 'bar'; categories: string[]; series: { name: string; values: (number | null)[] }[]; unit?: string; stacked?: boolean; format?: ValueFormat };
export type HeatmapModel = { kind: 'heatmap'; x: string[]; y: string[]; cells: [number, number, number][] };
export type FlagTableModel = { kind: 'table'; table: ReportTable; flags: (string | null)[] };

export type ChartModel = FunnelModel | SankeyModel | SeriesModel | HeatmapModel | FlagTableModel;

/** A chart plus the rows behind it (what Export CSV writes). */
export type ReportView = { model: ChartModel; table: ReportTable; note?: string };

/** Finds the first array of plain objects in a response: `data`, `rows`, `stages`, or anywhere one level down. */
export function rowsOf(raw: unknown, preferred: string[] = []): Record<string, unknown>[] | null {
  if (Array.isArray(raw)) return raw.every((r) => r && typeof r === 'object') ? (raw as Record<string, unknown>[]) : null;
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  for (const key of [...preferred, 'data', 'rows', 'items', 'results']) {
    const found = Array.isArray(o[key]) ? rowsOf(o[key]) : null;
    if (found?.length) return found;
  }
  for (const value of Object.values(o)) {
    const found = Array.isArray(value) ? rowsOf(value) : null;
    if (found?.length) return found;
  }
  return null;
}

export const pick = <T,>(row: Record<string, unknown>, names: string[], type: 'string' | 'number'): T | undefined =>
  names.map((n) => row[n]).find((v) => typeof v === type) as T | undefined;

/** Every row as a table, columns in first-seen order, nested values as JSON text. */
export function tableOf(rows: Record<string, unknown>[]): ReportTable {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return {
    columns,
    rows: rows.map((r) => columns.map((c) => {
      const v = r[c];
      return v === undefined ? null : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as Cell);
    })),
  };
}
