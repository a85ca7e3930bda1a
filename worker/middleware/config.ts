import { createMiddleware } from "hono/factory";
import { type Config, parseConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../types.ts";

const cache = new WeakMap<object, Config>();

/** Parses the [vars] once per isolate; a bad value answers every request with CONFIG_INVALID naming the variable. */
export const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  let config = cache.get(c.env);
  if (!config) {
    const result = parseConfig(c.env as unknown as Record<string, unknown>);
    if (!result.ok) {
      log({ event: "config_invalid", issues: result.issues });
      throw new AppError("CONFIG_INVALID", 500, `Tether is misconfigured: ${result.issues.join("; ")}`);
    }
    config = result.config;
    cache.set(c.env, config);
  }
  c.set("config", config);
  await next();
});
