import { fail, ok, type Result } from '../core/result.ts';
import { getContact } from '../storage/contacts.repo.ts';
import { getLead } from '../storage/leads.repo.ts';
import { insertTask, listTasks, lockTask, updateTask, type SalesTask, type TaskFilter } from '../storage/tasks.repo.ts';
import { getUser } from '../storage/users.repo.ts';
import type { AppDeps, Principal } from './context.ts';
import { inTransaction } from './transaction.ts';
import type { Page, PageRequest } from '../storage/page.ts';

/**
 * Sales follow-up tasks ("call back Tuesday 10:00"): a title, a due time and an owner, on a lead or
 * a contact. The inbox lists the signed-in rep's open tasks by due time. Tasks are a rep's own
 * to-do list, not part of the agreement, so they are not audit-logged.
 */
export type TaskInput = { leadId?: string | null; contactId?: string | null; title: string; dueAt: Date; ownerId?: string | null };

const managesOthers = (p: Principal) => p.role === 'admin' || p.role === 'sales_manager' || (p.kind === 'api_key' && p.permissions.has('admin'));

export async function createTask(deps: AppDeps, principal: Principal, input: TaskInput): Promise<Result<SalesTask>> {
  const ws = principal.workspaceId;
  if (!input.leadId && !input.contactId) return fail('ValidationFailed', 'A task needs a lead_id or a contact_id.', [{ path: 'body.lead_id', message: 'give lead_id or contact_id' }]);
  const ownerId = input.ownerId ?? principal.userId;
  if (!ownerId) return fail('ValidationFailed', 'An API key has no inbox: give owner_id.', [{ path: 'body.owner_id', message: 'required for API keys' }]);
  if (ownerId !== principal.userId && !managesOthers(principal)) {
    return fail('Forbidden', 'Only sales managers and admins give tasks to someone else.', [{ path: 'who_may', message: 'sales managers and admins' }]);
  }
  const owner = await getUser(deps.db, ws, ownerId);
  if (!owner || owner.disabledAt) return fail('ValidationFailed', `User ${ownerId} is not an active user of this workspace.`, [{ path: 'body.owner_id', message: 'unknown or disabled user' }]);
  return inTransaction(deps, async (trx) => {
    let contactId = input.contactId ?? null;
    if (input.leadId) {
      const lead = await getLead(trx, ws, input.leadId);
      if (!lead) return fail('ValidationFailed', `Lead ${input.leadId} not found in this workspace.`, [{ path: 'body.lead_id', message: 'unknown lead' }]);
      if (contactId && contactId !== lead.contactId) return fail('ValidationFailed', 'contact_id is not the contact of lead_id.', [{ path: 'body.contact_id', message: 'must be the lead\'s contact (or left out)' }]);
      contactId = lead.contactId;
    } else if (!(await getContact(trx, ws, contactId!))) {
      return fail('ValidationFailed', `Contact ${contactId} not found in this workspace.`, [{ path: 'body.contact_id', message: 'unknown contact' }]);
    }
    return ok(await insertTask(trx, ws, { contactId: contactId!, leadId: input.leadId ?? null, ownerId, title: input.title, dueAt: input.dueAt, createdBy: principal.userId }, deps.clock.now()));
  });
}

export type TaskPatch = { title?: string; dueAt?: Date; done?: boolean };

/** Done, reopened, renamed or moved to another time: by its owner, or a sales manager or admin. */
export async function changeTask(deps: AppDeps, principal: Principal, id: string, patch: TaskPatch): Promise<Result<SalesTask>> {
  const ws = principal.workspaceId;
  return inTransaction(deps, async (trx) => {
    const task = await lockTask(trx, ws, id);
    if (!task) return fail('NotFound', `Task ${id} not found in this workspace.`);
    if (task.ownerId !== principal.userId && !managesOthers(principal)) {
      return fail('Forbidden', 'Only the task\'s owner, sales managers and admins change a task.', [{ path: 'who_may', message: 'the owner, sales managers and admins' }]);
    }
    const doneAt = patch.done === undefined ? undefined : patch.done ? (task.doneAt ?? deps.clock.now()) : null;
    return ok(await updateTask(trx, ws, id, { title: patch.title, dueAt: patch.dueAt, doneAt }));
  });
}

export async function tasksOf(deps: AppDeps, workspaceId: string, filter: TaskFilter, page: PageRequest): Promise<Page<SalesTask>> {
  return listTasks(deps.db, workspaceId, filter, page);
}
