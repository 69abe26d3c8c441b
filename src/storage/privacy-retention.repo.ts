import { sql } from 'kysely';
import type { RetentionCutoffs } from '../core/privacy/retention.rules.ts';
import type { DbOrTrx, Trx } from './db.ts';

/** What a retention run deleted, per kind (counts only). */
export type RetentionCounts = {
  anonymous_activities: number; anonymous_contacts: number; dead_letters: number;
  webhook_deliveries: number; sync_logs: number; import_errors: number; consent_requests: number;
};

const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);

/**
 * Deletes what expired before each cut-off, in the caller's transaction (set-based, one statement per
 * kind). Anonymous visitors' activities go, then the anonymous visitors left without activity, lead,
 * deal role, enrollment, rating or folded-in contact (those whose last activity just went, and those never
 * active created before the cut-off: a visitor created a moment ago, whose first activity is not stored yet, stays). Unsubscribed contacts are erased by the app
 * (they are tombstoned like an erasure request), not here.
 */
export async function deleteExpired(trx: Trx, workspaceId: string, cut: RetentionCutoffs): Promise<RetentionCounts> {
  const out: RetentionCounts = { anonymous_activities: 0, anonymous_contacts: 0, dead_letters: 0, webhook_deliveries: 0, sync_logs: 0, import_errors: 0, consent_requests: 0 };
  if (cut.anonymous_activity_days) {
    const c = cut.anonymous_activity_days;
    const gone = await sql<{ contact_id: string }>`DELETE FROM activity a USING contact c
      WHERE a.workspace_id = ${workspaceId} AND c.workspace_id = ${workspaceId} AND c.id = a.contact_id AND c.status = 'anonymous'
        AND a.occurred_at < ${c} RETURNING a.contact_id`.execute(trx);
    out.anonymous_activities = gone.rows.length;
    const emptied = [...new Set(gone.rows.map((r) => r.contact_id))];
    // Visitors whose last activity just went, or never active and created before the cut-off.
    out.anonymous_contacts = n(await sql`DELETE FROM contact c
      WHERE c.workspace_id = ${workspaceId} AND c.status = 'anonymous' AND (c.id = ANY(${emptied}::uuid[]) OR c.created_at < ${c})
        AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.workspace_id = ${workspaceId} AND a.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM lead l WHERE l.workspace_id = ${workspaceId} AND l.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM opportunity_contact_role r WHERE r.workspace_id = ${workspaceId} AND r.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM nurture_enrollment e WHERE e.workspace_id = ${workspaceId} AND e.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM content_rating r WHERE r.workspace_id = ${workspaceId} AND r.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM nurture_send s WHERE s.workspace_id = ${workspaceId} AND s.contact_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM contact m WHERE m.workspace_id = ${workspaceId} AND m.merged_into_id = c.id)`.execute(trx));
  }
  if (cut.dead_letter_days) out.dead_letters = n(await sql`DELETE FROM dead_letter WHERE workspace_id = ${workspaceId} AND received_at < ${cut.dead_letter_days}`.execute(trx));
  if (cut.webhook_log_days) out.webhook_deliveries = n(await sql`DELETE FROM webhook_delivery WHERE workspace_id = ${workspaceId} AND at < ${cut.webhook_log_days}`.execute(trx));
  if (cut.sync_log_days) out.sync_logs = n(await sql`DELETE FROM crm_sync_log WHERE workspace_id = ${workspaceId} AND at < ${cut.sync_log_days}`.execute(trx));
  if (cut.import_error_days) {
    out.import_errors = n(await sql`DELETE FROM import_run_error e USING import_run r
      WHERE e.workspace_id = ${workspaceId} AND r.workspace_id = ${workspaceId} AND r.id = e.run_id AND coalesce(r.finished_at, r.started_at) < ${cut.import_error_days}`.execute(trx));
  }
  // Unconfirmed double opt-in requests whose link expired before the cut-off (confirmed ones stay: they prove the grant).
  if (cut.consent_request_days) {
    out.consent_requests = n(await sql`DELETE FROM consent_request WHERE workspace_id = ${workspaceId} AND confirmed_at IS NULL AND expires_at < ${cut.consent_request_days}`.execute(trx));
  }
  return out;
}

/** Contacts whose unsubscribe is older than the cut-off (at most `limit`, oldest first). */
export async function expiredUnsubscribed(db: DbOrTrx, workspaceId: string, cutoff: Date, limit: number): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM contact WHERE workspace_id = ${workspaceId} AND status = 'known'
    AND unsubscribed_at < ${cutoff} ORDER BY unsubscribed_at LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function workspaceIds(db: DbOrTrx): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM workspace ORDER BY id`.execute(db);
  return r.rows.map((x) => x.id);
}
