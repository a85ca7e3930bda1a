import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

export const sessions = new Hono<AppEnv>();
