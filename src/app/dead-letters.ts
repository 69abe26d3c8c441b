import { listDeadLetters, type DeadLetter } from '../storage/dead-letters.repo.ts';
import type { Page, PageRequest } from '../storage/page.ts';
import type { AppDeps } from './context.ts';

/** Events refused by ingestion, newest first, with the reason: nothing disappears silently. */
export async function listIngestErrors(deps: AppDeps, workspaceId: string, filter: { reason?: string }, page: PageRequest): Promise<Page<DeadLetter>> {
  return listDeadLetters(deps.db, workspaceId, filter, page);
}
