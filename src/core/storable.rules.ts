/**
 * What PostgreSQL cannot store, and what we refuse before it reaches SQL or recursive code.
 *
 * - NUL (U+0000): text columns refuse it ("invalid byte sequence") and jsonb refuses the escape `\u0000`.
 * - Unpaired UTF-16 surrogates: JSON.stringify writes them as `\udXXX` escapes, which jsonb refuses.
 * - Nesting depth: JSON.stringify, zod and PostgreSQL's jsonb parser recurse; 5,000 levels broke them.
 * - Non-finite numbers: JSON.parse turns 1e999 into Infinity, which JSON.stringify silently writes as null.
 * - `__proto__` (and `constructor.prototype`) keys: copying them into an object changes its prototype.
 * The walk is iterative (an explicit stack), so a hostile depth never overflows our own stack.
 */

export type StorableIssue = { path: string; message: string };

export type StorableLimits = {
  /** Levels of objects/arrays; the value itself is level 0. */
  maxDepth: number;
  /** Characters of one string value. */
  maxStringChars: number;
  /** Characters of one object key. */
  maxKeyChars: number;
  /** Values (objects, arrays, scalars) in the whole document. */
  maxNodes: number;
};

export const STORABLE_LIMITS: StorableLimits = { maxDepth: 64, maxStringChars: 512 * 1024, maxKeyChars: 500, maxNodes: 200_000 };

/** Column ranges, as the schema declares them (integer, smallint, numeric(18,2)). */
export const COLUMN_RANGES = {
  int4: { min: -2_147_483_648, max: 2_147_483_647 },
  int2: { min: -32_768, max: 32_767 },
  // numeric(18,2): 16 digits before the point. Kept a little under so rounding to cents never overflows.
  money: { min: 0, max: 999_999_999_999_999 },
} as const;

const MAX_ISSUES = 20;
const REPLACEMENT = '\uFFFD';
// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const BAD_CHAR = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BAD_CHARS = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

type Node = { value: unknown; key: string | number | null; parent: Node | null; depth: number };

/** 'properties.a[0]["odd key"]' — keys are JSON-escaped, so a path is always printable and storable. */
export function pathOf(node: Node | null, root = ''): string {
  const parts: string[] = [];
  for (let n = node; n && n.key !== null; n = n.parent) {
    const k = n.key;
    parts.push(typeof k === 'number' ? `[${k}]` : PLAIN_KEY.test(k) ? `.${k}` : `[${JSON.stringify(k.slice(0, 60))}]`);
  }
  const joined = parts.reverse().join('');
  if (!root) return joined.startsWith('.') ? joined.slice(1) : joined;
  return root + joined;
}

const codeOf = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Why a text cannot be stored, or null. `what` is 'the value' or 'the key ...'. */
function textProblem(s: string, what: string, maxChars: number, fix: string): string | null {
  if (s.length > maxChars) return `${what} is ${s.length} characters long; the limit is ${maxChars}. ${fix}`;
  const m = BAD_CHAR.exec(s);
  if (!m) return null;
  if (m[0] === '\u0000') return `${what} contains a NUL character (\\u0000) at position ${m.index}, which PostgreSQL cannot store. Remove it (or replace it with a space).`;
  return `${what} contains an unpaired UTF-16 surrogate (${codeOf(m[0])}) at position ${m.index}: it is not valid Unicode (often an emoji cut in half). Send valid UTF-8 text.`;
}

/** Why one string cannot be stored in a text column, or null. */
export function stringProblem(s: string, maxChars = STORABLE_LIMITS.maxStringChars): string | null {
  return textProblem(s, 'the value', maxChars, 'Shorten it.');
}

/**
 * Every reason `value` cannot be stored as sent (at most 20), each with where (`root` + path) and how to fix it.
 * Example: storableIssues({ a: 'x\u0000' }, { root: 'body' }) → [{ path: 'body.a', message: 'the value contains a NUL ...' }].
 */
export function storableIssues(value: unknown, options: { root?: string; limits?: Partial<StorableLimits> } = {}): StorableIssue[] {
  const limits = { ...STORABLE_LIMITS, ...options.limits };
  const root = options.root ?? '';
  const issues: StorableIssue[] = [];
  const add = (node: Node, message: string) => { issues.push({ path: pathOf(node, root) || root || '(root)', message }); };
  const stack: Node[] = [{ value, key: null, parent: null, depth: 0 }];
  let nodes = 0;
  while (stack.length && issues.length < MAX_ISSUES) {
    const node = stack.pop()!;
    if (++nodes > limits.maxNodes) {
      add({ value: null, key: null, parent: null, depth: 0 }, `the document holds more than ${limits.maxNodes} values; send less data per request.`);
      break;
    }
    const v = node.value;
    if (typeof v === 'string') {
      const problem = stringProblem(v, limits.maxStringChars);
      if (problem) add(node, problem);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) add(node, `the number is out of range (${String(v)}; JSON numbers beyond ±1.7e308 overflow). Send a finite number.`);
    } else if (typeof v === 'bigint') {
      add(node, 'a bigint cannot be stored as JSON; send it as a string or a number.');
    } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      if (node.depth >= limits.maxDepth) {
        add(node, `the data is nested deeper than ${limits.maxDepth} levels of objects/arrays. Flatten it.`);
        continue;
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node, depth: node.depth + 1 });
        continue;
      }
      const parentKey = node.key;
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        const child: Node = { value: (v as Record<string, unknown>)[k], key: k, parent: node, depth: node.depth + 1 };
        const keyWhat = `the key ${JSON.stringify(k.slice(0, 60))}`;
        const problem = textProblem(k, keyWhat, limits.maxKeyChars, 'Use a shorter key.');
        if (problem) { add(child, k.length > limits.maxKeyChars ? problem : `${problem} Rename the key.`); continue; }
        if (k === '__proto__' || (k === 'prototype' && parentKey === 'constructor')) {
          add(child, `${keyWhat} is refused: copying it would change an object's prototype. Rename the key.`);
          continue;
        }
        stack.push(child);
      }
    }
  }
  return issues;
}

/** The string with NUL and unpaired surrogates replaced by U+FFFD, cut to `maxChars` (a pair cut in half becomes U+FFFD). */
export function toStorableString(s: string, maxChars = STORABLE_LIMITS.maxStringChars): string {
  let out = s.length > maxChars ? s.slice(0, maxChars) : s;
  out = out.replace(BAD_CHARS, REPLACEMENT);
  return out;
}

/**
 * A copy of `value` that PostgreSQL can store (for dead letters: keep what was sent, as close as possible).
 * Strings are cleaned, deeper levels and excess values replaced by a note, non-finite numbers become strings.
 * Recursion is bounded by maxDepth, so hostile depth cannot overflow the stack.
 */
export function toStorable(value: unknown, limits: StorableLimits = STORABLE_LIMITS): unknown {
  let budget = limits.maxNodes;
  const walk = (v: unknown, depth: number): unknown => {
    if (--budget < 0) return '[removed: too many values]';
    if (typeof v === 'string') return toStorableString(v, limits.maxStringChars);
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return v === undefined ? null : typeof v === 'boolean' ? v : String(v);
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (depth >= limits.maxDepth) return `[removed: nested deeper than ${limits.maxDepth} levels]`;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    // A null prototype: a key named "__proto__" stays an ordinary key.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) out[toStorableString(k, limits.maxKeyChars)] = walk((v as Record<string, unknown>)[k], depth + 1);
    return out;
  };
  return walk(value, 0);
}
