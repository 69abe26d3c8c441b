import type { Result } from '../core/result.ts';
import type { Trx } from '../storage/db.ts';
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

class Refusal extends Error {
  constructor(readonly result: Result<never>) { super('refused'); }
}

/**
 * Runs `work` in one transaction. When `work` answers a refusal (an expected failure), the
 * transaction is rolled back so that a failed request writes nothing partial.
 */
export async function inTransaction<T>(deps: AppDeps, work: (trx: Trx) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      if (!result.ok) throw new Refusal(result);
      return result;
    });
  } catch (e) {
    if (e instanceof Refusal) return e.result;
    throw e;
  }
}

/** Runs `work` in one transaction and answers its value; a thrown error rolls it back and propagates. */
export async function withTransaction<T>(deps: Pick<AppDeps, 'db'>, work: (trx: Trx) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(work);
}
