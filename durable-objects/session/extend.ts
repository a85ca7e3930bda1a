import { broadcast, type Effects, persistRoom, type Room, sendError } from "./state.ts";

// Extending a session's lifetime: the owning technician asks (an `extend` frame), and the room adds one lifetime
// (SESSION_LIFETIME_S) to `expiresAt`, never past the admin's SESSION_MAX_LIFETIME_S from creation. Everyone hears
// the new end; the audit log records it; the sessions table is updated after (RoomHost, retried by the alarm).

/** Whether the admin's limit leaves room for another extension. */
export function canExtend(room: Room): boolean {
  return room.maxExpiresAt !== null && room.extendMs > 0 && room.expiresAt < room.maxExpiresAt;
}

/** The owner's `extend`: WRONG_ROLE from anyone else, EXTEND_LIMIT once the limit is reached. */
export function extend(room: Room, fromId: string, now: number, effects: Effects): Effects {
  const from = room.seats.find((s) => s.id === fromId);
  if (!from?.isOwner) {
    return sendError(effects, fromId, "WRONG_ROLE", "Only the technician who owns the session can extend it.");
  }
  if (!canExtend(room) || room.maxExpiresAt === null) {
    const message = "This session cannot be extended further: it has reached SESSION_MAX_LIFETIME_S.";
    return sendError(effects, fromId, "EXTEND_LIMIT", message);
  }
  room.expiresAt = Math.min(room.expiresAt + room.extendMs, room.maxExpiresAt);
  room.expirySyncDueAt = now;
  effects.isExtended = true;
  persistRoom(room, effects);
  broadcast(room, effects, { type: "extended", expiresAt: room.expiresAt, canExtend: canExtend(room) });
  effects.audit.push({
    actor: `technician:${from.technicianId ?? ""}`,
    session: room.code,
    type: "session_extended",
    data: { expiresAt: room.expiresAt },
  });
  return effects;
}
