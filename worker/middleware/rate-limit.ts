import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { clientBuckets, clientKey } from "../../durable-objects/rate-limit/client-key.ts";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../types.ts";

/**
 * What a per-client budget counts. `lookup` is every request that names a session by its code (its info, its
 * WebSocket, its ICE servers): one budget, so that a second route never doubles the guesses. `heartbeat` is enrolled
 * machines' heartbeats, apart so that many machines behind one address never spend its people's budgets, and `line`
 * their agents' lines (re)opened, apart again so that a line reconnecting never costs a heartbeat.
 */
export type RateScope = "create" | "signin" | "lookup" | "heartbeat" | "line";

function noAddress(): AppError {
  return new AppError("BAD_REQUEST", 400, "Tether could not tell which address this request came from.");
}

/** The rate-limit key of the request's client (clientKey); refused when the host reports no valid address. */
export function requireClientKey(c: Context<AppEnv>): string {
  const key = clientKey(c.get("host").clientAddress(c.req.raw));
  if (key === null) throw noAddress();
  return key;
}

/**
 * Per-client limit, counted before anything else is touched in each of the client's buckets (client-key.ts: the
 * IPv4 address, or the IPv6 /64, /56 and /48 with their multiples of the limit): a RateLimiter object each on Workers.
 */
export function rateLimit(scope: RateScope, limit: (config: Config) => number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const host = c.get("host");
    const buckets = clientBuckets(host.clientAddress(c.req.raw));
    if (buckets === null) throw noAddress();
    const perMinute = limit(c.get("config"));
    const results = await Promise.all(buckets.map(({ key, scale }) => host.hit(key, scope, perMinute * scale)));
    const refused = results.filter((result) => !result.allowed);
    if (refused.length > 0) {
      log({ event: "rate_limited", scope });
      const waitS = Math.ceil(Math.max(...refused.map((result) => result.retryAfterMs)) / 1000);
      c.header("Retry-After", String(waitS));
      throw new AppError("RATE_LIMITED", 429, `Too many attempts from your network; try again in ${waitS} s.`);
    }
    await next();
  });
}
