import { describe, expect, it } from 'vitest';
import { independentSlices } from '../../src/app/demo/simulate.ts';
import type { DemoAccount, Person } from '../../src/app/demo/world.ts';

const account = (): DemoAccount => ({ written: true, fit: 1, employees: 10, people: [] } as unknown as DemoAccount);
const person = (id: string, acc: DemoAccount | null = null): Person => ({ id, account: acc } as unknown as Person);

describe('demo: requests sent side by side', () => {
  it('never puts two acts of one person or one company in the same slice, and keeps their order', () => {
    const acme = account();
    const [a, b, c, d] = [person('a', acme), person('b', acme), person('c'), person('d')];
    const acts = [a, c, a, d, b].map((p, i) => ({ person: p, i }));
    const slices = independentSlices(acts, 8);
    expect(slices.map((s) => s.map((x) => x.i))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('caps a slice at the concurrency', () => {
    const acts = Array.from({ length: 5 }, (_, i) => ({ person: person(`p${i}`), i }));
    expect(independentSlices(acts, 2).map((s) => s.length)).toEqual([2, 2, 1]);
  });
});
