import { describe, expect, it } from 'vitest';
import { newId } from '../../src/storage/ids.ts';

describe('UUIDv7 ids', () => {
  it('keep write order within a millisecond even when ids of other times are minted in between', () => {
    for (let round = 0; round < 200; round++) {
      const at = 1_700_000_000_000 + round;
      const first = newId(at);
      newId(Date.now()); // e.g. an outbox event stamped with the wall clock
      const second = newId(at);
      newId(at - 86_400_000);
      const third = newId(at);
      expect([third, first, second].sort()).toEqual([first, second, third]);
    }
  });
});

describe('UUIDv7 ids under a fixed clock', () => {
  it('keep write order past 4,096 ids of one millisecond (an import stamps thousands of rows at its start)', () => {
    const at = 1_750_000_000_123;
    const ids = Array.from({ length: 20_000 }, () => newId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0]!, ids[4095]!, ids[4096]!, ids[19_999]!]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    }
  });

  it('start each millisecond at a random counter value (ids of two processes do not share a prefix order)', () => {
    const starts = new Set(Array.from({ length: 50 }, (_, k) => newId(1_760_000_000_000 + k * 1000).slice(15, 23)));
    expect(starts.size).toBeGreaterThan(45);
  });
});
