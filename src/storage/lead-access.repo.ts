import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';

/** Where each unowned lead waits: its latest assignment's queue and team (one query for a page of leads). */
export async function waitingOfLeads(db: DbOrTrx, workspaceId: string, leadIds: readonly string[]): Promise<Map<string, { queue: string | null; team: string | null }>> {
  if (leadIds.length === 0) return new Map();
  const rows = await sql<{ lead_id: string; queue: string | null; team: string | null }>`
    SELECT DISTINCT ON (lead_id) lead_id, queue, team FROM assignment
    WHERE workspace_id = ${workspaceId} AND lead_id = ANY(${[...leadIds]}::uuid[])
    ORDER BY lead_id, at DESC, id DESC`.execute(db);
  return new Map(rows.rows.map((r) => [r.lead_id, { queue: r.queue, team: r.team }]));
}
