import { COMMON_PASSWORDS } from './common-passwords.ts';

/** What every password set in Leadloop must satisfy (CLI, API, reset, invite). NIST 800-63B style: length and a blocklist, no composition rules. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = { code: 'too_short' | 'too_long' | 'common' | 'repetitive' | 'personal'; message: string };

const KEYBOARD_RUNS = ['1234567890', '0987654321', 'qwertyuiopasdfghjklzxcvbnm', 'mnbvcxzlkjhgfdsapoiuytrewq', 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p'];

/** Length of the longest stretch of the password that is a run of neighbouring keys (or the alphabet). */
function longestRun(text: string): number {
  let best = 0;
  for (let i = 0; i < text.length; i++) {
    for (let j = text.length; j > i + best; j--) {
      const piece = text.slice(i, j);
      if (KEYBOARD_RUNS.some((run) => run.includes(piece))) {
        best = j - i;
        break;
      }
    }
  }
  return best;
}

/** The password without trailing digits and punctuation ("Summer2024!!" → "summer"). */
function stem(lower: string): string {
  return lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '');
}

/**
 * Why a password is refused, or null when it is acceptable. `context` names words the password
 * must not be built from (the account's email, the user's name, the product name).
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { code: 'too_short', message: `The password is ${length} characters long; use at least ${PASSWORD_MIN_LENGTH} (a few unrelated words make a good one).` };
  }
  if (length > PASSWORD_MAX_LENGTH) return { code: 'too_long', message: `The password is longer than ${PASSWORD_MAX_LENGTH} characters; use a shorter one.` };
  const lower = password.toLowerCase();
  const compact = lower.replace(/\s+/g, '');
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(compact)) {
    return { code: 'common', message: 'This password is on the list of the most common passwords; choose one nobody else uses.' };
  }
  if (new Set(compact).size <= 3) return { code: 'repetitive', message: 'The password repeats too few characters; choose one with more variety.' };
  const core = stem(compact);
  if (core.length < 8 && /^[a-z]*$/.test(core) && [...COMMON_PASSWORDS].some((p) => stem(p) === core && core.length > 0)) {
    return { code: 'common', message: 'This password is a common word padded with digits or symbols; choose one nobody else uses.' };
  }
  if (compact.length - longestRun(compact) <= 4) {
    return { code: 'repetitive', message: 'The password is a run of neighbouring keys; choose one nobody could guess.' };
  }
  const personal = [context.email?.split('@')[0], context.name, 'leadloop']
    .map((w) => w?.toLowerCase().replace(/[^a-z0-9]/g, '') ?? '')
    .filter((w) => w.length >= 3);
  const letters = compact.replace(/[^a-z0-9]/g, '');
  for (const word of personal) {
    // Built from the account's own name: the word plus at most four other characters.
    if (letters.includes(word) && letters.length - word.length <= 4) {
      return { code: 'personal', message: 'The password is built from your name, email or the product name; choose one others cannot guess from them.' };
    }
  }
  return null;
}
