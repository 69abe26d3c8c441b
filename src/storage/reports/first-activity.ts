import { sql, type RawBuilder } from 'kysely';

/**
 * A join giving `fa.first_activity`, the earliest activity of the contact of the report row `r`
 * (`r.contact_id`): the lead row's copy `r.contact_first_at` (migration 2026-12-09-10, kept from
 * contact_first_activity by triggers), so no second table is read. The planner folds the one-column
 * subquery into the row; the join form stays so that the reference below can be swapped in.
 */
export function firstActivityJoin(_workspaceId: string): RawBuilder<unknown> {
  return sql`CROSS JOIN LATERAL (SELECT r.contact_first_at AS first_activity) fa`;
}

/**
 * The definition `firstActivityJoin` must equal: one probe of the activity history per row (what the
 * report ran before contact_first_activity existed). Kept for the equivalence test
 * (test/integration/contact-first-activity.test.ts, which swaps it in) and the benchmark; reports never use it.
 */
export function firstActivityJoinFromHistory(workspaceId: string): RawBuilder<unknown> {
  return sql`LEFT JOIN LATERAL (SELECT a.occurred_at AS first_activity FROM activity a
    WHERE a.workspace_id = ${workspaceId} AND a.contact_id = r.contact_id ORDER BY a.occurred_at LIMIT 1) fa ON true`;
}
