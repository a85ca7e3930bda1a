import { assertNever } from "#protocol/assert-never.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { backoffWaitS } from "./backoff.ts";
import { confirmOwner } from "./seats.ts";
import { type Effects, persistRoom, type Room, type Seat, sendError, touch } from "./state.ts";

// The room's side of the handshake (worker/protocol/handshake.ts): it cannot compute or check the CPace messages,
// but it decides which of them pass. Every start is charged before it is relayed (per session, waits that double
// with each failure, reset only by the customer's confirmation); one attempt is open at a time; its rounds pass only
// between the customer and that attempt's technician; and the customer's verdict verifies the technician (and, for
// a session without an owner, makes them its owner).

/** While an attempt this young is open, other technicians' starts are refused with HANDSHAKE_BUSY. */
export const HANDSHAKE_BUSY_MS = 30_000;

export type HandshakeMessage = Extract<
  ClientMessage,
  { type: "pakeStart" | "pakeReply" | "pakeFinish" | "pakeResult" }
>;

/** Whole seconds from `now` until `at`, at least 1 while `at` is still ahead. */
function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** When the next start is accepted, or null when one would be now (no failures since the last confirmation). */
export function nextStartAt(room: Room): number | null {
  const { failures, lastStartAt } = room.handshake;
  if (failures === 0 || lastStartAt === null) return null;
  const { backoffBaseS, backoffCapS } = room.handshakeLimits;
  return lastStartAt + backoffWaitS(failures, backoffBaseS, backoffCapS) * 1000;
}

/** The relayed copy of a handshake frame: `to` becomes `from`, nothing unchecked is carried over. */
function relayed(msg: HandshakeMessage, from: string): ServerMessage {
  switch (msg.type) {
    case "pakeStart":
      return { type: "pakeStart", from, nonce: msg.nonce, fingerprint: msg.fingerprint };
    case "pakeReply":
      return { type: "pakeReply", from, nonce: msg.nonce, fingerprint: msg.fingerprint, share: msg.share };
    case "pakeFinish":
      return { type: "pakeFinish", from, share: msg.share, tag: msg.tag };
    case "pakeResult":
      return { type: "pakeResult", from, ok: msg.ok, ...(msg.tag === undefined ? {} : { tag: msg.tag }) };
    default:
      return assertNever(msg);
  }
}

/** A technician's start: refused while another is busy or the session's wait runs; else charged, then relayed. */
function start(room: Room, technician: Seat, customer: Seat, msg: HandshakeMessage, now: number, effects: Effects) {
  const open = room.handshake.open;
  const log = (outcome: "accepted" | "busy" | "wait") =>
    effects.logs.push({ event: "handshake_charged", code: room.code, outcome, failures: room.handshake.failures });
  if (open && open.seatId !== technician.id && now - open.startedAt < HANDSHAKE_BUSY_MS) {
    log("busy");
    const message = "Another technician's handshake with the customer is under way; try again shortly.";
    return sendError(
      effects,
      technician.id,
      "HANDSHAKE_BUSY",
      message,
      secondsUntil(open.startedAt + HANDSHAKE_BUSY_MS, now),
    );
  }
  const retryAt = nextStartAt(room);
  if (retryAt !== null && now < retryAt) {
    log("wait");
    const { failures } = room.handshake;
    effects.send.push({ to: customer.id, msg: { type: "handshakeThrottled", failures, retryAt } });
    const message = `${failures} handshake${failures === 1 ? " has" : "s have"} failed in this session; wait before the next try.`;
    return sendError(effects, technician.id, "HANDSHAKE_WAIT", message, secondsUntil(retryAt, now));
  }
  log("accepted");
  room.handshake = {
    failures: room.handshake.failures + 1,
    lastStartAt: now,
    open: { seatId: technician.id, startedAt: now },
  };
  technician.isVerified = false;
  persistRoom(room, effects);
  effects.send.push({ to: customer.id, msg: relayed(msg, technician.id) });
  return effects;
}

/** The customer's verdict closes the attempt; only a confirmation resets the count, and it verifies the technician. */
function result(
  room: Room,
  technician: Seat,
  customer: Seat,
  msg: Extract<HandshakeMessage, { type: "pakeResult" }>,
  now: number,
  effects: Effects,
) {
  room.handshake = { ...room.handshake, open: null };
  if (msg.ok) {
    room.handshake.failures = 0;
    technician.isVerified = true;
  }
  effects.logs.push({ event: "handshake_result", code: room.code, outcome: msg.ok ? "confirmed" : "failed" });
  // A failed verdict is what a verification code mismatch looks like from here (the room never sees the code).
  const type = msg.ok ? "handshake_succeeded" : "handshake_failed";
  effects.audit.push({ actor: "customer", session: room.code, type, data: { technician: technician.technicianId } });
  persistRoom(room, effects);
  // The verdict stands even if the technician is reconnecting: they would start again, unverified, anyway.
  if (technician.connected) effects.send.push({ to: technician.id, msg: relayed(msg, customer.id) });
  if (msg.ok) confirmOwner(room, technician, now, effects);
  return effects;
}

/** One handshake frame from a seated participant. */
export function handshake(room: Room, fromId: string, msg: HandshakeMessage, now: number, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  const to = room.seats.find((s) => s.id === msg.to);
  if (!from) return sendError(effects, fromId, "PEER_NOT_FOUND", "You no longer hold a seat in this session.");
  if (!to || to.id === from.id) {
    return sendError(effects, fromId, "PEER_NOT_FOUND", "No other participant has that id in this session.");
  }
  const isTechnicianSending = msg.type === "pakeStart" || msg.type === "pakeFinish";
  const [technician, customer] = isTechnicianSending ? [from, to] : [to, from];
  if (technician.role !== "technician" || customer.role !== "customer") {
    const message = "pakeStart and pakeFinish go from a technician to the customer, pakeReply and pakeResult back.";
    return sendError(effects, fromId, "WRONG_ROLE", message);
  }
  if (msg.type === "pakeResult" && msg.ok && msg.tag === undefined) {
    return sendError(effects, fromId, "MESSAGE_INVALID", "A confirmed pakeResult carries the customer's tag.");
  }
  if (msg.type !== "pakeStart" && room.handshake.open?.seatId !== technician.id) {
    const message = "No handshake is open between you; the technician must start one with pakeStart.";
    return sendError(effects, fromId, "HANDSHAKE_REQUIRED", message);
  }
  if (msg.type === "pakeResult") return result(room, technician, customer, msg, now, effects);
  if (!to.connected) {
    return sendError(effects, fromId, "PEER_NOT_FOUND", "That participant is reconnecting; wait for peerJoined.");
  }
  touch(room, now, effects);
  if (msg.type === "pakeStart") return start(room, technician, customer, msg, now, effects);
  effects.send.push({ to: to.id, msg: relayed(msg, from.id) });
  return effects;
}
