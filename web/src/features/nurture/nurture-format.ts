/** "42%" (or "—" when there is nothing to divide): rates in the nurture screens and the dashboard card. */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: rate < 0.1 ? 1 : 0 }).format(rate);
}
