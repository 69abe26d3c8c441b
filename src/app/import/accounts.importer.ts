import { normalizeDomain } from '../../core/identity.ts';
import { insertAccountsBulk, type AccountInsert } from '../../storage/import-bulk.repo.ts';
import { findAccounts, updateAccountsBulk, type AccountUpdate } from '../../storage/import-match.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { newId } from '../../storage/ids.ts';
import { isFreeMailDomain } from '../free-mail.ts';
import { externalIdOf } from './import-presets.ts';
import { addRelated, emptyOutcome, lastRowPerKey, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';

export type AccountHint = {
  key: number; externalId?: string; domain?: string | null; company?: string;
  industry?: string; employeeCount?: number; country?: string;
  /** Used when nothing matches, before creating an account (a deal's contact's account). */
  fallback?: string | null;
};

/** A company domain usable for matching: never a free-mail one (gmail.com is not a company). */
export function companyDomain(website: string | undefined, email: string | undefined): string | null {
  const domain = website ?? (email ? normalizeDomain(email.slice(email.lastIndexOf('@') + 1)) : null);
  return domain && !isFreeMailDomain(domain) ? domain : null;
}

/**
 * The account of each hint: by external id, else by domain, else by company name; a company that
 * matches nothing is created (named by the Company column, with the domain when known). A hint
 * with neither domain nor company gets no account.
 */
export async function resolveAccounts(trx: Trx, ctx: ImportContext, hints: AccountHint[], outcome: ChunkOutcome): Promise<Map<number, string>> {
  const found = await findAccounts(trx, ctx.workspaceId, {
    externalIds: [...new Set(hints.flatMap((h) => (h.externalId ? [h.externalId] : [])))],
    domains: [...new Set(hints.flatMap((h) => (h.domain ? [h.domain] : [])))],
    names: [...new Set(hints.flatMap((h) => (h.company && !h.domain ? [h.company.toLowerCase()] : [])))],
  });
  const result = new Map<number, string>();
  const created = new Map<string, AccountInsert>();
  const pending: AccountHint[] = [];
  for (const h of hints) {
    const existing = (h.externalId && found.byExternalId.get(h.externalId)) || (h.domain && found.byDomain.get(h.domain))
      || (!h.domain && h.company && found.byName.get(h.company.toLowerCase())) || h.fallback || null;
    if (existing) { result.set(h.key, existing); continue; }
    if (!h.company) { if (h.domain) pending.push(h); continue; }
    const key = h.externalId ? `x:${h.externalId}` : h.domain ? `d:${h.domain}` : `n:${h.company.toLowerCase()}`;
    let account = created.get(key);
    if (!account) {
      account = {
        id: newId(ctx.now.getTime()), name: h.company, domain: h.domain ?? null, industry: h.industry ?? null, employeeCount: h.employeeCount ?? null,
        country: h.country ?? null, annualRevenue: null, externalId: h.externalId ?? null, attributes: {},
      };
      created.set(key, account);
    }
    result.set(h.key, account.id);
  }
  // A row without a company still joins an account another row of this chunk creates for its domain.
  const createdByDomain = new Map([...created.values()].flatMap((a) => (a.domain ? [[a.domain, a.id] as const] : [])));
  for (const h of pending) {
    const id = createdByDomain.get(h.domain!);
    if (id) result.set(h.key, id);
  }
  // Two keys (a domain and an external id) may name one new company twice; the unique indexes decide.
  const unique = dedupeAccounts([...created.values()]);
  addRelated(outcome, 'accounts_created', await insertAccountsBulk(trx, ctx.workspaceId, unique.rows));
  for (const [k, id] of result) result.set(k, unique.alias.get(id) ?? id);
  return result;
}

function dedupeAccounts(rows: AccountInsert[]): { rows: AccountInsert[]; alias: Map<string, string> } {
  const byDomain = new Map<string, string>();
  const byExternal = new Map<string, string>();
  const alias = new Map<string, string>();
  const kept: AccountInsert[] = [];
  for (const a of rows) {
    const same = (a.domain && byDomain.get(a.domain)) || (a.externalId && byExternal.get(a.externalId));
    if (same) { alias.set(a.id, same); continue; }
    if (a.domain) byDomain.set(a.domain, a.id);
    if (a.externalId) byExternal.set(a.externalId, a.id);
    kept.push(a);
  }
  return { rows: kept, alias };
}

/** Accounts file: matched by external id, else domain, else name; updated or created. */
export async function importAccounts(trx: Trx, ctx: ImportContext, input: ImportRow<'accounts'>[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const rows = lastRowPerKey(ctx, input, (r) => [
    ...(r.values.external_id ? [`external id:${r.values.external_id}`] : []),
    ...(r.values.domain ? [`domain:${r.values.domain}`] : []),
    ...(!r.values.external_id && !r.values.domain ? [`name:${r.values.name.toLowerCase()}`] : []),
  ], 'name', outcome);
  const ext = (r: ImportRow<'accounts'>) => (r.values.external_id ? externalIdOf(ctx.preset, r.values.external_id) : null);
  const found = await findAccounts(trx, ctx.workspaceId, {
    externalIds: rows.flatMap((r) => (ext(r) ? [ext(r)!] : [])),
    domains: rows.flatMap((r) => (r.values.domain ? [r.values.domain] : [])),
    names: rows.flatMap((r) => (!r.values.domain && !r.values.external_id ? [r.values.name.toLowerCase()] : [])),
  });
  const inserts: AccountInsert[] = [];
  const updates: AccountUpdate[] = [];
  const claimed = new Set<string>();
  for (const r of rows) {
    const v = r.values;
    if (v.domain && isFreeMailDomain(v.domain)) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, r, 'domain', `${v.domain} is a free-mail domain and cannot identify a company`));
      continue;
    }
    const byExt = ext(r) ? found.byExternalId.get(ext(r)!) : undefined;
    const byDomain = v.domain ? found.byDomain.get(v.domain) : undefined;
    if (byExt && byDomain && byExt !== byDomain) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, r, 'domain', `domain ${v.domain} belongs to another account than ${v.external_id}`));
      continue;
    }
    const id = byExt ?? byDomain ?? (!v.domain && !v.external_id ? found.byName.get(v.name.toLowerCase()) : undefined);
    const fields = {
      name: v.name, domain: v.domain ?? null, industry: v.industry ?? null, employeeCount: v.employee_count ?? null, country: v.country ?? null,
      annualRevenue: v.annual_revenue ?? null, externalId: ext(r), attributes: r.attributes,
    };
    if (id && !claimed.has(id)) { claimed.add(id); updates.push({ id, ...fields }); } else if (!id) inserts.push({ id: newId(v.created_at?.getTime() ?? ctx.now.getTime()), ...fields });
    else { outcome.skipped++; outcome.errors.push(rowError(ctx, r, 'name', 'matches the same account as another row of this file')); }
  }
  outcome.inserted += await insertAccountsBulk(trx, ctx.workspaceId, inserts);
  const changed = await updateAccountsBulk(trx, ctx.workspaceId, updates);
  outcome.updated += changed;
  outcome.unchanged += updates.length - changed;
  return outcome;
}
