import type { ClientMessage } from "#protocol/room.ts";
import { MAX_REMOVED } from "./room-record.ts";
import { dismissSeats } from "./seats.ts";
import { broadcast, type Effects, peerOf, persistRoom, type Room, sendError, settle } from "./state.ts";

// Colleagues: technicians beside the owner. The owner invites (the hash of a key only holders of the session's
// secret can derive); an invited technician is seated but sees nothing, since signals to and from them pass only
// once the customer's page confirmed their handshake and the customer let them in (`admit`). The customer takes any
// colleague out again (`remove`): the seat goes, the socket is refused, and the room never seats them again.

type Invite = Extract<ClientMessage, { type: "invite" }>;
type Admit = Extract<ClientMessage, { type: "admit" }>;
type Remove = Extract<ClientMessage, { type: "remove" }>;
type HandOver = Extract<ClientMessage, { type: "handOver" }>;

/** The owner registers the invite key's hash; a new invite replaces the last (an old link stops seating anyone). */
export function invite(room: Room, fromId: string, msg: Invite, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  if (!from?.isOwner) {
    return sendError(effects, fromId, "WRONG_ROLE", "Only the technician who owns the session invites colleagues.");
  }
  if (room.inviteKeyHash === msg.keyHash) return effects;
  room.inviteKeyHash = msg.keyHash;
  effects.audit.push({
    actor: `technician:${from.technicianId ?? ""}`,
    session: room.code,
    type: "colleague_invited",
    data: {},
  });
  persistRoom(room, effects);
  return effects;
}

/** The customer's seat and the colleague `id` names, or an error frame for the customer. */
function colleagueFor(room: Room, fromId: string, id: string, effects: Effects) {
  const from = room.seats.find((s) => s.id === fromId);
  if (from?.role !== "customer") {
    sendError(effects, fromId, "WRONG_ROLE", "Only the customer lets colleagues in or takes them out.");
    return null;
  }
  const target = room.seats.find((s) => s.id === id);
  if (target?.role !== "technician" || target.technicianId === null) {
    sendError(effects, fromId, "PEER_NOT_FOUND", "No technician has that id in this session.");
    return null;
  }
  if (target.isOwner) {
    sendError(effects, fromId, "WRONG_ROLE", "The session's owner is not a colleague: end the session instead.");
    return null;
  }
  return target;
}

/** The customer lets a colleague in, once their page confirmed the colleague's handshake. */
export function admit(room: Room, fromId: string, msg: Admit, effects: Effects): Effects {
  const target = colleagueFor(room, fromId, msg.id, effects);
  if (!target || target.isAdmitted) return effects;
  if (!target.isVerified) {
    const message = "A colleague is let in only once the customer's page has confirmed their handshake.";
    return sendError(effects, fromId, "HANDSHAKE_REQUIRED", message);
  }
  target.isAdmitted = true;
  effects.audit.push({
    actor: "customer",
    session: room.code,
    type: "colleague_admitted",
    data: { technician: target.technicianId },
  });
  persistRoom(room, effects);
  broadcast(room, effects, { type: "peerJoined", peer: peerOf(target) }, target.id);
  return effects;
}

/** The customer takes a colleague out: refused with REMOVED_BY_CUSTOMER now and at every later hello. */
export function remove(room: Room, fromId: string, msg: Remove, effects: Effects): Effects {
  const target = colleagueFor(room, fromId, msg.id, effects);
  if (!target?.technicianId) return effects;
  room.removed = [...room.removed.filter((id) => id !== target.technicianId), target.technicianId].slice(-MAX_REMOVED);
  if (room.handshake.open?.seatId === target.id) room.handshake = { ...room.handshake, open: null };
  effects.audit.push({
    actor: "customer",
    session: room.code,
    type: "colleague_removed",
    data: { technician: target.technicianId },
  });
  dismissSeats(room, [target], "REMOVED_BY_CUSTOMER", "The customer took you out of this session.", effects);
  persistRoom(room, effects);
  settle(room, effects);
  return effects;
}

/**
 * The owner hands the session to a colleague the customer let in (and whose handshake stands): they become the owner,
 * here and in the sessions table; the former owner stays seated as a colleague the customer had let in.
 */
export function handOver(room: Room, fromId: string, msg: HandOver, now: number, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  if (!from?.isOwner || from.technicianId === null) {
    return sendError(effects, fromId, "WRONG_ROLE", "Only the technician who owns the session hands it over.");
  }
  const target = room.seats.find((s) => s.id === msg.id);
  if (target?.role !== "technician" || target.isOwner || target.technicianId === null) {
    return sendError(effects, fromId, "PEER_NOT_FOUND", "No colleague has that id in this session.");
  }
  if (!target.isAdmitted || !target.isVerified || !target.connected) {
    const message = "A session is handed only to a connected colleague the customer has let in.";
    return sendError(effects, fromId, "HANDSHAKE_REQUIRED", message);
  }
  room.owner = { id: target.technicianId, name: target.name ?? "" };
  room.ownerSyncDueAt = now;
  effects.isOwnerConfirmed = true;
  from.isOwner = false;
  from.isAdmitted = true;
  target.isOwner = true;
  effects.audit.push({
    actor: `technician:${from.technicianId}`,
    session: room.code,
    type: "session_handed_over",
    data: { technician: target.technicianId },
  });
  persistRoom(room, effects);
  // One frame says it all (roster.ts applies it to both seats at once): no moment with two owners, or none.
  broadcast(room, effects, { type: "ownerChanged", id: target.id });
  return effects;
}

/** Whether signals may pass to and from this technician: the owner always, a colleague once let in. */
export function isLetIn(seat: { isOwner: boolean; isAdmitted: boolean }): boolean {
  return seat.isOwner || seat.isAdmitted;
}
