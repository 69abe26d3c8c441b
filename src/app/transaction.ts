import type { Result } from '../core/result.ts';
import type { Trx } from '../storage/db.ts';
import { pgErrorCode } from '../storage/errors.ts';
import type { AppDeps } from './context.ts';

/*
 * One transaction style (ARCHITECTURE.md, "Transactions"):
 * - A use case (`verb(deps, workspaceId, …)`) opens its transaction with `inTransaction` when it
 *   answers a Result (a refusal rolls everything back), or `withTransaction` when it answers a plain
 *   value (only a thrown error rolls back). Nothing else in src/app calls `db.transaction()`.
 * - The work inside is done by `*InTrx(trx, workspaceId, …)` functions: they never open or commit a
 *   transaction, take the caller's `trx`, and may be composed freely (a merge disqualifies a lead,
 *   a deal walks its leads); domain events they publish run their subscribers in that same `trx`.
 *   A use case with an `*InTrx` twin is just `inTransaction(deps, (trx) => verbInTrx(trx, …))` plus
 *   the checks that need no transaction.
 */

/**
 * PostgreSQL's answers that mean "this transaction lost a race, run it again": a deadlock (40P01, one of the
 * two waiters is cancelled after deadlock_timeout) and a serialization failure (40001). Writers lock shared rows
 * in key order, so these are rare, but not impossible (an import chunk and live ingest both lock contacts and
 * their leads, reached through different tables). Without a retry the request answered 500 and the client had to
 * run it again, or an import stopped half-way; here the transaction runs again in-process. Safe because what a failed
 * attempt wrote is rolled back, and jobs and webhooks are rows in the same transaction (ARCHITECTURE.md, "Domain events,
 * jobs and transactions"). The few that call out while holding their transaction (a nurture tick sends its email under
 * the enrollment's lock) would send again after a rollback whoever ran them again: the job's own retry did before.
 */
const RETRYABLE: Record<string, 'deadlock' | 'serialization'> = { '40P01': 'deadlock', '40001': 'serialization' };
const ATTEMPTS = 4;

/** Transactions run again after a deadlock or a serialization failure since the process started (`/metrics`). */
export const transactionRetries: Record<'deadlock' | 'serialization', number> = { deadlock: 0, serialization: 0 };


/**
 * Runs `attempt` (one whole transaction) and runs it again, up to four times in all, when PostgreSQL cancelled it
 * as a deadlock victim or a serialization failure; any other error, or the last attempt's, propagates.
 */
async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const code = pgErrorCode(e);
      const kind = code ? RETRYABLE[code] : undefined;
      if (!kind || n >= ATTEMPTS) throw e;
      transactionRetries[kind]++;
      // The other side holds its locks until it commits: give it a moment (5, 10, 20 ms) instead of meeting it again.
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** (n - 1)));
    }
  }
}

class Refusal extends Error {
  constructor(readonly result: Result<never>) { super('refused'); }
}

/**
 * Runs `work` in one transaction. When `work` answers a refusal (an expected failure), the
 * transaction is rolled back so that a failed request writes nothing partial. A deadlock or serialization
 * failure runs it again (retryingConflicts).
 */
export async function inTransaction<T>(deps: AppDeps, work: (trx: Trx) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await retryingConflicts(() => deps.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      if (!result.ok) throw new Refusal(result);
      return result;
    }));
  } catch (e) {
    if (e instanceof Refusal) return e.result;
    throw e;
  }
}

/**
 * Runs `work` in one transaction and answers its value; a thrown error rolls it back and propagates (a deadlock or
 * serialization failure first runs it again, see retryingConflicts).
 */
export async function withTransaction<T>(deps: Pick<AppDeps, 'db'>, work: (trx: Trx) => Promise<T>): Promise<T> {
  return retryingConflicts(() => deps.db.transaction().execute(work));
}
