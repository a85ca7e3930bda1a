import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bucket } from "../../../durable-objects/rate-limit/bucket.ts";
import { clientKey } from "../../../durable-objects/rate-limit/client-key.ts";
import type { RateLimiter } from "../../../durable-objects/rate-limit/RateLimiter.ts";

// A per-minute bucket refills while a test sends the requests that drain it, by as much as the machine is slow. So
// the integration tests check the wiring against the stored bucket (which address, which scope, which limit) and
// empty it outright to see a refusal; the bucket's arithmetic has unit tests with an injected clock.

const HOUR_MS = 3_600_000;

/** The RateLimiter object of a bucket key: a client address's (clientKey), or a technician's for handshakes. */
function limiter(key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}

/** The key of the bucket of address `ip` (clientKey). */
function keyOf(ip: string): string {
  const key = clientKey(ip);
  if (key === null) throw new Error(`not an address: ${ip}`);
  return key;
}

/** The key of a technician's handshake budget, as the room names it. */
export function technicianKey(technicianId: string): string {
  return `technician:${technicianId}`;
}

/** The stored bucket of `scope` for the client address `ip`, or null before its first request. */
export function storedBucket(ip: string, scope: string): Promise<Bucket | null> {
  return storedBucketOf(keyOf(ip), scope);
}

/** The stored bucket of `scope` under the key `key` itself (see technicianKey), or null before its first hit. */
export function storedBucketOf(key: string, scope: string): Promise<Bucket | null> {
  return runInDurableObject(limiter(key), (_limiter: RateLimiter, state) => {
    const row = state.storage.sql
      .exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM buckets WHERE scope = ?", scope)
      .toArray()[0];
    return row ? { tokens: row.tokens, updatedAt: row.updated_at } : null;
  });
}

/**
 * Empties the bucket of `scope` for `ip` and dates it an hour ahead, so that nothing refills it before the next
 * request, however long that takes. A refused request re-dates it to its own time, so empty it again before each.
 */
export function emptyBucket(ip: string, scope: string): Promise<void> {
  return emptyBucketOf(keyOf(ip), scope);
}

/** emptyBucket under the key `key` itself. */
export function emptyBucketOf(key: string, scope: string): Promise<void> {
  return setBucketOf(key, scope, 0);
}

/**
 * Leaves exactly `tokens` in the bucket of `scope` under `key`, dated an hour ahead so that nothing refills it: the
 * next `tokens` requests pass and the one after is refused, however slowly they come.
 */
export function setBucketOf(key: string, scope: string, tokens: number): Promise<void> {
  return runInDurableObject(limiter(key), (_limiter: RateLimiter, state) => {
    state.storage.sql.exec(
      `INSERT INTO buckets (scope, tokens, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(scope) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
      scope,
      tokens,
      Date.now() + HOUR_MS,
    );
  });
}
