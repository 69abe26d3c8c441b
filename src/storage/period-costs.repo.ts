import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { keyKeysetPage, keyKeysetQuery, type KeyKeyset, type Page, type PageRequest } from './page.ts';
import type {} from './schema-reports.ts';

export type CostCategory = 'marketing' | 'sales';
export type PeriodCost = { periodStart: string; category: CostCategory; amount: number; currency: string; note: string | null };

/** Costs of months in [fromMonth, toMonth] (first days of months, inclusive), oldest first. */
export async function listPeriodCosts(db: DbOrTrx, workspaceId: string, range: { fromMonth?: string; toMonth?: string } = {}): Promise<PeriodCost[]> {
  let query = db.selectFrom('period_cost').select(['period_start', 'category', 'amount', 'currency', 'note']).where('workspace_id', '=', workspaceId);
  if (range.fromMonth) query = query.where('period_start', '>=', range.fromMonth);
  if (range.toMonth) query = query.where('period_start', '<=', range.toMonth);
  const rows = await query.orderBy('period_start').orderBy('category').execute();
  return rows.map((r) => ({ periodStart: r.period_start, category: r.category as CostCategory, amount: Number(r.amount), currency: r.currency, note: r.note }));
}

const costKeyset: KeyKeyset = { keys: [{ expr: sql.ref('period_start'), type: 'date' }, { expr: sql.ref('category'), type: 'text' }], direction: 'asc' };

/** A page of listPeriodCosts, oldest month first: keyset (period_start, category), the primary key; cursor key1 [month, category]. */
export async function pagePeriodCosts(db: DbOrTrx, workspaceId: string, range: { fromMonth?: string; toMonth?: string }, page: PageRequest): Promise<Page<PeriodCost>> {
  let query = db.selectFrom('period_cost').select(['period_start', 'category', 'amount', 'currency', 'note']).where('workspace_id', '=', workspaceId);
  if (range.fromMonth) query = query.where('period_start', '>=', range.fromMonth);
  if (range.toMonth) query = query.where('period_start', '<=', range.toMonth);
  return keyKeysetPage(await keyKeysetQuery(query, costKeyset, page).execute(), costKeyset, page.limit,
    (r) => ({ periodStart: r.period_start, category: r.category as CostCategory, amount: Number(r.amount), currency: r.currency, note: r.note }));
}

/** Inserts or replaces one row per (month, category): a re-import overwrites, it never doubles. */
export async function upsertPeriodCosts(db: DbOrTrx, workspaceId: string, costs: readonly PeriodCost[], at: Date): Promise<void> {
  if (costs.length === 0) return;
  await db.insertInto('period_cost').values(costs.map((c) => ({
    workspace_id: workspaceId, period_start: c.periodStart, category: c.category, amount: c.amount, currency: c.currency, note: c.note, updated_at: at,
  }))).onConflict((oc) => oc.columns(['workspace_id', 'period_start', 'category']).doUpdateSet((eb) => ({
    amount: eb.ref('excluded.amount'), currency: eb.ref('excluded.currency'), note: eb.ref('excluded.note'), updated_at: eb.ref('excluded.updated_at'),
  }))).execute();
}
