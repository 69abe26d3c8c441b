import { calendarCsv, calendarIcs } from '../core/content/calendar-export.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { deletePlan, getPlan, insertPlan, listPlans, pagePlans, updatePlan, type ContentPlan, type PlanFields, type PlanStatus } from '../storage/content-plan.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import { getUser } from '../storage/users.repo.ts';
import { getWorkspace } from '../storage/workspaces.repo.ts';
import { checkBuyingStage } from './content-library.ts';
import type { AppDeps } from './context.ts';

async function validate(deps: AppDeps, workspaceId: string, p: Partial<PlanFields>): Promise<Result<null>> {
  const stage = await checkBuyingStage(deps.db, workspaceId, p.targetStage);
  if (!stage.ok) return fail(stage.code, stage.message, stage.details.map((d) => ({ ...d, path: 'target_stage' })));
  if (p.ownerId && !(await getUser(deps.db, workspaceId, p.ownerId))) return fail('ValidationFailed', `User ${p.ownerId} does not exist in this workspace.`, [{ path: 'owner_id', message: 'unknown user' }]);
  return ok(null);
}

/** The editorial calendar: planned assets with a date, an owner and a target stage/persona/topic. */
export async function createPlan(deps: AppDeps, workspaceId: string, p: PlanFields): Promise<Result<ContentPlan>> {
  const v = await validate(deps, workspaceId, p);
  return v.ok ? ok(await insertPlan(deps.db, workspaceId, p, deps.clock.now())) : v;
}

export async function changePlan(deps: AppDeps, workspaceId: string, id: string, p: Partial<PlanFields>): Promise<Result<ContentPlan>> {
  const v = await validate(deps, workspaceId, p);
  if (!v.ok) return v;
  const updated = await updatePlan(deps.db, workspaceId, id, p, deps.clock.now());
  return updated ? ok(updated) : fail('NotFound', `Calendar entry ${id} not found in this workspace.`);
}

export async function removePlan(deps: AppDeps, workspaceId: string, id: string): Promise<Result<{ id: string }>> {
  return (await deletePlan(deps.db, workspaceId, id)) ? ok({ id }) : fail('NotFound', `Calendar entry ${id} not found in this workspace.`);
}

export async function findPlan(deps: AppDeps, workspaceId: string, id: string): Promise<Result<ContentPlan>> {
  const p = await getPlan(deps.db, workspaceId, id);
  return p ? ok(p) : fail('NotFound', `Calendar entry ${id} not found in this workspace.`);
}

export type PlanRange = { from?: string; to?: string; status?: PlanStatus };

export async function plansOf(deps: AppDeps, workspaceId: string, range: PlanRange, page: PageRequest): Promise<Page<ContentPlan>> {
  return pagePlans(deps.db, workspaceId, range, page);
}

export async function calendarAsCsv(deps: AppDeps, workspaceId: string, range: PlanRange): Promise<string> {
  return calendarCsv(await listPlans(deps.db, workspaceId, range));
}

export async function calendarAsIcs(deps: AppDeps, workspaceId: string, range: PlanRange, uidDomain: string): Promise<string> {
  const ws = await getWorkspace(deps.db, workspaceId);
  return calendarIcs(await listPlans(deps.db, workspaceId, range), { now: deps.clock.now(), calendarName: `${ws?.name ?? 'Leadloop'} editorial calendar`, uidDomain });
}
