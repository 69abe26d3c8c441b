import { fail, ok, type Result } from '../../core/result.ts';
import { findPerson } from '../../storage/personal-data.repo.ts';
import { listConsentEvents, type ConsentEventRow } from '../../storage/privacy-consent.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

/** A contact's consent history (of the contact that absorbed it, when it was merged). */
export async function consentHistory(deps: AppDeps, workspaceId: string, contactId: string, page: PageRequest): Promise<Result<Page<ConsentEventRow>>> {
  const person = await findPerson(deps.db, workspaceId, contactId);
  if (!person) return fail('NotFound', `Contact ${contactId} does not exist in this workspace.`, [{ path: 'id', message: 'unknown contact' }]);
  return ok(await listConsentEvents(deps.db, workspaceId, person.rootId, page));
}
