import type { Technician } from "./auth/session-cookie.ts";
import type { Config } from "./config.ts";

/** Hono's environment for every route: bindings plus what middleware puts on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: { config: Config; technician: Technician };
};
