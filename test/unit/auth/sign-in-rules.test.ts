import { describe, expect, it } from 'vitest';
import { ACCOUNT_THROTTLE, countAttempt, emptyThrottle, refundAttempt, type ThrottleState } from '../../../src/core/auth/login-throttle.rules.ts';
import { passwordProblem } from '../../../src/core/auth/password-policy.rules.ts';

describe('password policy', () => {
  it.each([
    ['a', 'too_short'], ['password123', 'too_short'], ['password1234', 'common'], ['Password1234', 'common'], ['qwerty123456', 'common'],
    ['aaaaaaaaaaaaaaaa', 'repetitive'], ['abababababababab', 'repetitive'], ['1234567890123', 'common'], ['qwertyuiopasd', 'repetitive'], ['1qaz2wsx3edc4r', 'repetitive'], ['zyxwvutsrq!!', 'repetitive'],
    ['Summer2026!!!', 'common'], ['correct horse battery staple', 'common'], ['x'.repeat(300), 'too_long'],
  ])('refuses %s (%s)', (password, code) => {
    expect(passwordProblem(password)?.code).toBe(code);
  });

  it('refuses a password built from the user\'s own email or name', () => {
    expect(passwordProblem('jane.doe2026!', { email: 'jane.doe@acme.test' })?.code).toBe('personal');
    expect(passwordProblem('leadloop2026!')?.code).toBe('personal');
  });

  it.each(['quiet-lantern-orbit-42', 'violet harbour tram', 'Tr0ub4dor&3-extended', 'meadow-circuit-lantern-3'])('accepts %s', (password) => {
    expect(passwordProblem(password, { email: 'jane@acme.test', name: 'Jane' })).toBeNull();
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblem('🔑🌲🚲🌊 fjord tide')).toBeNull();
    expect(passwordProblem('🔑🌲🚲🌊🎈🧭')?.code).toBe('too_short');
  });
});

describe('sign-in throttle', () => {
  const t0 = new Date('2026-03-02T09:00:00Z');
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  const attempts = (state: ThrottleState, n: number, start: number) => {
    let s = state;
    const answers: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const d = countAttempt(s, at(start + i), ACCOUNT_THROTTLE);
      answers.push(d.allowed);
      s = d.next;
    }
    return { state: s, answers };
  };

  it('allows ten attempts in a minute, refuses the eleventh with a one-minute lock that does not grow while refused', () => {
    const { state, answers } = attempts(emptyThrottle(t0), 11, 0);
    expect(answers).toEqual([...Array(10).fill(true), false]);
    expect(state.lockedUntil).toEqual(at(70));
    const during = countAttempt(state, at(30), ACCOUNT_THROTTLE);
    expect(during).toMatchObject({ allowed: false, retryAt: at(70), lockedNow: false });
    expect(during.next).toBe(state);
  });

  it('doubles each lockout within a day, up to an hour; a quiet day forgets them', () => {
    let s = emptyThrottle(t0);
    const locks: number[] = [];
    let clock = 0;
    for (let round = 0; round < 8; round++) {
      const r = attempts(s, 11, clock);
      s = r.state;
      locks.push((s.lockedUntil!.getTime() - at(clock + 10).getTime()) / 1000);
      clock = (s.lockedUntil!.getTime() - t0.getTime()) / 1000;
    }
    expect(locks).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
    const dayLater = attempts(s, 11, clock + 86_401);
    expect((dayLater.state.lockedUntil!.getTime() - at(clock + 86_401 + 10).getTime()) / 1000).toBe(60);
  });

  it('a new window starts a minute after the first attempt', () => {
    const first = attempts(emptyThrottle(t0), 10, 0);
    const later = attempts(first.state, 10, 61);
    expect(later.answers.every(Boolean)).toBe(true);
  });

  it('a refunded attempt (a success from that address) does not count', () => {
    const { state } = attempts(emptyThrottle(t0), 10, 0);
    expect(countAttempt(refundAttempt(state), at(20), ACCOUNT_THROTTLE).allowed).toBe(true);
  });
});
