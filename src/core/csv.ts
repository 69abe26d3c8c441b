/**
 * One CSV cell (RFC 4180), for every CSV Leadloop writes: reports, the editorial calendar, import error
 * reports and the web app's chart exports. Text starting with = + - @ tab or CR is prefixed with a quote so
 * a spreadsheet shows it instead of running it as a formula: lead-supplied text (UTM sources, names, rows
 * of an uploaded file) reaches these files.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines of cells, CRLF-terminated. */
export const csvLines = (rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string =>
  rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
