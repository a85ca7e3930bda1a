import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

export const technicians = new Hono<AppEnv>();
