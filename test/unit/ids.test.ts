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
