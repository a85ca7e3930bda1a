import { Hono } from "hono";
import * as z from "zod/mini";
import type { IceConfig } from "#protocol/ice.ts";
import { SessionCode } from "#protocol/room.ts";
import { findSession, isLive } from "../db/sessions.ts";
import { AppError } from "../errors.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { validate } from "../middleware/validate.ts";
import { mintIceConfig } from "../turn/ice-servers.ts";
import type { AppEnv } from "../types.ts";

/** ICE servers for a live session's participants: fetched when a page opens, refreshed before they expire. */
export const ice = new Hono<AppEnv>().get(
  "/:code/ice",
  validate("param", z.object({ code: SessionCode })),
  rateLimit("lookup", (c) => c.RATE_JOIN_PER_MIN),
  async (c) => {
    const { code } = c.req.valid("param");
    const now = Date.now();
    const row = await findSession(c.env.DB, code);
    if (!row) throw new AppError("SESSION_NOT_FOUND", 404, "There is no session with this code.");
    if (!isLive(row, now)) throw new AppError("SESSION_ENDED", 410, "This session has ended.");
    c.header("Cache-Control", "no-store");
    return c.json<IceConfig>(await mintIceConfig(c.env.DB, c.get("config"), code, row.expires_at, now));
  },
);
