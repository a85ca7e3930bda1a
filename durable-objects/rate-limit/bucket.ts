/** A token bucket's state: tokens left and when it was last refilled (ms). */
export type Bucket = { tokens: number; updatedAt: number };

/** Capacity is the burst; refill is tokens per second. */
export type BucketLimit = { capacity: number; refillPerSecond: number };

export type TakeResult = { allowed: boolean; bucket: Bucket; retryAfterMs: number };

/** Refills by elapsed time, then takes one token if there is one. Pure: `now` comes in. */
export function take(bucket: Bucket | undefined, limit: BucketLimit, now: number): TakeResult {
  const start = bucket ?? { tokens: limit.capacity, updatedAt: now };
  const elapsed = Math.max(0, now - start.updatedAt);
  const tokens = Math.min(limit.capacity, start.tokens + (elapsed * limit.refillPerSecond) / 1000);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, updatedAt: now }, retryAfterMs: 0 };
  const retryAfterMs = Math.ceil(((1 - tokens) * 1000) / limit.refillPerSecond);
  return { allowed: false, bucket: { tokens, updatedAt: now }, retryAfterMs };
}

/** The limit for "N per minute, bursting to N". */
export function perMinute(n: number): BucketLimit {
  return { capacity: n, refillPerSecond: n / 60 };
}

/** A per-minute bucket is full again at most this long after its last use, whatever its limit. */
export const REFILL_MS = 60_000;

/**
 * What to do with a client's buckets, last used at `lastUsedAt` (null: none kept): delete them all once every one is
 * full again (a full bucket is the same as none), or look again when they will be.
 */
export function sweepBuckets(
  lastUsedAt: number | null,
  now: number,
): { action: "delete" } | { action: "wait"; until: number } {
  if (lastUsedAt === null || now >= lastUsedAt + REFILL_MS) return { action: "delete" };
  return { action: "wait", until: lastUsedAt + REFILL_MS };
}
