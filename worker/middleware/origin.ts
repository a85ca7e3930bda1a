import { createMiddleware } from "hono/factory";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuses state-changing requests and WebSocket upgrades whose Origin is not this site or an allowed one. */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const isUpgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (!SAFE_METHODS.has(c.req.method) || isUpgrade) {
    const origin = c.req.header("origin");
    const own = new URL(c.req.url).origin;
    if (!origin || (origin !== own && !c.get("config").ALLOWED_ORIGINS.includes(origin))) {
      throw new AppError("ORIGIN_NOT_ALLOWED", 403, "This request must come from a Tether page on an allowed origin.");
    }
  }
  await next();
});
