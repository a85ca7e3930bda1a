import type { Technician } from "./auth/session-cookie.ts";
import type { Config } from "./config.ts";
import type { Host } from "./host.ts";

/** The bindings every host provides: the database, [vars] and secrets. Workers' Env adds objects and assets. */
export type Bindings = Omit<
  Env,
  "SESSION_ROOM" | "RATE_LIMITER" | "AUDIT_LOG" | "ASSETS" | "RECORDINGS" | "RECORDING_SWEEPER" | "MACHINE_LINE"
>;

/** Hono's environment for every route: bindings plus what middleware puts on the context. */
export type AppEnv = {
  Bindings: Bindings;
  /** `apiTokenId`: the API token a request came with, when it came with one (middleware/auth.ts). */
  Variables: { config: Config; technician: Technician; host: Host; apiTokenId?: string };
};
