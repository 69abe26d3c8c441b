import { listRejectionNotes, type RejectionNote } from '../../storage/rejection-notes.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

/** What sales said when they sent leads back (the rejections review screen): newest first, within a window. */
export async function rejectionNotes(deps: AppDeps, workspaceId: string, window: { from: Date; to: Date }, options: { withNoteOnly?: boolean }, page: PageRequest): Promise<Page<RejectionNote>> {
  return listRejectionNotes(deps.db, workspaceId, window, { withNoteOnly: options.withNoteOnly ?? false }, { limit: Math.min(page.limit, 1000), cursor: page.cursor });
}
