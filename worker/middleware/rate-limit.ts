import { createMiddleware } from "hono/factory";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../types.ts";

/** The address a limit applies to: the client IP, or its /64 for IPv6 (one subscriber usually holds a whole /64). */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** Per-IP limit, counted in that address's RateLimiter object before anything else is touched. */
export function rateLimit(scope: "create" | "signin" | "join", limit: (config: Config) => number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = clientKey(c.req.header("cf-connecting-ip"));
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(key));
    const result = await stub.hit(scope, limit(c.get("config")));
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
