import { Hono } from "hono";
import * as z from "zod/mini";
import type { IceConfig } from "#protocol/ice.ts";
import { SessionCode } from "#protocol/room.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { participantAccess } from "../middleware/session-access.ts";
import { validate } from "../middleware/validate.ts";
import { mintIceConfig } from "../turn/ice-servers.ts";
import type { AppEnv } from "../types.ts";

/**
 * ICE servers for a live session's participants (its customer's page with its seat proof, or a signed-in
 * technician): fetched when a page opens, refreshed before they expire. Anyone else gets the same answer for every
 * code, charged to the same lookup budget.
 */
export const ice = new Hono<AppEnv>().get(
  "/:code/ice",
  validate("param", z.object({ code: SessionCode })),
  rateLimit("lookup", (c) => c.RATE_JOIN_PER_MIN),
  async (c) => {
    const { code } = c.req.valid("param");
    const row = await participantAccess(c, code);
    c.header("Cache-Control", "no-store");
    const config = c.get("config");
    const ice = await mintIceConfig(c.env.DB, config, code, row.expires_at, Date.now());
    return c.json<IceConfig>({ ...ice, maxFileBytes: config.FILE_MAX_BYTES });
  },
);
