import { sql, type RawBuilder } from 'kysely';

/**
 * A join giving `fa.first_activity`, the earliest activity of the contact of the report row `r`
 * (`r.contact_id`), from contact_first_activity, kept by triggers on activity (migration
 * 2026-12-07-10): one hash join, which PostgreSQL runs in parallel workers.
 */
export function firstActivityJoin(workspaceId: string): RawBuilder<unknown> {
  return sql`LEFT JOIN (SELECT f.contact_id, f.first_at AS first_activity FROM contact_first_activity f
    WHERE f.workspace_id = ${workspaceId}) fa ON fa.contact_id = r.contact_id`;
}

/**
 * The definition `firstActivityJoin` must equal: one probe of the activity history per row (what the
 * report ran before). Kept for the equivalence test (test/integration/contact-first-activity.test.ts,
 * which swaps it in); reports never use it.
 */
export function firstActivityJoinFromHistory(workspaceId: string): RawBuilder<unknown> {
  return sql`LEFT JOIN LATERAL (SELECT a.occurred_at AS first_activity FROM activity a
    WHERE a.workspace_id = ${workspaceId} AND a.contact_id = r.contact_id ORDER BY a.occurred_at LIMIT 1) fa ON true`;
}
