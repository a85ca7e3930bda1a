import { assertNever } from "#protocol/assert-never.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { admit, handOver, invite, isLetIn, remove } from "./colleagues.ts";
import { extend } from "./extend.ts";
import { handshake } from "./handshake.ts";
import { type Effects, endRoom, noEffects, persistRoom, type Room, sendError, touch } from "./state.ts";

/** The signals that carry the connection itself; they pass only to and from a verified technician. */
type SignalMessage = Extract<ClientMessage, { type: "offer" | "answer" | "candidate" | "keyExchange" }>;

/** The connection a signal names, if it names one. */
function linkOf(msg: { link?: string | undefined }): { link?: string } {
  return msg.link === undefined ? {} : { link: msg.link };
}

/** The relayed copy of a signal: `to` becomes `from`, nothing unchecked is carried over. */
function relayed(msg: SignalMessage, from: string): ServerMessage {
  switch (msg.type) {
    case "offer":
      return { type: "offer", from, ...linkOf(msg), sdp: msg.sdp };
    case "answer":
      return { type: "answer", from, ...linkOf(msg), sdp: msg.sdp };
    case "candidate":
      return { type: "candidate", from, ...linkOf(msg), candidate: msg.candidate };
    case "keyExchange":
      return { type: "keyExchange", from, payload: msg.payload };
    default:
      return assertNever(msg);
  }
}

/**
 * Only customer ↔ technician, to a connected seat that is not the sender's own, and only once the customer's page has
 * confirmed that technician's handshake and, for a colleague, the customer let them in (the pages hold back anything
 * earlier themselves; this is a second wall).
 */
function signal(room: Room, fromId: string, msg: SignalMessage, now: number, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  const target = room.seats.find((s) => s.id === msg.to);
  if (!from) return sendError(effects, fromId, "PEER_NOT_FOUND", "You no longer hold a seat in this session.");
  if (!target || target.id === from.id) {
    return sendError(effects, fromId, "PEER_NOT_FOUND", "No other participant has that id in this session.");
  }
  if (target.role === from.role) {
    return sendError(
      effects,
      fromId,
      "WRONG_ROLE",
      "Technicians signal only the customer, and the customer only technicians.",
    );
  }
  if (!target.connected) {
    return sendError(effects, fromId, "PEER_NOT_FOUND", "That participant is reconnecting; wait for peerJoined.");
  }
  const technician = from.role === "technician" ? from : target;
  if (!technician.isVerified) {
    const message = "Signals pass only once the customer's page has confirmed this technician's handshake.";
    return sendError(effects, fromId, "HANDSHAKE_REQUIRED", message);
  }
  if (!isLetIn(technician)) {
    const message = "Signals pass to and from a colleague only once the customer has let them in.";
    return sendError(effects, fromId, "HANDSHAKE_REQUIRED", message);
  }
  touch(room, now, effects);
  effects.send.push({ to: target.id, msg: relayed(msg, from.id) });
  return effects;
}

/** Handles one parsed message from a seated participant. */
export function dispatch(room: Room, fromId: string, msg: ClientMessage, now: number): Effects {
  const effects = noEffects();
  if (room.state === "ended") return sendError(effects, fromId, "SESSION_ENDED", "This session has ended.");
  switch (msg.type) {
    case "hello":
      return sendError(effects, fromId, "MESSAGE_INVALID", "You have already said hello on this connection.");
    case "offer":
    case "answer":
    case "candidate":
    case "keyExchange":
      return signal(room, fromId, msg, now, effects);
    case "pakeStart":
    case "pakeReply":
    case "pakeFinish":
    case "pakeResult":
      return handshake(room, fromId, msg, now, effects);
    case "end": {
      const from = room.seats.find((s) => s.id === fromId);
      const isCustomer = from?.role === "customer";
      if (from && (isCustomer || from.isOwner) && msg.why === "code_mismatch") {
        // Only someone who may end the session reports a mismatch: anyone else's claim is refused below.
        const actor = isCustomer ? "customer" : `technician:${from.technicianId ?? ""}`;
        effects.audit.push({ actor, session: room.code, type: "verification_mismatch", data: {} });
      }
      const why = from && (isCustomer || from.isOwner) ? msg.why : undefined;
      if (isCustomer) return endRoom(room, "ended_by_customer", now, effects, why);
      if (from?.isOwner) return endRoom(room, "ended_by_technician", now, effects, why);
      return sendError(
        effects,
        fromId,
        "WRONG_ROLE",
        "Only the customer or the technician who owns the session can end it.",
      );
    }
    case "consent":
      return consent(room, fromId, msg, effects);
    case "leaving":
      return leaving(room, fromId, effects);
    case "extend":
      return extend(room, fromId, now, effects);
    case "invite":
      return invite(room, fromId, msg, effects);
    case "admit":
      return admit(room, fromId, msg, effects);
    case "remove":
      return remove(room, fromId, msg, effects);
    case "handOver":
      return handOver(room, fromId, msg, now, effects);
    default:
      return assertNever(msg);
  }
}

/** The customer's page is going away: if it does not take its seat back within the grace, the session ends. */
function leaving(room: Room, fromId: string, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  if (from?.role !== "customer") {
    return sendError(effects, fromId, "WRONG_ROLE", "Only the customer's page says it is leaving.");
  }
  if (from.isLeaving) return effects;
  from.isLeaving = true;
  persistRoom(room, effects);
  return effects;
}

/** The customer's page says what it allowed or took back: each change goes to the audit log, repeats do not. */
function consent(room: Room, fromId: string, msg: Extract<ClientMessage, { type: "consent" }>, effects: Effects) {
  const from = room.seats.find((s) => s.id === fromId);
  if (from?.role !== "customer") {
    return sendError(effects, fromId, "WRONG_ROLE", "Only the customer gives or withdraws consent.");
  }
  if ((room.consent[msg.permission] ?? false) === msg.isGiven) return effects;
  room.consent = { ...room.consent, [msg.permission]: msg.isGiven };
  effects.audit.push({
    actor: "customer",
    session: room.code,
    type: msg.isGiven ? "consent_given" : "consent_withdrawn",
    data: { permission: msg.permission },
  });
  persistRoom(room, effects);
  return effects;
}
