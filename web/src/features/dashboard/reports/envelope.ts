import type { Cell, ReportTable } from './report-model.ts';

/** What every GET /api/v1/reports/{name} answers (src/app/reports/report.types.ts): the flat table plus sections. */
export type Envelope = {
  report: string;
  period: { from: string; to: string; to_inclusive: string };
  filters: { by: string; model: string };
  definition_versions: { id: string; version: number; name: string; status: string }[];
  notes: string[];
  columns: string[];
  rows: Record<string, Cell>[];
  [section: string]: unknown;
};

/** The envelope's rows as the CSV table (its own column order). */
export const tableOfEnvelope = (e: Pick<Envelope, 'columns' | 'rows'>, filter: (r: Record<string, Cell>) => boolean = () => true): ReportTable =>
  ({ columns: e.columns, rows: e.rows.filter(filter).map((r) => e.columns.map((c) => r[c] ?? null)) });

export const num = (v: Cell | undefined): number => (typeof v === 'number' ? v : 0);
export const pct = (v: Cell | undefined): number | null => (typeof v === 'number' ? Math.round(v * 1000) / 10 : null);
export const label = (s: string) => s.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
