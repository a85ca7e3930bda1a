import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

export const auth = new Hono<AppEnv>();
