import { describe, expect, it } from 'vitest';
import { storableIssues, toStorable, toStorableString } from '../../src/core/storable.rules.ts';

const deep = (n: number): unknown => { let v: unknown = 'leaf'; for (let i = 0; i < n; i++) v = { a: v }; return v; };

describe('storableIssues', () => {
  it('accepts ordinary data, emoji and other scripts included', () => {
    expect(storableIssues({ name: 'Zoë 🚀 東京', n: [1, 2.5, -3], ok: true, none: null, nested: { a: { b: 'c' } } })).toEqual([]);
  });

  it('names where a NUL is, in values and keys, and how to fix it', () => {
    expect(storableIssues({ a: { b: ['x', 'y\u0000z'] } }, { root: 'body' })).toEqual([
      { path: 'body.a.b[1]', message: expect.stringMatching(/NUL character \(\\u0000\) at position 1, which PostgreSQL cannot store\. Remove it/) },
    ]);
    const [keyIssue] = storableIssues({ 'bad\u0000key': 1 });
    expect(keyIssue!.path).toBe('["bad\\u0000key"]');
    expect(keyIssue!.message).toMatch(/the key "bad\\u0000key" contains a NUL.*Rename the key/);
  });

  it('finds unpaired surrogates but not pairs', () => {
    expect(storableIssues('ok \ud83d\ude80')).toEqual([]);
    expect(storableIssues({ t: 'cut \ud83d' })[0]).toMatchObject({ path: 't', message: expect.stringMatching(/unpaired UTF-16 surrogate \(\\ud83d\) at position 4/) });
    expect(storableIssues(['\ude80 alone'])[0]!.path).toBe('[0]');
  });

  it('bounds depth without recursion (100,000 levels do not overflow the stack)', () => {
    const issues = storableIssues({ p: deep(100_000) }, { root: 'body' });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(`body.p${'.a'.repeat(63)}`);
    expect(issues[0]!.message).toMatch(/nested deeper than 64 levels.*Flatten it/);
    expect(storableIssues(deep(64))).toEqual([]);
    expect(storableIssues(deep(65))).toHaveLength(1);
  });

  it('refuses non-finite numbers, prototype keys, over-long keys and strings, too many values', () => {
    expect(storableIssues({ n: Infinity })[0]!.message).toMatch(/out of range/);
    expect(storableIssues(JSON.parse('{"__proto__":{"x":1}}'))[0]).toMatchObject({ path: '__proto__', message: expect.stringMatching(/prototype/) });
    expect(storableIssues({ constructor: { prototype: { x: 1 } } })[0]!.path).toBe('constructor.prototype');
    expect(storableIssues({ constructor: 'fine' })).toEqual([]);
    expect(storableIssues({ ['k'.repeat(501)]: 1 })[0]!.message).toMatch(/501 characters long; the limit is 500\. Use a shorter key\.$/);
    expect(storableIssues('x'.repeat(20), { limits: { maxStringChars: 10 } })[0]!.message).toMatch(/20 characters long; the limit is 10\. Shorten it/);
    expect(storableIssues(Array(50).fill(1), { limits: { maxNodes: 10 } })[0]!.message).toMatch(/more than 10 values/);
  });

  it('reports at most 20 issues', () => {
    expect(storableIssues(Array(100).fill('\u0000'))).toHaveLength(20);
  });
});

describe('toStorable', () => {
  it('keeps what it can and makes the rest storable', () => {
    const cleaned = toStorable({ a: 'x\u0000y', b: 'cut \ud83d', n: -Infinity, ['k\u0000']: 1, d: deep(100) }) as Record<string, unknown>;
    expect(cleaned.a).toBe('x\uFFFDy');
    expect(cleaned.b).toBe('cut \uFFFD');
    expect(cleaned.n).toBe('-Infinity');
    expect(cleaned['k\uFFFD']).toBe(1);
    const json = JSON.stringify(cleaned);
    expect(json).toContain('[removed: nested deeper than 64 levels]');
    expect(storableIssues(JSON.parse(json))).toEqual([]);
  });

  it('keeps a __proto__ key as data without changing any prototype', () => {
    const cleaned = toStorable(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(JSON.stringify(cleaned)).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('cuts strings without leaving half a surrogate pair', () => {
    expect(toStorableString('ab🚀', 3)).toBe('ab\uFFFD');
  });
});
