import { sql } from 'kysely';
import { toAccount, type Account } from './accounts.repo.ts';
import { toActivity, type Activity } from './activities.repo.ts';
import { toContact, type Contact } from './contacts.repo.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { toLead, type Lead } from './leads.repo.ts';
import { toOpportunity, type Opportunity } from './opportunities.repo.ts';

/** How much of an account's people, leads and deals its page shows at once (the lists screens page through the rest). */
export const ACCOUNT_PAGE_ROWS = 200;

export type ActivityRollup = { type: string; count: number; last90Days: number; lastAt: Date };
export type AccountOverviewRows = {
  people: Contact[]; leads: Lead[]; opportunities: Opportunity[]; rollup: ActivityRollup[]; recent: Activity[];
  counts: { people: number; leads: number; opportunities: number };
};

/** Everything an account's page shows, one query per kind (the activity queries reach rows through activity_contact_time). */
export async function loadAccountOverview(db: DbOrTrx, ws: string, accountId: string, now: Date): Promise<AccountOverviewRows> {
  const members = db.selectFrom('contact').select('id').where('workspace_id', '=', ws).where('account_id', '=', accountId).where('status', '<>', 'merged');
  const since = new Date(now.getTime() - 90 * 86_400_000);
  const [people, leads, opportunities, rollup, recent, counts] = await Promise.all([
    db.selectFrom('contact').selectAll().where('workspace_id', '=', ws).where('account_id', '=', accountId).where('status', '<>', 'merged')
      .orderBy(sql`coalesce(latest_touch_at, '-infinity'::timestamptz)`, 'desc').orderBy('id', 'desc').limit(ACCOUNT_PAGE_ROWS).execute(),
    db.selectFrom('lead').selectAll().where('workspace_id', '=', ws).where('account_id', '=', accountId).orderBy('id', 'desc').limit(ACCOUNT_PAGE_ROWS).execute(),
    db.selectFrom('opportunity').selectAll().where('workspace_id', '=', ws).where('account_id', '=', accountId).orderBy('id', 'desc').limit(ACCOUNT_PAGE_ROWS).execute(),
    db.selectFrom('activity').where('workspace_id', '=', ws).where('contact_id', 'in', members)
      .select(['type', sql<string>`count(*)`.as('n'), sql<string>`count(*) FILTER (WHERE occurred_at >= ${since})`.as('recent'), sql<Date>`max(occurred_at)`.as('last_at')])
      .groupBy('type').orderBy(sql`count(*)`, 'desc').execute(),
    db.selectFrom('activity').selectAll().where('workspace_id', '=', ws).where('contact_id', 'in', members).orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(20).execute(),
    sql<{ people: string; leads: string; opportunities: string }>`SELECT
      (SELECT count(*) FROM contact WHERE workspace_id = ${ws} AND account_id = ${accountId} AND status <> 'merged') AS people,
      (SELECT count(*) FROM lead WHERE workspace_id = ${ws} AND account_id = ${accountId}) AS leads,
      (SELECT count(*) FROM opportunity WHERE workspace_id = ${ws} AND account_id = ${accountId}) AS opportunities`.execute(db),
  ]);
  const c = counts.rows[0]!;
  return {
    people: people.map(toContact), leads: leads.map(toLead), opportunities: opportunities.map(toOpportunity), recent: recent.map(toActivity),
    rollup: rollup.map((r) => ({ type: r.type, count: Number(r.n), last90Days: Number(r.recent), lastAt: new Date(r.last_at) })),
    counts: { people: Number(c.people), leads: Number(c.leads), opportunities: Number(c.opportunities) },
  };
}

export async function lockAccount(trx: Trx, ws: string, id: string): Promise<Account | null> {
  const row = await trx.selectFrom('account').selectAll().where('workspace_id', '=', ws).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toAccount(row) : null;
}

export async function setAccountOwner(trx: Trx, ws: string, id: string, ownerId: string | null, at: Date): Promise<Account> {
  const row = await trx.updateTable('account').set({ owner_id: ownerId, updated_at: at }).where('workspace_id', '=', ws).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toAccount(row);
}
