import { ed25519 } from "@noble/curves/ed25519.js";
import { assertNever } from "#protocol/assert-never.ts";
import {
  LINE_KEEPALIVE_S,
  type LineAnswer,
  LineServerFrame,
  lineMessage,
  MAX_LINE_FRAME_BYTES,
} from "#protocol/machines.ts";
import { parseFrame } from "#protocol/parse.ts";
import { toBase64url } from "../../core/base64url.ts";
import type { SocketLike } from "../../web/src/rtc/signaling.ts";
import { RETRY_MAX_MS, retryMs } from "./heartbeat.ts";
import type { MachineIdentity } from "./identity.ts";

// The machine's line (worker/protocol/machines.ts): a WebSocket to the site, kept open while the machine serves, on
// which the site says "wake" as soon as a technician opens a session with it, so that the agent beats now instead of
// at its next heartbeat. The line only makes the machine quicker to answer: it carries no session and no key, a line
// that fails changes nothing but the wait, and it never stops serving nor says anything on the terminal. Nothing that
// comes or goes on it (the site's nonce, the machine's signature, the site's error) is ever printed or logged.

/** What keeping the line depends on, passed in so that a test can drive it with its own sockets and timers. */
export type LineDeps = {
  identity: MachineIdentity;
  /** Opens a WebSocket to `url` (socketOpener: Node's, with the Origin header the site requires). */
  openSocket: (url: string) => SocketLike;
  /** Called for each `wake` the site sends: a session was opened with the machine. */
  onWake: () => void;
  /** Aborts to close the line for good (serving ended). */
  signal: AbortSignal;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Calls `tick` every `ms` until the function it returns is called (setInterval). */
  every: (ms: number, tick: () => void) => () => void;
};

/**
 * A keep-alive, and the site's answer to it: KEEPALIVE_REQUEST and KEEPALIVE_RESPONSE of the site's rooms and lines
 * (durable-objects/session/room-runtime.ts), spelt out here as signaling.ts does, since no client imports the site's.
 */
const KEEPALIVE_REQUEST = "ping";
const KEEPALIVE_RESPONSE = "pong";

/** WebSocket.OPEN, which not every runtime has as a global. */
const OPEN = 1;
/** The code the agent closes a line with when it gives up on it (a browser's WebSocket takes only 1000 and 3000+). */
const DROPPED = 4000;

/**
 * How a line ended: before the site took it (`ready`), after, or replaced. The site closes a line it took with 1000
 * only when a newer line of the same machine proves itself, which only another agent serving its identity opens.
 */
type LineEnd = "failed" | "taken" | "replaced";

/**
 * Keeps the machine's line open until `deps.signal` aborts, then closes it and resolves. A line that closes or fails
 * is opened again after the heartbeat's backoff (1 s, doubled after each failure up to 30 s), counted afresh from the
 * last line the site took (`ready`). A replaced line waits the longest: two agents serving one identity would
 * otherwise take the line from each other every second. Never rejects.
 */
export async function keepLine(deps: LineDeps): Promise<void> {
  const url = lineUrl(deps.identity);
  let failures = 0;
  while (!deps.signal.aborted) {
    const end = await holdLine(url, deps);
    if (end !== "failed") failures = 0;
    if (deps.signal.aborted) break;
    await deps.sleep(end === "replaced" ? RETRY_MAX_MS : retryMs(failures), deps.signal);
    failures += 1;
  }
}

/** The line's address at the machine's site: `wss://host/api/machines/ID/line` (`ws:` for a site on plain http). */
export function lineUrl(identity: MachineIdentity): string {
  const origin = new URL(identity.origin);
  const scheme = origin.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${origin.host}/api/machines/${identity.machineId}/line`;
}

/**
 * One line, from opening to its end: the site's close, a frame the agent refuses (not the protocol's, or larger than
 * MAX_LINE_FRAME_BYTES), an `error` from the site, silence for a whole keep-alive period (a connection that died
 * without a close, which only the next keep-alive would otherwise find out), or the stop. Resolves with how it ended.
 */
function holdLine(url: string, deps: LineDeps): Promise<LineEnd> {
  return new Promise((resolve) => {
    let socket: SocketLike;
    try {
      socket = deps.openSocket(url);
    } catch {
      resolve("failed");
      return;
    }
    let isReady = false;
    let isReplaced = false;
    let hasEnded = false;
    // Anything heard, "pong" included, since the last keep-alive: the line is alive.
    let hasHeard = false;
    const end = (close?: { code: number; reason: string }) => {
      if (hasEnded) return;
      hasEnded = true;
      stopKeepAlive();
      deps.signal.removeEventListener("abort", onStop);
      if (close && socket.readyState <= OPEN) {
        try {
          socket.close(close.code, close.reason);
        } catch {
          // Already closing.
        }
      }
      resolve(isReplaced ? "replaced" : isReady ? "taken" : "failed");
    };
    const onStop = () => end({ code: 1000, reason: "Stopped" });
    const stopKeepAlive = deps.every(LINE_KEEPALIVE_S * 1000, () => {
      if (!hasHeard) return end({ code: DROPPED, reason: "Keep-alive timed out" });
      hasHeard = false;
      if (socket.readyState === OPEN) socket.send(KEEPALIVE_REQUEST);
    });
    socket.addEventListener("message", ({ data }) => {
      if (hasEnded) return;
      hasHeard = true;
      if (data === KEEPALIVE_RESPONSE) return;
      // The site sends text only; anything else is as wrong as a frame that is not the protocol's.
      const parsed = typeof data === "string" ? parseFrame(LineServerFrame, data, MAX_LINE_FRAME_BYTES) : null;
      if (!parsed?.ok) return end({ code: DROPPED, reason: "Frame refused" });
      const frame = parsed.msg;
      switch (frame.type) {
        case "challenge":
          socket.send(JSON.stringify(answer(deps.identity, frame.nonce)));
          return;
        case "ready":
          isReady = true;
          return;
        case "wake":
          deps.onWake();
          return;
        case "error":
          // The site closes the line after its error; the agent does not wait for it, and says nothing of it.
          return end({ code: 1000, reason: "Error" });
        default:
          assertNever(frame);
      }
    });
    socket.addEventListener("close", ({ code }) => {
      isReplaced = isReady && code === 1000;
      end();
    });
    if (deps.signal.aborted) onStop();
    else deps.signal.addEventListener("abort", onStop, { once: true });
  });
}

/** The answer to the site's challenge `nonce`: the machine's signature, good for this line of this machine only. */
function answer(identity: MachineIdentity, nonce: string): LineAnswer {
  const message = lineMessage(identity.origin, identity.machineId, nonce);
  return { type: "answer", signature: toBase64url(ed25519.sign(message, identity.privateKey)) };
}
