import { randomBytes, randomFillSync } from 'node:crypto';

// Monotonic within one millisecond (RFC 9562 §6.2, method 1: a dedicated counter, here 26 bits: the
// 12 bits of rand_a and the first 14 bits of rand_b after the variant), so that rows written in the
// same millisecond, e.g. a lead's stage changes, still sort in write order. A 12-bit counter wrapped
// after 4,096 ids of one millisecond and restarted at random, which reordered ids minted under a
// fixed clock (an import's score events and stage changes all stamped at its start); a counter that
// starts at a random value below 2^25 counts at least 33 million ids in one millisecond, and should
// even that run out, the millisecond's count restarts at 0 (the order is lost only past that).
// The counter is kept per recent millisecond, not only for the last one: historical rows get ids at
// their event time, and an id minted at another time in between (an outbox event at the wall clock)
// must not restart the count at random — that reordered a lead's inquiry and MQL of one instant.
const counters = new Map<number, number>();
const rememberedMilliseconds = 4096;
const COUNTER_MAX = 0x3ffffff; // 26 bits
const COUNTER_START = 0x1ffffff; // a random start is at most this: room for 2^25 more in the millisecond

// Random bytes are drawn from the CSPRNG 8 KB at a time (as crypto.randomUUID caches its entropy):
// one randomBytes(16) call per id was ~7% of the ingestion server's CPU (two ids per event).
const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const POOL_BYTES = 16 * 512;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

/**
 * UUIDv7 (RFC 9562): time-ordered, so ids double as stable cursor keys and keep B-tree inserts
 * append-mostly on the hot ingestion path. PostgreSQL 17 has no uuidv7(), so we mint them here.
 * Pass the event time to make ids of historical rows sort by when things happened.
 * Layout: 48-bit unix ms, version 7, 26-bit counter (rand_a + 14 bits of rand_b), variant, 48 random bits.
 */
export function newId(nowMs: number = Date.now()): string {
  if (poolOffset === POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += 16;
  const previous = counters.get(nowMs);
  const counter = previous === undefined ? ((pool[r + 6]! << 17) | (pool[r + 7]! << 9) | (pool[r + 8]! << 1) | (pool[r + 9]! >> 7)) & COUNTER_START
    : previous < COUNTER_MAX ? previous + 1 : 0;
  if (previous === undefined && counters.size >= rememberedMilliseconds) counters.delete(counters.keys().next().value!);
  counters.set(nowMs, counter);
  const hi = Math.floor(nowMs / 0x10000);
  const lo = nowMs & 0xffff;
  const randA = counter >>> 14; // 12 bits
  const randB = counter & 0x3fff; // 14 bits after the variant
  return `${hexByte[(hi >>> 24) & 0xff]}${hexByte[(hi >>> 16) & 0xff]}${hexByte[(hi >>> 8) & 0xff]}${hexByte[hi & 0xff]}-`
    + `${hexByte[lo >>> 8]}${hexByte[lo & 0xff]}-${hexByte[0x70 | (randA >>> 8)]}${hexByte[randA & 0xff]}-`
    + `${hexByte[0x80 | (randB >>> 8)]}${hexByte[randB & 0xff]}-${hexByte[pool[r + 10]!]}${hexByte[pool[r + 11]!]}`
    + `${hexByte[pool[r + 12]!]}${hexByte[pool[r + 13]!]}${hexByte[pool[r + 14]!]}${hexByte[pool[r + 15]!]}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}


/**
 * A fast UUIDv7 source for bulk work (the demo generator mints millions): one random salt per
 * minter plus a counter (RFC 9562 §6.2 method 1) instead of 10 fresh random bytes per id, which
 * makes it ~20× cheaper than newId. Unique within a minter by the counter, across minters by
 * the 42-bit salt.
 */
export function createIdMinter(): (ms: number) => string {
  const salt = randomBytes(6);
  const randA = ((salt[0]! & 0x0f) << 8) | salt[1]!;
  const saltB = `${hexByte[(salt[2]! & 0x3f) | 0x80]}${hexByte[salt[3]!]}-${hexByte[salt[4]!]}${hexByte[salt[5]!]}`;
  const versionPart = `7${(randA >> 8).toString(16)}${hexByte[randA & 0xff]}`;
  let counter = 0;
  return (ms: number) => {
    counter = (counter + 1) >>> 0;
    const hi = Math.floor(ms / 0x10000);
    const lo = ms & 0xffff;
    const c = counter;
    return `${hexByte[(hi >>> 24) & 0xff]}${hexByte[(hi >>> 16) & 0xff]}${hexByte[(hi >>> 8) & 0xff]}${hexByte[hi & 0xff]}-`
      + `${hexByte[lo >>> 8]}${hexByte[lo & 0xff]}-${versionPart}-${saltB}`
      + `${hexByte[(c >>> 24) & 0xff]}${hexByte[(c >>> 16) & 0xff]}${hexByte[(c >>> 8) & 0xff]}${hexByte[c & 0xff]}`;
  };
}
