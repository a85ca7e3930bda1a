import { createMiddleware } from "hono/factory";
import { AppError } from "../errors.ts";
import { isAllowedOrigin } from "../site-origin.ts";
import type { AppEnv } from "../types.ts";
import { bearerToken } from "./auth.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests and WebSocket upgrades whose Origin is not one of the site's own or allowed ones.
 * A request with an API token and no cookie is a helpdesk's server, not a browser carrying a sign-in: no page could
 * have sent it across sites (a custom Authorization header needs CORS, which this API never grants), so it needs no
 * Origin; the routes that take tokens check them.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const isUpgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const isTokenCall = !isUpgrade && c.req.header("cookie") === undefined && bearerToken(c) !== null;
  if ((!SAFE_METHODS.has(c.req.method) || isUpgrade) && !isTokenCall) {
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
