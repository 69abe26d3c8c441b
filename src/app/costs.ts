import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { fail, ok, type ErrorDetail, type Result } from '../core/result.ts';
import { listPeriodCosts, pagePeriodCosts, upsertPeriodCosts, type PeriodCost } from '../storage/period-costs.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import { withAudit } from './audit.ts';
import type { AppDeps } from './context.ts';

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])(?:-01)?$/;

/** 'YYYY-MM' or 'YYYY-MM-01' → 'YYYY-MM-01'; costs are per calendar month. */
export function normalizeMonth(value: string): string | null {
  const m = monthPattern.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-01` : null;
}

export const periodCostSchema = z.strictObject({
  period_start: z.string().refine((v) => normalizeMonth(v) !== null, { message: "must be a month: 'YYYY-MM' or 'YYYY-MM-01'" }),
  category: z.enum(['marketing', 'sales']),
  amount: z.coerce.number().min(0).max(1e15),
  currency: z.string().trim().length(3).default('USD'),
  note: z.string().max(500).nullable().optional(),
});
export type PeriodCostInput = z.infer<typeof periodCostSchema>;

const toCost = (c: PeriodCostInput): PeriodCost => ({
  periodStart: normalizeMonth(c.period_start)!, category: c.category, amount: c.amount, currency: c.currency.toUpperCase(), note: c.note ?? null,
});

/** A page of the costs of months in [from, to], oldest first (then by category). */
export async function periodCosts(deps: AppDeps, workspaceId: string, range: { from?: string; to?: string }, page: PageRequest): Promise<Page<PeriodCost>> {
  return pagePeriodCosts(deps.db, workspaceId, {
    fromMonth: range.from ? normalizeMonth(range.from.slice(0, 7)) ?? undefined : undefined,
    toMonth: range.to ? normalizeMonth(range.to.slice(0, 7)) ?? undefined : undefined,
  }, page);
}

/** Sets the cost of each (month, category) listed; others are untouched. */
export async function putPeriodCosts(deps: AppDeps, workspaceId: string, costs: readonly PeriodCostInput[]): Promise<Result<PeriodCost[]>> {
  const rows = costs.map(toCost);
  const seen = new Set<string>();
  for (const [i, r] of rows.entries()) {
    const key = `${r.periodStart}/${r.category}`;
    if (seen.has(key)) return fail('ValidationFailed', `The ${r.category} cost of ${r.periodStart.slice(0, 7)} is listed twice.`, [{ path: `costs[${i}]`, message: 'duplicate month and category' }]);
    seen.add(key);
  }
  const before = await listPeriodCosts(deps.db, workspaceId, {});
  await withAudit(deps, (trx) => upsertPeriodCosts(trx, workspaceId, rows, deps.clock.now()), () => ({
    workspaceId, action: 'costs.changed', object: { type: 'costs', id: null }, at: deps.clock.now(),
    before: before.filter((b) => rows.some((r) => r.periodStart === b.periodStart && r.category === b.category)), after: rows,
  }));
  return ok(rows);
}

/**
 * Imports a CSV with a header row: period_start (YYYY-MM), category (marketing | sales), amount,
 * and optionally currency and note. All rows are checked before anything is written.
 */
export async function importPeriodCostsCsv(deps: AppDeps, workspaceId: string, text: string): Promise<Result<{ rows: number }>> {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    return fail('ValidationFailed', `The file is not valid CSV: ${(e as Error).message}`);
  }
  const details: ErrorDetail[] = [];
  const parsed: PeriodCostInput[] = [];
  for (const [i, record] of records.entries()) {
    const clean = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ''));
    const row = periodCostSchema.safeParse(clean);
    if (row.success) parsed.push(row.data);
    else for (const issue of row.error.issues) details.push({ path: `line ${i + 2}.${issue.path.join('.')}`, message: issue.message });
  }
  if (details.length) return fail('ValidationFailed', `${details.length} problem(s) in the cost file; nothing was imported. First: ${details[0]!.path}: ${details[0]!.message}`, details.slice(0, 50));
  const put = await putPeriodCosts(deps, workspaceId, parsed);
  return put.ok ? ok({ rows: put.value.length }) : put;
}
