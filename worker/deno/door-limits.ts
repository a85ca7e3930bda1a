import type { Config } from "../config.ts";

// How many connections the Deno host takes at once. Each costs three file descriptors: the client's, the front
// door's to Deno.serve, and Deno.serve's end of that. The configured cap is lowered to what the process's open-files
// limit (`ulimit -n`) leaves after the descriptors the host holds anyway, so that clients alone never exhaust it.

export type DoorLimits = {
  /** Client connections open at once; one more is answered with 503 SERVER_BUSY and closed. */
  maxConnections: number;
  /** From accepting a connection to the end of its first request head. */
  headerTimeoutMs: number;
  /** An HTTP connection (not a WebSocket) on which the server has sent nothing for this long is closed. */
  idleTimeoutMs: number;
  /**
   * A WebSocket message announced bigger than this is refused on its frame's header. Messages between
   * WS_MAX_MESSAGE_BYTES and this still reach the room, which answers MESSAGE_TOO_LARGE as on Workers.
   */
  maxMessageBytes: number;
};

/** How far over WS_MAX_MESSAGE_BYTES a message must be announced for the front door to refuse it. */
export const MESSAGE_LIMIT_FACTOR = 4;
/** File descriptors per client connection. */
export const FDS_PER_CONNECTION = 3;
/** Descriptors kept for everything else: the runtime (about 25), SQLite's files, the listeners, refusals under way. */
export const RESERVED_FDS = 80;

export type DoorPlan = { limits: DoorLimits; lowered: { configured: number; openFilesLimit: number } | null };

/** The front door's limits from the configuration and the open-files limit (null when unknown). */
export function planDoor(config: Config, openFilesLimit: number | null): DoorPlan {
  const configured = config.DENO_MAX_CONNECTIONS;
  const room = openFilesLimit === null ? configured : Math.floor((openFilesLimit - RESERVED_FDS) / FDS_PER_CONNECTION);
  const maxConnections = Math.max(1, Math.min(configured, room));
  return {
    limits: {
      maxConnections,
      headerTimeoutMs: config.DENO_HEADER_TIMEOUT_S * 1_000,
      idleTimeoutMs: config.DENO_IDLE_TIMEOUT_S * 1_000,
      maxMessageBytes: config.WS_MAX_MESSAGE_BYTES * MESSAGE_LIMIT_FACTOR,
    },
    lowered: maxConnections < configured && openFilesLimit !== null ? { configured, openFilesLimit } : null,
  };
}

/** The soft open-files limit from /proc/self/limits (Linux), or null where there is none. */
export function readOpenFilesLimit(limitsText: string | null): number | null {
  const line = limitsText?.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : null;
}
