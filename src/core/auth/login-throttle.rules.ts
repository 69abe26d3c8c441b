/**
 * Sign-in throttling, one pure rule for both keys (an account's email, a client address).
 *
 * Every attempt is counted before the password is checked (so a burst of parallel guesses cannot all
 * slip in before the first failure is recorded); a success clears the account's count. More than
 * `maxFailures` attempts inside one window lock the key; each further lockout within a day lasts twice
 * as long as the previous one (1 min, 2, 4 … up to 1 h for accounts). While locked, every attempt is
 * refused, the right password included, and the lock is not extended by the refused attempts.
 */
export type ThrottleState = {
  failures: number;
  windowStartedAt: Date;
  lockouts: number;
  lockedUntil: Date | null;
  lastFailureAt: Date | null;
};

export type ThrottlePolicy = { maxFailures: number; windowMs: number; firstLockoutMs: number; maxLockoutMs: number; forgetAfterMs: number };

export const ACCOUNT_THROTTLE: ThrottlePolicy = { maxFailures: 10, windowMs: 60_000, firstLockoutMs: 60_000, maxLockoutMs: 3_600_000, forgetAfterMs: 86_400_000 };
/** An address may try more accounts (an office behind one NAT), but not spray a whole user list. */
export const ADDRESS_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowMs: 60_000, firstLockoutMs: 60_000, maxLockoutMs: 3_600_000, forgetAfterMs: 86_400_000 };
/** Password-reset emails per account: a handful per hour, so nobody can flood a mailbox. */
export const RESET_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowMs: 3_600_000, firstLockoutMs: 3_600_000, maxLockoutMs: 86_400_000, forgetAfterMs: 86_400_000 };

export type AttemptDecision =
  | { allowed: true; next: ThrottleState }
  | { allowed: false; retryAt: Date; next: ThrottleState; lockedNow: boolean };

export const emptyThrottle = (now: Date): ThrottleState => ({ failures: 0, windowStartedAt: now, lockouts: 0, lockedUntil: null, lastFailureAt: null });

/** Counts one attempt; refuses while locked, and locks when the attempt exceeds the window's allowance. */
export function countAttempt(state: ThrottleState, now: Date, policy: ThrottlePolicy): AttemptDecision {
  if (state.lockedUntil && state.lockedUntil > now) return { allowed: false, retryAt: state.lockedUntil, next: state, lockedNow: false };
  const quiet = state.lastFailureAt && now.getTime() - state.lastFailureAt.getTime() > policy.forgetAfterMs;
  const lockouts = quiet ? 0 : state.lockouts;
  const windowOver = now.getTime() - state.windowStartedAt.getTime() >= policy.windowMs || (state.lockedUntil !== null && state.lockedUntil <= now);
  const failures = (windowOver ? 0 : state.failures) + 1;
  const windowStartedAt = windowOver ? now : state.windowStartedAt;
  if (failures > policy.maxFailures) {
    const duration = Math.min(policy.firstLockoutMs * 2 ** lockouts, policy.maxLockoutMs);
    const retryAt = new Date(now.getTime() + duration);
    return { allowed: false, retryAt, lockedNow: true, next: { failures: 0, windowStartedAt: now, lockouts: lockouts + 1, lockedUntil: retryAt, lastFailureAt: now } };
  }
  return { allowed: true, next: { failures, windowStartedAt, lockouts, lockedUntil: null, lastFailureAt: now } };
}

/** A successful sign-in forgets the account's failures (never the address's: one good account must not reset a spray). */
export function afterSuccess(now: Date): ThrottleState {
  return emptyThrottle(now);
}

/** Whole seconds until `retryAt`, at least 1 (the Retry-After header). */
export function retryAfterSeconds(retryAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
}

/** A successful attempt gives its address back the attempt it was counted for. */
export function refundAttempt(state: ThrottleState): ThrottleState {
  return { ...state, failures: Math.max(0, state.failures - 1) };
}
