import type { Contact } from '../api/types.ts';

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const numberFmt = new Intl.NumberFormat();

const dayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
/**
 * A date for people. A date-only value ('2026-12-24': published on, planned on) is a calendar day, not an
 * instant: formatted as that day everywhere (read as local midnight it would show the day before west of UTC).
 */
export const formatDate = (iso: string | null | undefined) => (!iso ? '—' : /^\d{4}-\d{2}-\d{2}$/.test(iso) ? dayFmt.format(new Date(`${iso}T00:00:00Z`)) : dateFmt.format(new Date(iso)));
/** Today as a calendar day (YYYY-MM-DD) where the user is. */
export const localToday = (now = new Date()) => `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTimeFmt.format(new Date(iso)) : '—');
export const formatNumber = (n: number | null | undefined) => (n === null || n === undefined ? '—' : numberFmt.format(n));
/**
 * Reports sum amounts as stored (the API says so in each report's notes) and carry no currency; the
 * demo and the cost imports default to USD. One constant, so every report money figure says the same.
 */
export const reportCurrency = 'USD';
const moneyFormats = new Map<string, Intl.NumberFormat>();
/** "$770,000", "€10,260": locale grouping, the currency's symbol, whole units (amounts here are deal-sized). */
export function formatMoney(amount: number, currency: string = reportCurrency): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 });
    } catch {
      // A stored currency code Intl does not know: the number, then the code as written.
      return `${numberFmt.format(Math.round(amount))} ${currency}`;
    }
    moneyFormats.set(currency, f);
  }
  return f.format(amount);
}
/** Money with cents when the amount is small (cost per lead: "$12.40"), whole units otherwise. */
export function formatUnitMoney(amount: number, currency: string = reportCurrency): string {
  if (Math.abs(amount) >= 100) return formatMoney(amount, currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}
const percentFmt = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
/** A share (0.123) as "12.3%" in the user's locale. */
export const formatPercent = (share: number | null | undefined) => (share === null || share === undefined || !Number.isFinite(share) ? '—' : percentFmt.format(share));
/** "first_touch" → "First touch", "cost_per_order_dollar" → "Cost per order dollar": snake_case keys for people. */
export const humanLabel = (key: string) => key.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^\w/, (m) => m.toUpperCase());

/** "3 h 20 min", "2 d 4 h": compact durations for SLA clocks and time-in-stage. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const min = Math.floor(abs / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  // Past two weeks the hours are noise.
  return d < 14 ? `${d} d ${h % 24} h` : `${d} days`;
}

/** A policy duration ('240m', '1d4h', '14d') in words: '4 h', '1 d 4 h', '14 d'; minutes fold into hours. */
export function formatWithin(spec: string): string {
  const unit = (u: string) => Number(new RegExp(`(\\d+)${u}`).exec(spec)?.[1] ?? 0);
  const minutes = unit('h') * 60 + unit('m');
  const parts = [[unit('w'), 'w'], [unit('d'), 'd'], [Math.floor(minutes / 60), 'h'], [minutes % 60, 'min']] as const;
  const text = parts.filter(([n]) => n > 0).map(([n, u]) => `${n} ${u}`).join(' ');
  return text || spec;
}

export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  return `${formatDuration(now - new Date(iso).getTime())} ago`;
}

export function contactName(c: Contact | null | undefined): string {
  if (!c) return '…';
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ').trim();
  return name || c.email || (c.status === 'erased' ? 'Erased person' : 'Unnamed contact');
}

export const humanize = (s: string) => s.replace(/[_-]+/g, ' ').replace(/^\w/, (m) => m.toUpperCase());

/**
 * For the few places that must build HTML strings (ECharts tooltip formatters render HTML): every
 * interpolated value that came from a lead, a user or an integration goes through this.
 */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
