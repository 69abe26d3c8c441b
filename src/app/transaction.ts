import type { Result } from '../core/result.ts';
import type { Trx } from '../storage/db.ts';
import type { AppDeps } from './context.ts';

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
