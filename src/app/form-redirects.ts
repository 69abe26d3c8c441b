import { decideRedirect, normalizeDomain, siteDomainOf } from '../core/redirect.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { listAllContentAssets } from '../storage/content.repo.ts';
import { getWorkspace, mergeWorkspaceSettings } from '../storage/workspaces.repo.ts';
import type { AppDeps } from './context.ts';

export const FORM_REDIRECT_SETTING = 'formRedirectDomains';
const SETTING_PLACE = "Settings (PUT /api/v1/settings/form-redirects with {\"domains\": [...]})";
const MAX_DOMAINS = 100;

export type FormRedirectPolicy = {
  /** The admin's list, or null when unset (the defaults apply). */
  configured: string[] | null;
  /** What applies now, without the page-dependent part (the site of the page holding the form is added per submission when unset). */
  domains: string[];
};

/**
 * The domains a form may redirect to. Set by an admin: exactly that list. Unset: the sites the workspace
 * already knows — Leadloop's own address, the sites of its content library, and (per submission) the
 * site of the page holding the form (Referer/Origin).
 */
export async function formRedirectPolicy(deps: AppDeps, workspaceId: string, publicUrl: string): Promise<FormRedirectPolicy> {
  const ws = await getWorkspace(deps.db, workspaceId);
  const raw = ws?.settings[FORM_REDIRECT_SETTING];
  if (Array.isArray(raw)) {
    const configured = raw.filter((d): d is string => typeof d === 'string');
    return { configured, domains: configured };
  }
  const known = new Set<string>();
  const own = siteDomainOf(publicUrl);
  if (own) known.add(own);
  for (const asset of await listAllContentAssets(deps.db, workspaceId)) {
    for (const url of [asset.url, ...asset.urls]) {
      const d = siteDomainOf(url);
      if (d) known.add(d);
    }
  }
  return { configured: null, domains: [...known].sort() };
}

/** The redirect to send the visitor to after a form submission (null: none), or a refusal that says what to change. */
export async function checkFormRedirect(deps: AppDeps, workspaceId: string, input: { redirect: unknown; pageUrl: string | null; publicUrl: string }): Promise<Result<string | null>> {
  const raw = Array.isArray(input.redirect) ? input.redirect[0] : input.redirect;
  if (raw === undefined || raw === null || raw === '') return ok(null);
  if (typeof raw !== 'string') return fail('ValidationFailed', '_redirect must be a URL string.', [{ path: 'body._redirect', message: 'must be a string' }]);
  const policy = await formRedirectPolicy(deps, workspaceId, input.publicUrl);
  const page = siteDomainOf(input.pageUrl);
  const allowed = policy.configured ?? (page ? [...new Set([...policy.domains, page])] : policy.domains);
  const decision = decideRedirect(raw, allowed, input.pageUrl, SETTING_PLACE);
  if (!decision.ok) return fail('ValidationFailed', `${decision.message} Nothing was stored; fix the form's _redirect and submit again.`, [{ path: 'body._redirect', message: decision.message }]);
  return ok(decision.url);
}

/** Sets the workspace's form redirect domains (null: back to the defaults). Every entry must be a domain. */
export async function setFormRedirectDomains(deps: AppDeps, workspaceId: string, domains: string[] | null): Promise<Result<string[] | null>> {
  if (domains === null) {
    await mergeWorkspaceSettings(deps.db, workspaceId, { [FORM_REDIRECT_SETTING]: null });
    return ok(null);
  }
  if (domains.length > MAX_DOMAINS) return fail('ValidationFailed', `At most ${MAX_DOMAINS} domains.`, [{ path: 'body.domains', message: `at most ${MAX_DOMAINS}` }]);
  const clean: string[] = [];
  for (const [i, d] of domains.entries()) {
    const n = normalizeDomain(d);
    if (!n) return fail('ValidationFailed', `'${d.slice(0, 100)}' is not a domain; write it like example.com (subdomains are included).`, [{ path: `body.domains[${i}]`, message: 'not a domain' }]);
    if (!clean.includes(n)) clean.push(n);
  }
  await mergeWorkspaceSettings(deps.db, workspaceId, { [FORM_REDIRECT_SETTING]: clean });
  return ok(clean);
}
