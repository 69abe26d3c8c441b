/**
 * Where a form may send the visitor after submitting (`_redirect`): only to the workspace's own sites,
 * so Leadloop's form endpoint is never an open redirect. Pure: no I/O.
 */

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A domain as an admin may type it ("Example.com", "https://www.example.com/thanks", "*.example.com")
 * reduced to its host name, or null when it is not one. A domain allows itself and its subdomains.
 */
export function normalizeDomain(raw: string): string | null {
  let v = raw.trim().toLowerCase().replace(/^\*\./, '');
  if (!v) return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(v)) {
    try { v = new URL(v).hostname; } catch { return null; }
  }
  v = v.replace(/\.$/, '');
  // IPv6 literals and ports are not domains; an IPv4 literal passes the pattern and is allowed as typed.
  return HOSTNAME.test(v) ? v : null;
}

/** `host` is one of `domains` or a subdomain of one. */
export function hostAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

/** The site a page belongs to: its host without a leading `www.` (so www.example.com allows example.com and its subdomains). */
export function siteDomainOf(pageUrl: string | null | undefined): string | null {
  if (!pageUrl) return null;
  try {
    const u = new URL(pageUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return normalizeDomain(u.hostname.replace(/^www\./, ''));
  } catch {
    return null;
  }
}

export type RedirectDecision =
  | { ok: true; url: string | null }
  | { ok: false; message: string };

/**
 * Decides a form's `_redirect`: absent → no redirect; a relative path resolves against the page that
 * held the form; the result must be http(s) and on an allowed domain. The message says what to change.
 */
export function decideRedirect(raw: string | null | undefined, allowed: readonly string[], pageUrl: string | null | undefined, settingName: string): RedirectDecision {
  const value = raw?.trim();
  if (!value) return { ok: true, url: null };
  let url: URL;
  try {
    url = pageUrl ? new URL(value, pageUrl) : new URL(value);
  } catch {
    return { ok: false, message: `_redirect '${value.slice(0, 200)}' is not a URL; use an absolute https:// address on your site (or a path such as /thanks, resolved against the form's page).` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `_redirect must be an http(s) address on your site; '${url.protocol}' is not allowed.` };
  }
  if (url.username || url.password) return { ok: false, message: '_redirect must not contain a user name or password.' };
  if (!hostAllowed(url.hostname, allowed)) {
    const list = allowed.length ? allowed.join(', ') : 'none yet';
    return {
      ok: false,
      message: `_redirect goes to ${url.hostname}, which is not one of this workspace's form redirect domains (${list}). `
        + `An admin can add it in ${settingName}; or redirect to a page on the site that holds the form.`,
    };
  }
  return { ok: true, url: url.toString() };
}
