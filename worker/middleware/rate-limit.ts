import { createMiddleware } from "hono/factory";
import { clientKey } from "../../durable-objects/rate-limit/client-key.ts";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../types.ts";

/** Per-IP limit, counted in that address's bucket (a RateLimiter object on Workers) before anything else is touched. */
export function rateLimit(scope: "create" | "signin" | "join" | "ice", limit: (config: Config) => number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = clientKey(c.get("host").clientAddress(c.req.raw));
    const result = await c.get("host").hit(key, scope, limit(c.get("config")));
    if (!result.allowed) {
      log({ event: "rate_limited", scope });
      c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
      throw new AppError(
        "RATE_LIMITED",
        429,
        `Too many attempts from your network; try again in ${Math.ceil(result.retryAfterMs / 1000)} s.`,
      );
    }
    await next();
  });
}
