import { deleteExpiredSessions } from '../storage/sessions.repo.ts';
import { refreshContactTouches, workspacesWithQueuedTouches } from '../storage/reports/contact-touches.repo.ts';
import type { AppDeps } from './context.ts';

export async function purgeExpiredSessions(deps: AppDeps): Promise<number> {
  return deleteExpiredSessions(deps.db, deps.clock.now());
}

/**
 * Drains every workspace's contact-touch queue (attribution's per-contact summary): a report drains it too, but a
 * workspace that ingests without opening attribution would otherwise grow the queue, and its first report after a
 * bulk load would pay the whole rebuild. Returns the contacts rebuilt per workspace that had any.
 */
export async function refreshTouchSummaries(deps: AppDeps): Promise<{ workspaceId: string; contacts: number }[]> {
  const done: { workspaceId: string; contacts: number }[] = [];
  for (const workspaceId of await workspacesWithQueuedTouches(deps.db)) {
    done.push({ workspaceId, contacts: await refreshContactTouches(deps.db, workspaceId) });
  }
  return done;
}
