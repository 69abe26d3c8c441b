import { csvLines } from '../../core/csv.ts';
import type { Cell } from './report.types.ts';

/** The report's flat table as CSV: a header of `columns`, one line per row, CRLF line ends. */
export function reportToCsv(report: { columns: string[]; rows: Record<string, Cell>[] }): string {
  return csvLines([report.columns, ...report.rows.map((row) => report.columns.map((c) => row[c] ?? null))]);
}
