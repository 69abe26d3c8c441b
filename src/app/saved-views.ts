import type { ListEntity } from '../core/lists.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { deleteSavedView, getSavedView, insertSavedView, listSavedViews, type SavedView } from '../storage/saved-views.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import type { AppDeps, Principal } from './context.ts';
import type { Page, PageRequest } from '../storage/page.ts';

export type { SavedView } from '../storage/saved-views.repo.ts';

/** A list's saved views the principal sees: everyone's and their team's (admins and machine keys: all). */
export async function savedViewsFor(deps: AppDeps, principal: Principal, entity: ListEntity, page: PageRequest): Promise<Page<SavedView>> {
  if (!principal.userId || principal.role === 'admin') return listSavedViews(deps.db, principal.workspaceId, entity, '*', page);
  const user = await getUser(deps.db, principal.workspaceId, principal.userId);
  return listSavedViews(deps.db, principal.workspaceId, entity, user?.team ?? null, page);
}

/**
 * Saves a list's filters under a name, shared with the creator's team (or, with `share: 'everyone'`
 * or for someone without a team, the whole workspace). `query` was validated by the caller.
 */
export async function saveView(deps: AppDeps, principal: Principal, input: { entity: ListEntity; name: string; query: string; share: 'team' | 'everyone' }): Promise<Result<SavedView>> {
  if (!principal.userId) return fail('Forbidden', 'Saved views belong to people; use a personal API key or the web app.', [{ path: 'who_may', message: 'a user' }]);
  const user = await getUser(deps.db, principal.workspaceId, principal.userId);
  const team = input.share === 'team' ? user?.team ?? null : null;
  try {
    return ok(await insertSavedView(deps.db, principal.workspaceId, { entity: input.entity, name: input.name, team, query: input.query, createdBy: principal.userId }));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A view named '${input.name}' already exists for ${team ? `team ${team}` : 'everyone'}; choose another name or delete that one first.`, [{ path: 'name', message: 'taken' }]);
    throw e;
  }
}

/** Deletes a view: its creator or an admin. */
export async function removeView(deps: AppDeps, principal: Principal, id: string): Promise<Result<void>> {
  const view = await getSavedView(deps.db, principal.workspaceId, id);
  if (!view) return fail('NotFound', `Saved view ${id} not found in this workspace.`);
  if (view.createdBy !== principal.userId && principal.role !== 'admin') {
    return fail('Forbidden', 'Only the person who saved this view or an admin may delete it.', [{ path: 'who_may', message: 'its creator or an admin' }]);
  }
  await deleteSavedView(deps.db, principal.workspaceId, id);
  return ok(undefined);
}
