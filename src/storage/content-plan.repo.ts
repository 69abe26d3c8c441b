import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';
import type { ContentPlanTable } from './schema-nurture.ts';

export type PlanStatus = 'idea' | 'planned' | 'in_progress' | 'published' | 'cancelled';
export type ContentPlan = {
  id: string; title: string; plannedOn: string; ownerId: string | null; ownerEmail: string | null; targetStage: string | null;
  targetPersona: string | null; targetTopic: string | null; status: PlanStatus; notes: string | null; createdAt: Date; updatedAt: Date;
};
const toPlan = (r: Selectable<ContentPlanTable> & { owner_email: string | null }): ContentPlan => ({
  id: r.id, title: r.title, plannedOn: r.planned_on, ownerId: r.owner_id, ownerEmail: r.owner_email, targetStage: r.target_stage,
  targetPersona: r.target_persona, targetTopic: r.target_topic, status: r.status as PlanStatus, notes: r.notes, createdAt: r.created_at, updatedAt: r.updated_at,
});

export type PlanFields = Omit<ContentPlan, 'id' | 'createdAt' | 'updatedAt' | 'ownerEmail'>;

const fieldsToRow = (p: Partial<PlanFields>) => {
  const row: Record<string, unknown> = {};
  const map: [keyof PlanFields, string][] = [['title', 'title'], ['plannedOn', 'planned_on'], ['ownerId', 'owner_id'], ['targetStage', 'target_stage'],
    ['targetPersona', 'target_persona'], ['targetTopic', 'target_topic'], ['status', 'status'], ['notes', 'notes']];
  for (const [k, col] of map) if (p[k] !== undefined) row[col] = p[k];
  return row;
};

function selectPlans(db: DbOrTrx, workspaceId: string) {
  return db.selectFrom('content_plan as p')
    .leftJoin('app_user as u', (j) => j.onRef('u.workspace_id', '=', 'p.workspace_id').onRef('u.id', '=', 'p.owner_id'))
    .selectAll('p').select('u.email as owner_email').where('p.workspace_id', '=', workspaceId);
}

export async function getPlan(db: DbOrTrx, workspaceId: string, id: string): Promise<ContentPlan | null> {
  const row = await selectPlans(db, workspaceId).where('p.id', '=', id).executeTakeFirst();
  return row ? toPlan(row) : null;
}

export async function insertPlan(db: DbOrTrx, workspaceId: string, p: PlanFields, at: Date): Promise<ContentPlan> {
  const id = newId(at.getTime());
  await db.insertInto('content_plan').values({ workspace_id: workspaceId, id, ...fieldsToRow(p), updated_at: at } as any).execute();
  return (await getPlan(db, workspaceId, id))!;
}

export async function updatePlan(db: DbOrTrx, workspaceId: string, id: string, p: Partial<PlanFields>, at: Date): Promise<ContentPlan | null> {
  const res = await db.updateTable('content_plan').set({ ...fieldsToRow(p), updated_at: at } as any).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return res.numUpdatedRows > 0n ? getPlan(db, workspaceId, id) : null;
}

export async function deletePlan(db: DbOrTrx, workspaceId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom('content_plan').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/** Planned assets in a date range (inclusive), by date: bounded to 5,000 entries per call. */
export async function listPlans(db: DbOrTrx, workspaceId: string, range: { from?: string; to?: string; status?: PlanStatus }): Promise<ContentPlan[]> {
  let q = selectPlans(db, workspaceId);
  if (range.from) q = q.where('p.planned_on', '>=', range.from);
  if (range.to) q = q.where('p.planned_on', '<=', range.to);
  if (range.status) q = q.where('p.status', '=', range.status);
  return (await q.orderBy('p.planned_on').orderBy('p.id').limit(5000).execute()).map(toPlan);
}

const planKeyset: Keyset<Selectable<ContentPlanTable>> = { id: 'p.id', idOf: (r) => r.id, direction: 'asc', sort: { column: 'p.planned_on', type: 'date' } };

/** A page of planned assets in a date range (inclusive), by date then id (keyset). */
export async function pagePlans(db: DbOrTrx, workspaceId: string, range: { from?: string; to?: string; status?: PlanStatus }, page: PageRequest): Promise<Page<ContentPlan>> {
  let q = selectPlans(db, workspaceId);
  if (range.from) q = q.where('p.planned_on', '>=', range.from);
  if (range.to) q = q.where('p.planned_on', '<=', range.to);
  if (range.status) q = q.where('p.status', '=', range.status);
  return keysetPage(await keysetQuery(q, planKeyset, page).execute(), planKeyset, page.limit, toPlan);
}
