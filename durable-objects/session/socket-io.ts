import type { ErrorCode } from "#protocol/errors.ts";
import type { ServerMessage } from "#protocol/room.ts";
import type { RoomSocket } from "./room-runtime.ts";

// Writing to a socket that may already be going away, the same way on every host: a failed send or close is
// ignored, because the socket's own close handler does the bookkeeping.

/** Sends one frame; a socket that is already closing drops it. */
export function sendQuietly(ws: RoomSocket, msg: ServerMessage): void {
  try {
    ws.send(JSON.stringify(msg));
  } catch {
    // Closing already.
  }
}

/** Closes with `code`; the reason is cut to fit a close frame (123 bytes; our reasons are ASCII). */
export function closeQuietly(ws: RoomSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    // Closed already.
  }
}

/**
 * Tells a socket why it may not stay (an error frame, with the seconds to wait where trying later helps), then closes
 * it with 1008 (policy).
 */
export function refuse(ws: RoomSocket, code: ErrorCode, message: string, retryAfterS?: number): void {
  sendQuietly(ws, { type: "error", code, message, ...(retryAfterS === undefined ? {} : { retryAfterS }) });
  closeQuietly(ws, 1008, message);
}
