import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import './privacy-schema.ts';

export type ConsentRequest = {
  id: string; contactId: string; purpose: string; source: string; requestedAt: Date; expiresAt: Date;
  sentAt: Date | null; sendError: string | null; confirmedAt: Date | null;
};

const toRequest = (r: { id: string; contact_id: string; purpose: string; source: string; requested_at: Date; expires_at: Date; sent_at: Date | null; send_error: string | null; confirmed_at: Date | null }): ConsentRequest => ({
  id: r.id, contactId: r.contact_id, purpose: r.purpose, source: r.source, requestedAt: r.requested_at, expiresAt: r.expires_at,
  sentAt: r.sent_at, sendError: r.send_error, confirmedAt: r.confirmed_at,
});

/**
 * Opens a confirmation request for each contact that has no open one (unconfirmed, not expired at
 * `now`); answers the ids of the requests opened (one statement for all contacts).
 */
export async function openConsentRequests(db: DbOrTrx, workspaceId: string, rows: readonly { contactId: string; source: string }[], now: Date, expiresAt: Date): Promise<string[]> {
  if (rows.length === 0) return [];
  const r = await sql<{ id: string }>`INSERT INTO consent_request (workspace_id, id, contact_id, source, requested_at, expires_at)
    SELECT ${workspaceId}, t.id, t.contact_id, t.source, ${now}, ${expiresAt}
    FROM unnest(${rows.map(() => newId())}::uuid[], ${rows.map((x) => x.contactId)}::uuid[], ${rows.map((x) => x.source)}::text[]) AS t(id, contact_id, source)
    WHERE NOT EXISTS (SELECT 1 FROM consent_request o WHERE o.workspace_id = ${workspaceId} AND o.contact_id = t.contact_id
      AND o.confirmed_at IS NULL AND o.expires_at > ${now})
    RETURNING id`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function getConsentRequest(db: DbOrTrx, workspaceId: string, id: string): Promise<ConsentRequest | null> {
  const r = await sql<Parameters<typeof toRequest>[0]>`SELECT id, contact_id, purpose, source, requested_at, expires_at, sent_at, send_error, confirmed_at
    FROM consent_request WHERE workspace_id = ${workspaceId} AND id = ${id}`.execute(db);
  return r.rows[0] ? toRequest(r.rows[0]) : null;
}

/** The request row-locked (a double click confirms once). */
export async function lockConsentRequest(db: DbOrTrx, workspaceId: string, id: string): Promise<ConsentRequest | null> {
  const r = await sql<Parameters<typeof toRequest>[0]>`SELECT id, contact_id, purpose, source, requested_at, expires_at, sent_at, send_error, confirmed_at
    FROM consent_request WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`.execute(db);
  return r.rows[0] ? toRequest(r.rows[0]) : null;
}

export async function markConsentRequestConfirmed(db: DbOrTrx, workspaceId: string, id: string, at: Date): Promise<void> {
  await sql`UPDATE consent_request SET confirmed_at = ${at} WHERE workspace_id = ${workspaceId} AND id = ${id} AND confirmed_at IS NULL`.execute(db);
}

export async function markConsentRequestSent(db: DbOrTrx, workspaceId: string, id: string, result: { sentAt: Date } | { error: string }): Promise<void> {
  if ('sentAt' in result) await sql`UPDATE consent_request SET sent_at = ${result.sentAt}, send_error = NULL WHERE workspace_id = ${workspaceId} AND id = ${id}`.execute(db);
  else await sql`UPDATE consent_request SET send_error = ${result.error.slice(0, 500)} WHERE workspace_id = ${workspaceId} AND id = ${id}`.execute(db);
}
