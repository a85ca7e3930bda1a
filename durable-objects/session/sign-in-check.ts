import { dismissSeats } from "./seats.ts";
import { type Effects, noEffects, persistRoom, type Room, settle, signInCheckAt } from "./state.ts";

// Sign-ins the server took back (sign-out, a removed passkey or technician) end the technician's seat too. The Worker
// checks a sign-in when a socket joins; from then on the room checks its technicians' sign-ins at its alarm, every
// signInCheckMs (SIGN_IN_CHECK_S, at most a minute) while any technician holds a seat. The room pulls rather than
// being told, because only the room knows every technician it seats (help requests seat technicians that no table
// links to the session), and a missed notice would leave a socket open until the sign-in expires.

/** The sign-ins to check now: those of the technicians' seats, once a check is due; empty otherwise. */
export function signInsDue(room: Room, now: number): string[] {
  const at = signInCheckAt(room);
  if (at === null || now < at) return [];
  return [...new Set(room.seats.flatMap((s) => (s.signInId === null ? [] : [s.signInId])))];
}

/**
 * The check's answer: every seat whose sign-in was `checked` and is not `live` goes — a connected one is refused
 * (SIGN_IN_REVOKED, then closed), everyone else hears peerGone. Seats that joined with another sign-in since the
 * check began are left for the next one. The next check is due signInCheckMs from `now`.
 */
export function dropRevoked(room: Room, checked: readonly string[], live: ReadonlySet<string>, now: number): Effects {
  const effects = noEffects();
  if (room.state === "ended") return effects;
  room.signInsCheckedAt = now;
  persistRoom(room, effects);
  const revoked = room.seats.filter(
    (s) => s.signInId !== null && checked.includes(s.signInId) && !live.has(s.signInId),
  );
  if (revoked.length === 0) return effects;
  const message = "Your sign-in has ended (signed out, or your passkey or account was removed); sign in again.";
  dismissSeats(room, revoked, "SIGN_IN_REVOKED", message, effects);
  for (const seat of revoked) {
    effects.logs.push({ event: "room_seat_revoked", code: room.code, participantId: seat.id });
    const data = { technician: seat.technicianId, reason: "sign_in_revoked" };
    effects.audit.push({ actor: "system", session: room.code, type: "technician_dropped", data });
  }
  settle(room, effects);
  return effects;
}
