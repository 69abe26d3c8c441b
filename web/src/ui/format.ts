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
export const formatMoney = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);

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
