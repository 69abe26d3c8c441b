import { deleteExpiredSessions } from '../storage/sessions.repo.ts';
import type { AppDeps } from './context.ts';

export async function purgeExpiredSessions(deps: AppDeps): Promise<number> {
  return deleteExpiredSessions(deps.db, deps.clock.now());
}
