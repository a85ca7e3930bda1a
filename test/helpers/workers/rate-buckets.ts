import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bucket } from "../../../durable-objects/rate-limit/bucket.ts";
import { clientKey } from "../../../durable-objects/rate-limit/client-key.ts";
import type { RateLimiter } from "../../../durable-objects/rate-limit/RateLimiter.ts";

// A per-minute bucket refills while a test sends the requests that drain it, by as much as the machine is slow. So
// the integration tests check the wiring against the stored bucket (which address, which scope, which limit) and
// empty it outright to see a refusal; the bucket's arithmetic has unit tests with an injected clock.

const HOUR_MS = 3_600_000;

function limiter(ip: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(clientKey(ip)));
}

/** The stored bucket of `scope` for the client address `ip`, or null before its first request. */
export function storedBucket(ip: string, scope: string): Promise<Bucket | null> {
  return runInDurableObject(limiter(ip), (_limiter: RateLimiter, state) => {
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
  return runInDurableObject(limiter(ip), (_limiter: RateLimiter, state) => {
    state.storage.sql.exec(
      `INSERT INTO buckets (scope, tokens, updated_at) VALUES (?, 0, ?)
       ON CONFLICT(scope) DO UPDATE SET tokens = 0, updated_at = excluded.updated_at`,
      scope,
      Date.now() + HOUR_MS,
    );
  });
}
