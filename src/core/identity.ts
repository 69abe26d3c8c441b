import { getDomain } from 'tldts';

/** Identity rules shared by ingestion, imports and the API. */

/** Lower-cases and trims an email; returns null when it is not a plausible address. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const email = raw.trim().toLowerCase();
  if (email.length > 254) return null;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

/**
 * The registrable domain of a host by the public suffix list ("uk.acmepsl.co.uk" → "acmepsl.co.uk",
 * "mail.acme.com" → "acme.com"): what one company owns, so accounts match every subdomain of it.
 * A host the list cannot split (an IP, "localhost") is kept as it is.
 */
export function registrableDomain(host: string): string {
  const h = host.trim().toLowerCase();
  return getDomain(h, { allowPrivateDomains: false }) ?? h;
}

/** The registrable domain of an email's host: `gus@uk.acmepsl.co.uk` → "acmepsl.co.uk" (account matching). */
export function emailDomain(email: string): string {
  return registrableDomain(email.slice(email.lastIndexOf('@') + 1));
}

/**
 * Normalizes a company domain or website URL to its registrable domain ("https://www.Acme.com/x" →
 * "acme.com", "uk.acmepsl.co.uk" → "acmepsl.co.uk"), the key accounts are matched by.
 */
export function normalizeDomain(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  let host = raw.trim().toLowerCase();
  host = host.replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/^www\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? registrableDomain(host) : null;
}
