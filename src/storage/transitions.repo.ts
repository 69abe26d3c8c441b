import type { Selectable } from 'kysely';
import type { Stage } from '../core/lifecycle.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { StageTransitionTable } from './schema.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

export type ActorType = 'user' | 'rule' | 'system' | 'api_key';
export type Actor = { type: ActorType; id: string | null };

export type StageTransition = {
  id: string; leadId: string; from: Stage | null; to: Stage; at: Date; actor: Actor; reasonCode: string | null;
  note: string | null; definitionId: string | null; isRecycle: boolean;
};

const toTransition = (r: Selectable<StageTransitionTable>): StageTransition => ({
  id: r.id, leadId: r.lead_id, from: r.from_stage as Stage | null, to: r.to_stage as Stage, at: r.at,
  actor: { type: r.actor_type as ActorType, id: r.actor_id }, reasonCode: r.reason_code, note: r.note,
  definitionId: r.definition_id, isRecycle: r.is_recycle,
});

export type NewTransition = Omit<StageTransition, 'id'>;

export async function insertTransition(trx: Trx, workspaceId: string, t: NewTransition): Promise<StageTransition> {
  return (await insertTransitions(trx, workspaceId, [t]))[0]!;
}

/** Several transitions in one statement (the statement-level summary triggers see them together), in the order given. */
export async function insertTransitions(trx: Trx, workspaceId: string, ts: readonly NewTransition[]): Promise<StageTransition[]> {
  if (ts.length === 0) return [];
  const rows = ts.map((t) => ({
    workspace_id: workspaceId, id: newId(t.at.getTime()), lead_id: t.leadId, from_stage: t.from, to_stage: t.to, at: t.at,
    actor_type: t.actor.type, actor_id: t.actor.id, reason_code: t.reasonCode, note: t.note, definition_id: t.definitionId,
    is_recycle: t.isRecycle,
  }));
  const byId = new Map((await trx.insertInto('stage_transition').values(rows).returningAll().execute()).map((r) => [r.id, toTransition(r)]));
  return rows.map((r) => byId.get(r.id)!);
}

export async function listTransitions(db: DbOrTrx, workspaceId: string, leadId: string): Promise<StageTransition[]> {
  const rows = await db.selectFrom('stage_transition').selectAll().where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId)
    .orderBy('at').orderBy('id').execute();
  return rows.map(toTransition);
}

export type Qualification = { leadId: string; at: Date; note: string | null; definitionId: string | null };

/** Each lead's latest move into MQL (why it is sales-ready), for a page of leads in one query. */
export async function latestQualifications(db: DbOrTrx, workspaceId: string, leadIds: readonly string[]): Promise<Map<string, Qualification>> {
  if (!leadIds.length) return new Map();
  const rows = await db.selectFrom('stage_transition').select(['lead_id', 'at', 'note', 'definition_id'])
    .distinctOn('lead_id')
    .where('workspace_id', '=', workspaceId).where('lead_id', 'in', [...leadIds]).where('to_stage', '=', 'mql')
    .orderBy('lead_id').orderBy('at', 'desc').orderBy('id', 'desc').execute();
  return new Map(rows.map((r) => [r.lead_id, { leadId: r.lead_id, at: r.at, note: r.note, definitionId: r.definition_id }]));
}

const transitionKeyset: Keyset<Selectable<StageTransitionTable>> = { id: 'id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'at', type: 'timestamptz' } };

/** A page of a lead's stage history, oldest first (by time, then id). */
export async function pageTransitions(db: DbOrTrx, workspaceId: string, leadId: string, page: PageRequest): Promise<Page<StageTransition>> {
  const q = db.selectFrom('stage_transition').selectAll().where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId);
  return keysetPage(await keysetQuery(q, transitionKeyset, page).execute(), transitionKeyset, page.limit, toTransition);
}
