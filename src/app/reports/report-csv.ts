import type { Cell } from './report.types.ts';

function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  // Quote when needed (RFC 4180); a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The report's flat table as CSV: a header of `columns`, one line per row, CRLF line ends. */
export function reportToCsv(report: { columns: string[]; rows: Record<string, Cell>[] }): string {
  const lines = [report.columns.map(csvCell).join(',')];
  for (const row of report.rows) lines.push(report.columns.map((c) => csvCell(row[c] ?? null)).join(','));
  return lines.join('\r\n') + '\r\n';
}
