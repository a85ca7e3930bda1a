import type { ErrorCode } from "#protocol/errors.ts";
import {
  LINE_ANSWER_TIMEOUT_MS,
  LineAnswer,
  type LineServerFrame,
  lineMessage,
  MAX_LINE_FRAME_BYTES,
} from "#protocol/machines.ts";
import { parseFrame } from "#protocol/parse.ts";
import { isSignedByMachine } from "../../worker/auth/machine-signature.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { type LogEvent, log } from "../../worker/log.ts";
import { KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "../session/room-runtime.ts";
import { closeQuietly } from "../session/socket-io.ts";

// A machine's line (protocol/machines.ts): the sockets its agent keeps open so that the site can wake it the moment a
// session is opened with it. Every host runs one line per machine on this core: the MachineLine object on Workers,
// with its sockets hibernating between frames (so all a socket's state is in its attachment), and
// worker/deno/machine-lines.ts on Deno. The host passes the time in and arms the deadline that `openLine` and
// `expireLines` return; nothing here touches a Request, a runtime's WebSocket or a timer.

/**
 * Most sockets one machine's line holds at once: its proved one and those waiting for their answer. Only a socket that
 * has proved nothing is ever closed to make room (the oldest first), so that whoever knows a machine's id cannot keep
 * its agent off the line by holding every place with sockets that never answer: the agent answers in one round trip.
 */
export const MAX_LINE_SOCKETS = 4;

/** A socket of a machine's line, as the line uses it. */
export type LineSocket = { send(text: string): void; close(code: number, reason: string): void };

/** What the agent's answer is checked against: the machine's enrolled public key and the site's origin. */
export type LineCheck = { publicKey: string; origin: string };

/**
 * What each socket carries (through hibernation, on Workers). `challenged`: waiting for its answer to `nonce` until
 * `deadline`; `ready`: proved, and woken; `closed`: closed by the line, its peer's close not in yet (which a hostile
 * peer may never send), so counted for nothing.
 */
export type LineAttachment = LineCheck & {
  machineId: string;
  state: "challenged" | "ready" | "closed";
  nonce: string;
  deadline: number;
};

/** What a host lends one machine's line: the sockets it accepted and has not seen close, and their attachments. */
export type LineSockets<S extends LineSocket> = {
  all(): Iterable<S>;
  attachment(ws: S): LineAttachment | null;
  attach(ws: S, attachment: LineAttachment): void;
};

type Refusal = Extract<LogEvent, { event: "machine_line_refused" }>["reason"];

/**
 * Takes a socket the host just accepted for `machineId` at `now`: sends it a fresh challenge, and closes the oldest
 * unproved socket of the machine's if this one makes too many. Returns when its answer is due, for the host's alarm.
 */
export function openLine<S extends LineSocket>(
  line: LineSockets<S>,
  ws: S,
  machineId: string,
  check: LineCheck,
  now: number,
): number {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const deadline = now + LINE_ANSWER_TIMEOUT_MS;
  line.attach(ws, { ...check, machineId, state: "challenged", nonce, deadline });
  send(ws, { type: "challenge", nonce });
  const open = [...line.all()].filter((other) => isOpen(line, other));
  const waiting = open
    .filter((other) => other !== ws && line.attachment(other)?.state === "challenged")
    .sort((a, b) => (line.attachment(a)?.deadline ?? 0) - (line.attachment(b)?.deadline ?? 0));
  for (const oldest of waiting.slice(0, Math.max(0, open.length - MAX_LINE_SOCKETS))) {
    refuse(
      line,
      oldest,
      "crowded",
      "RATE_LIMITED",
      "Too many lines to this machine wait for their answer; this one, the oldest, was closed.",
    );
  }
  return deadline;
}

/**
 * A frame from `ws` at `now`. A keep-alive is answered in any state (Workers answer it before the object sees it);
 * a challenged socket's one frame is its answer, which proves the line or closes it; a proved socket sends nothing
 * else. What is refused gets an error frame and a close (1008).
 */
export function receiveLine<S extends LineSocket>(
  line: LineSockets<S>,
  ws: S,
  data: string | ArrayBuffer,
  now: number,
): void {
  if (data === KEEPALIVE_REQUEST) {
    sendText(ws, KEEPALIVE_RESPONSE);
    return;
  }
  const attachment = line.attachment(ws);
  // A socket the line closed already: whatever it still says is dropped.
  if (!attachment || attachment.state === "closed") return;
  if (attachment.state === "ready") {
    refuse(line, ws, "malformed", "BAD_REQUEST", `A proved line takes only keep-alives ("${KEEPALIVE_REQUEST}").`);
    return;
  }
  if (now >= attachment.deadline) {
    refuseLate(line, ws);
    return;
  }
  const parsed = parseFrame(LineAnswer, data, MAX_LINE_FRAME_BYTES);
  if (!parsed.ok) {
    refuse(line, ws, "malformed", "BAD_REQUEST", `This is no answer to the line's challenge: ${parsed.error.message}`);
    return;
  }
  const message = lineMessage(attachment.origin, attachment.machineId, attachment.nonce);
  if (!isSignedByMachine(attachment.publicKey, parsed.msg.signature, message)) {
    refuse(
      line,
      ws,
      "signature",
      "MACHINE_KEY_INVALID",
      "The answer's signature does not verify with this machine's enrolled key; if its identity file was replaced, remove the machine in the console and enrol it again.",
    );
    return;
  }
  // One proved line per machine: the newer stands for an agent that restarted, or reconnected before its old socket
  // was seen to drop.
  for (const other of line.all()) {
    const otherAttachment = other === ws ? null : line.attachment(other);
    if (otherAttachment?.state !== "ready") continue;
    line.attach(other, { ...otherAttachment, state: "closed" });
    closeQuietly(other, 1000, "replaced");
  }
  line.attach(ws, { ...attachment, state: "ready" });
  send(ws, { type: "ready" });
}

/** Tells the machine's proved line to beat now (a session was opened with it); returns how many sockets were told. */
export function wakeLine<S extends LineSocket>(line: LineSockets<S>): number {
  let woken = 0;
  for (const ws of line.all()) {
    if (line.attachment(ws)?.state !== "ready") continue;
    send(ws, { type: "wake" });
    woken++;
  }
  return woken;
}

/**
 * Closes every socket whose answer is due by `now` and has not come; returns when the next one is due, or null when
 * none waits (the host's alarm then stays off).
 */
export function expireLines<S extends LineSocket>(line: LineSockets<S>, now: number): number | null {
  let next: number | null = null;
  for (const ws of line.all()) {
    const attachment = line.attachment(ws);
    if (attachment?.state !== "challenged") continue;
    if (now >= attachment.deadline) refuseLate(line, ws);
    else next = Math.min(next ?? attachment.deadline, attachment.deadline);
  }
  return next;
}

/** Whether the line still counts `ws`: accepted, and not closed by the line. */
function isOpen<S extends LineSocket>(line: LineSockets<S>, ws: S): boolean {
  const state = line.attachment(ws)?.state;
  return state === "challenged" || state === "ready";
}

function refuseLate<S extends LineSocket>(line: LineSockets<S>, ws: S): void {
  const waitedS = LINE_ANSWER_TIMEOUT_MS / 1000;
  refuse(line, ws, "late", "BAD_REQUEST", `No answer to the line's challenge came within ${waitedS} s; connect again.`);
}

/** Logs why the line closes `ws` (the machine and the reason only), tells it, and closes it (1008). */
function refuse<S extends LineSocket>(
  line: LineSockets<S>,
  ws: S,
  reason: Refusal,
  code: ErrorCode,
  message: string,
): void {
  const attachment = line.attachment(ws);
  if (!attachment) return;
  log({ event: "machine_line_refused", machineId: attachment.machineId, reason });
  line.attach(ws, { ...attachment, state: "closed" });
  send(ws, { type: "error", code, message });
  closeQuietly(ws, 1008, message);
}

function send(ws: LineSocket, frame: LineServerFrame): void {
  sendText(ws, JSON.stringify(frame));
}

/** Sends one frame; a socket that is already closing drops it (its close handler does the bookkeeping). */
function sendText(ws: LineSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // Closing already.
  }
}
