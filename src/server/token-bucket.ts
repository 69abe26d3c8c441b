/**
 * An in-memory token bucket per key (e.g. IP + asset): `capacity` requests at once, refilled at
 * `capacity` per `periodMs`. Per process, which is enough to blunt abuse of a public endpoint;
 * several server processes each allow their own budget.
 */
export function createTokenBucket(capacity: number, periodMs: number, maxKeys = 50_000) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = capacity / periodMs;
  return {
    /** Takes one token; answers false (and the ms until the next token) when the key is over its budget. */
    take(key: string, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
      const b = buckets.get(key) ?? { tokens: capacity, at: nowMs };
      b.tokens = Math.min(capacity, b.tokens + (nowMs - b.at) * ratePerMs);
      b.at = nowMs;
      if (buckets.size >= maxKeys && !buckets.has(key)) {
        // Bounded memory: forget the oldest keys (Map keeps insertion order).
        for (const k of [...buckets.keys()].slice(0, Math.ceil(maxKeys / 10))) buckets.delete(k);
      }
      buckets.delete(key);
      if (b.tokens < 1) {
        buckets.set(key, b);
        return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / ratePerMs) };
      }
      b.tokens -= 1;
      buckets.set(key, b);
      return { ok: true };
    },
  };
}
