import type { Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { AssignmentTable } from './schema-handoff.ts';
import type { Actor, ActorType } from './transitions.repo.ts';

/** Why a lead has its owner: the rule that chose them (or the manager / escalation / recycle that moved it). */
export type Assignment = {
  id: string; leadId: string; ownerId: string | null; previousOwnerId: string | null; queue: string | null; team: string | null;
  ruleIndex: number | null; ruleKind: string; explanation: string; trace: string[]; routingVersion: number | null;
  actor: Actor; note: string | null; at: Date;
};

const toAssignment = (r: Selectable<AssignmentTable>): Assignment => ({
  id: r.id, leadId: r.lead_id, ownerId: r.owner_id, previousOwnerId: r.previous_owner_id, queue: r.queue, team: r.team,
  ruleIndex: r.rule_index, ruleKind: r.rule_kind, explanation: r.explanation, trace: r.trace, routingVersion: r.routing_version,
  actor: { type: r.actor_type as ActorType, id: r.actor_id }, note: r.note, at: r.at,
});

export async function insertAssignment(trx: Trx, workspaceId: string, a: Omit<Assignment, 'id'>): Promise<Assignment> {
  const row = await trx.insertInto('assignment').values({
    workspace_id: workspaceId, id: newId(a.at.getTime()), lead_id: a.leadId, owner_id: a.ownerId, previous_owner_id: a.previousOwnerId,
    queue: a.queue, team: a.team, rule_index: a.ruleIndex, rule_kind: a.ruleKind, explanation: a.explanation,
    trace: JSON.stringify(a.trace), routing_version: a.routingVersion, actor_type: a.actor.type, actor_id: a.actor.id, note: a.note, at: a.at,
  }).returningAll().executeTakeFirstOrThrow();
  return toAssignment(row);
}

export async function listAssignments(db: DbOrTrx, workspaceId: string, leadId: string): Promise<Assignment[]> {
  const rows = await db.selectFrom('assignment').selectAll().where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId)
    .orderBy('at').orderBy('id').execute();
  return rows.map(toAssignment);
}

export async function lastAssignment(db: DbOrTrx, workspaceId: string, leadId: string): Promise<Assignment | null> {
  const row = await db.selectFrom('assignment').selectAll().where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId)
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toAssignment(row) : null;
}
