import { readSource, type ReadSource } from '../storage/replica.repo.ts';
import type { AppDeps } from './context.ts';

export type { ReadSource };

/**
 * Which database a report read (REPORTS_DATABASE_URL's replica or the primary) and the replica's lag, asked
 * right after the report: a reader can tell how fresh the numbers are. Null when the server cannot say.
 */
export async function reportReadSource(deps: AppDeps): Promise<ReadSource | null> {
  try {
    return await readSource(deps.db);
  } catch {
    return null;
  }
}
