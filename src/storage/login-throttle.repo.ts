import type { ThrottleState } from '../core/auth/login-throttle.rules.ts';
import type { DbOrTrx } from './db.ts';
import './schema-sign-in.ts';

/**
 * Reads a throttle key's state under a row lock (creating the row), so concurrent attempts on one key
 * take turns. Call inside a transaction and write the next state with `saveThrottle`.
 */
export async function lockThrottle(trx: DbOrTrx, key: string, now: Date): Promise<ThrottleState> {
  await trx.insertInto('login_throttle').values({ key, failures: 0, window_started_at: now, lockouts: 0, locked_until: null, last_failure_at: null })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).forUpdate().executeTakeFirstOrThrow();
  return { failures: row.failures, windowStartedAt: row.window_started_at, lockouts: row.lockouts, lockedUntil: row.locked_until, lastFailureAt: row.last_failure_at };
}

export async function saveThrottle(trx: DbOrTrx, key: string, state: ThrottleState): Promise<void> {
  await trx.updateTable('login_throttle').set({
    failures: state.failures, window_started_at: state.windowStartedAt, lockouts: state.lockouts,
    locked_until: state.lockedUntil, last_failure_at: state.lastFailureAt,
  }).where('key', '=', key).execute();
}

/** Rows nobody has failed on for a day carry no state worth keeping. */
export async function deleteStaleThrottles(db: DbOrTrx, before: Date): Promise<number> {
  const result = await db.deleteFrom('login_throttle')
    .where((eb) => eb.or([eb('last_failure_at', 'is', null), eb('last_failure_at', '<', before)]))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
