import { createMiddleware } from "hono/factory";
import { AppError } from "../errors.ts";
import { isAllowedOrigin } from "../site-origin.ts";
import type { AppEnv } from "../types.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuses state-changing requests and WebSocket upgrades whose Origin is not one of the site's own or allowed ones. */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const isUpgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (!SAFE_METHODS.has(c.req.method) || isUpgrade) {
    const origin = c.req.header("origin");
    if (!origin || !isAllowedOrigin(origin, c.req.url, c.get("config"))) {
      throw new AppError(
        "ORIGIN_NOT_ALLOWED",
        403,
        "This request must come from a Tether page on one of its origins (ALLOWED_ORIGINS, set by an admin).",
      );
    }
  }
  await next();
});
