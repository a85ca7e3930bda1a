import { type Bucket, perMinute, REFILL_MS, take } from "../../durable-objects/rate-limit/bucket.ts";

/**
 * The Deno host's per-address rate limits: the same token buckets (bucket.ts) as the RateLimiter objects, kept in
 * this process's memory. A restart forgets them, which errs towards letting people in.
 */
export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private prunedAt = 0;

  /** Takes one token from the bucket of `scope` for address `key`. */
  hit(
    key: string,
    scope: string,
    limitPerMinute: number,
    now = Date.now(),
  ): { allowed: boolean; retryAfterMs: number } {
    this.prune(now);
    const id = `${scope} ${key}`;
    const result = take(this.buckets.get(id), perMinute(limitPerMinute), now);
    this.buckets.set(id, result.bucket);
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  }

  /** How many buckets are held. */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that have refilled completely (at most once a minute), so memory follows recent traffic only. */
  private prune(now: number): void {
    if (now - this.prunedAt < REFILL_MS) return;
    this.prunedAt = now;
    for (const [id, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= REFILL_MS) this.buckets.delete(id);
    }
  }
}
