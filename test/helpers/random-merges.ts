import { applyMerges } from '../../src/app/contact-merge.ts';
import type { Merge } from '../../src/core/identity-resolution.rules.ts';
import type { Db } from '../../src/storage/db.ts';

/**
 * Merges up to `tries` random pairs of these contacts in one transaction (each contact in one pair at most),
 * as identity resolution would: the loser's activities and leads move to the winner. Returns every contact
 * involved, so a test can leave them out of what it does next.
 */
export async function mergeRandomPairs(db: Db, workspaceId: string, contactIds: readonly string[], pick: <T>(xs: readonly T[]) => T, tries: number): Promise<Set<string>> {
  const merged = new Set<string>();
  const merges: Merge[] = [];
  for (let i = 0; i < tries; i++) {
    const [winner, loser] = [pick(contactIds), pick(contactIds)];
    if (winner === loser || merged.has(winner) || merged.has(loser)) continue;
    merged.add(winner).add(loser);
    merges.push({ winnerId: winner, loserId: loser, cause: 'test', messageId: null, via: 'test' });
  }
  await db.transaction().execute((trx) => applyMerges(trx, workspaceId, merges, new Date()));
  return merged;
}
