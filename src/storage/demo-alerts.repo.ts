import { sql } from 'kysely';
import { salesTouchTypes } from '../core/activity.ts';
import type { DbOrTrx } from './db.ts';

/**
 * The demo lives a year on a simulated clock, and nobody reads its alerts as it goes: a rep opened the
 * demo to a year of unread "new lead" and "SLA reminder" alerts about leads long accepted, closed or
 * reassigned, while the inbox showed them nothing waiting. A real rep reads an alert when they act on
 * its lead, so each alert is marked read at the first thing that happened to its lead after it: a stage
 * move, an owner change, or a sales touch. Alerts whose lead has not moved since stay unread (those are
 * the ones the inbox still shows as waiting). Answers how many alerts were marked read.
 */
export async function markDemoAlertsReadWhenActedOn(db: DbOrTrx, workspaceId: string): Promise<number> {
  const result = await sql`
    UPDATE alert a SET read_at = acted.at
    FROM (
      SELECT al.id, least(
        (SELECT min(t.at) FROM stage_transition t WHERE t.workspace_id = al.workspace_id AND t.lead_id = al.lead_id AND t.at > al.created_at),
        (SELECT min(s.at) FROM assignment s WHERE s.workspace_id = al.workspace_id AND s.lead_id = al.lead_id AND s.at > al.created_at),
        (SELECT min(act.occurred_at) FROM lead l JOIN activity act ON act.workspace_id = l.workspace_id AND act.contact_id = l.contact_id
          WHERE l.workspace_id = al.workspace_id AND l.id = al.lead_id AND act.occurred_at > al.created_at
            AND act.type = ANY(${[...salesTouchTypes]}::text[]))
      ) AS at
      FROM alert al
      WHERE al.workspace_id = ${workspaceId} AND al.read_at IS NULL
    ) acted
    WHERE a.workspace_id = ${workspaceId} AND a.id = acted.id AND acted.at IS NOT NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
