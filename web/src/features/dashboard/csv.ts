import { csvLines } from '../../../../src/core/csv.ts';
import type { ReportTable } from './reports/report-model.ts';

/** RFC 4180 CSV with the server's cell rules (formula-guarded). */
export const toCsv = (table: ReportTable): string => csvLines([table.columns, ...table.rows]);

export function downloadCsv(filename: string, table: ReportTable): void {
  const blob = new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
