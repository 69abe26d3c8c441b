import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';

export type StoredConsent = { id: string; consent: Record<string, unknown>; unsubscribedAt: Date | null };

/** The consent documents of contacts, row-locked (in id order) so a read-merge-write never loses a concurrent change. */
export async function lockContactConsents(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Map<string, StoredConsent>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('contact').select(['id', 'consent', 'unsubscribed_at'])
    .where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)].sort())
    .orderBy('id').forUpdate().execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, consent: r.consent as Record<string, unknown>, unsubscribedAt: r.unsubscribed_at }]));
}

/** Writes whole consent documents (computed by the core's `recordConsent`) and the unsubscribe mark, in one statement. */
export async function writeContactConsents(db: DbOrTrx, workspaceId: string, rows: readonly StoredConsent[]): Promise<void> {
  if (rows.length === 0) return;
  const data = rows.map((r) => ({ id: r.id, consent: r.consent, unsubscribed_at: r.unsubscribedAt?.toISOString() ?? null }));
  await sql`UPDATE contact c SET consent = t.consent, unsubscribed_at = t.unsubscribed_at, updated_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(data)}::jsonb) AS t(id uuid, consent jsonb, unsubscribed_at timestamptz)
    WHERE c.workspace_id = ${workspaceId} AND c.id = t.id AND c.id = ANY(${data.map((r) => r.id)}::uuid[])`.execute(db);
}

/** The tracking record of contacts that have one (the ingest path drops page views of people who refused tracking). */
export async function trackingConsents(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Map<string, unknown>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; tracking: unknown }>`SELECT id, consent->'tracking' AS tracking FROM contact
    WHERE workspace_id = ${workspaceId} AND id = ANY(${[...new Set(ids)]}::uuid[]) AND consent ? 'tracking'`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, { tracking: r.tracking }]));
}
