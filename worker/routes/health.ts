import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

/** Liveness: answers once the configuration has parsed. */
export const health = new Hono<AppEnv>().get("/health", (c) => c.json({ ok: true }));
