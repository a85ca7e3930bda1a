import type { ErrorCode } from "#protocol/errors.ts";
import { type Capture, MAX_SEATS } from "#protocol/room.ts";
import { perMinute, take } from "../rate-limit/bucket.ts";
import {
  broadcast,
  dueEnd,
  type Effects,
  noEffects,
  peerOf,
  persistRoom,
  type Room,
  type Seat,
  settle,
  signInCheckAt,
  summarize,
  touch,
} from "./state.ts";

/** Who is asking for a seat, as the Worker vouched for them. */
export type JoinRequest =
  /** `capture`: what the customer's browser can share, as its hello said. */
  | { role: "customer"; capture?: Capture }
  /** `signInId`: the sign-in the Worker checked, which the room checks again every signInCheckMs. */
  | { role: "technician"; technicianId: string; name: string; signInId?: string };

/**
 * What the hello proved, as hashes: the seat token it presented to resume a seat, and for a customer the seat key that
 * shows the page holds the session's secret (null when absent).
 */
export type SeatProof = {
  resumeHash: string | null;
  seatKeyHash: string | null;
  /** A technician's: the hash of the invite key their hello presented (absent or null: none). */
  inviteKeyHash?: string | null;
};

/** Randomness for a join, passed in: a participant id for a new seat and the seat token issued in `welcome`. */
export type Fresh = { participantId: string; token: string; tokenHash: string };

export type JoinResult =
  | { ok: true; seat: Seat; isResumed: boolean; replacesSocket: boolean; effects: Effects }
  | { ok: false; code: ErrorCode; message: string; retryAfterS?: number };

function isSeatFor(seat: Seat, request: JoinRequest): boolean {
  if (seat.role !== request.role) return false;
  return request.role === "customer" || seat.technicianId === request.technicianId;
}

function refuse(code: ErrorCode, message: string): JoinResult {
  return { ok: false, code, message };
}

/**
 * Whether `customerKeyHash` is the room's: the proof GET /api/sessions/:code asks of the customer's page. The client
 * sends the hash itself, so it is compared in constant time: an early exit would tell a guesser how much was right.
 */
export function holdsSeatKey(room: Room, customerKeyHash: string): boolean {
  const stored = room.customerKeyHash;
  if (stored === null || stored.length !== customerKeyHash.length) return false;
  let difference = 0;
  for (let i = 0; i < stored.length; i++) difference |= stored.charCodeAt(i) ^ customerKeyHash.charCodeAt(i);
  return difference === 0;
}

/**
 * Seats a participant: a valid seat token (by hash) reclaims its own seat, a technician reclaims theirs by identity,
 * otherwise a new seat if one is free. A reclaimed seat that still had a socket is taken over. The token rotates.
 * Once the session has an owner, no other technician is seated; the customer must present the session's seat key.
 */
export function join(room: Room, request: JoinRequest, proof: SeatProof, fresh: Fresh, now: number): JoinResult {
  if (room.state === "ended" || dueEnd(room, now)) return refuse("SESSION_ENDED", "This session has ended.");
  if (request.role === "technician" && room.owner !== null && room.owner.id !== request.technicianId) {
    if (room.removed.includes(request.technicianId)) {
      return refuse("REMOVED_BY_CUSTOMER", "The customer took you out of this session.");
    }
    // A colleague comes in with the owner's invite, or takes back the seat they already have.
    const isInvited = room.inviteKeyHash !== null && proof.inviteKeyHash === room.inviteKeyHash;
    if (!isInvited && !room.seats.some((s) => isSeatFor(s, request))) {
      return refuse("NOT_OWNER", "This session belongs to another technician; only its owner may join it.");
    }
  }
  // Hashes are compared, so the comparison leaks nothing about the key itself.
  if (request.role === "customer" && (proof.seatKeyHash === null || proof.seatKeyHash !== room.customerKeyHash)) {
    return refuse("SEAT_KEY_INVALID", "This page does not hold this session's key; open the link you were sent again.");
  }
  const { resumeHash } = proof;

  let seat = resumeHash ? room.seats.find((s) => s.tokenHash === resumeHash && isSeatFor(s, request)) : undefined;
  if (!seat && request.role === "technician") seat = room.seats.find((s) => isSeatFor(s, request));
  const isResumed = seat !== undefined;
  const replacesSocket = seat?.connected ?? false;
  // Each take-back (a reload, a reconnect, a second tab) tells everyone else (peerJoined, and peerLeft when the
  // socket went), so a reconnect storm would flood the other participants: beyond rejoinPerMinute the hello is
  // refused with RATE_LIMITED and the seat stays as it was (held, if its socket went). A page backs off between
  // tries, so it gets back in once the budget allows.
  if (seat) {
    const budget = take(seat.rejoins ?? undefined, perMinute(room.rejoinPerMinute), now);
    if (!budget.allowed) {
      const retryAfterS = Math.max(1, Math.ceil(budget.retryAfterMs / 1000));
      const message = `This seat has reconnected too often; try again in ${retryAfterS} s.`;
      return { ok: false, code: "RATE_LIMITED", message, retryAfterS };
    }
    seat.rejoins = budget.bucket;
  }
  const signInId = request.role === "technician" ? (request.signInId ?? null) : null;
  // The Worker has just checked this sign-in: the room's checks start from here unless they are running already.
  if (signInId !== null && signInCheckAt(room) === null) room.signInsCheckedAt = now;

  if (seat) {
    seat.connected = true;
    seat.heldUntil = null;
    seat.isLeaving = false;
    seat.tokenHash = fresh.tokenHash;
    if (request.role === "technician") {
      seat.name = request.name;
      seat.signInId = signInId;
    } else {
      seat.capture = request.capture ?? null;
    }
  } else {
    if (request.role === "customer" && room.seats.some((s) => s.role === "customer")) {
      return refuse("SEAT_TAKEN", "This session already has a customer.");
    }
    if (room.seats.length >= MAX_SEATS) {
      return refuse("SEAT_TAKEN", `A session holds at most ${MAX_SEATS} participants.`);
    }
    seat = {
      id: fresh.participantId,
      role: request.role,
      technicianId: request.role === "technician" ? request.technicianId : null,
      name: request.role === "technician" ? request.name : null,
      isOwner: request.role === "technician" && room.owner?.id === request.technicianId,
      tokenHash: fresh.tokenHash,
      connected: true,
      heldUntil: null,
      joinedAt: now,
      isVerified: false,
      isLeaving: false,
      signInId,
      rejoins: null,
      capture: request.role === "customer" ? (request.capture ?? null) : null,
      isAdmitted: false,
    };
    room.seats.push(seat);
  }

  const effects = noEffects();
  const joined = seat;
  touch(room, now, effects);
  persistRoom(room, effects);
  broadcast(room, effects, { type: "peerJoined", peer: peerOf(joined) }, joined.id);
  settle(room, effects, joined.id);
  effects.send.unshift({
    to: joined.id,
    msg: {
      type: "welcome",
      participantId: joined.id,
      role: joined.role,
      ...(joined.role === "technician" ? { isOwner: joined.isOwner } : {}),
      resume: fresh.token,
      session: summarize(room),
      peers: room.seats.filter((s) => s.id !== joined.id).map(peerOf),
    },
  });
  return { ok: true, seat: joined, isResumed, replacesSocket, effects };
}

/** A participant's socket went away: the seat is held until now + grace, and the others are told until when. */
export function leave(room: Room, participantId: string, now: number): Effects {
  const effects = noEffects();
  const seat = room.seats.find((s) => s.id === participantId);
  if (room.state === "ended" || !seat?.connected) return effects;
  seat.connected = false;
  seat.heldUntil = now + room.graceMs;
  persistRoom(room, effects);
  broadcast(room, effects, { type: "peerLeft", id: seat.id, rejoinBy: seat.heldUntil });
  return effects;
}

/** After a restart: seats that storage calls connected but that have no live socket are treated as dropped now. */
export function reconcile(room: Room, liveIds: ReadonlySet<string>, now: number): Effects {
  const effects = noEffects();
  if (room.state === "ended") return effects;
  const dropped = room.seats.filter((s) => s.connected && !liveIds.has(s.id));
  for (const seat of dropped) {
    seat.connected = false;
    seat.heldUntil = now + room.graceMs;
  }
  for (const seat of dropped) broadcast(room, effects, { type: "peerLeft", id: seat.id, rejoinBy: now + room.graceMs });
  if (dropped.length > 0) persistRoom(room, effects);
  return effects;
}

/**
 * Takes `seats` out of the room for good: a connected one is refused with `code` (an error frame, then closed), and
 * everyone left hears peerGone.
 */
export function dismissSeats(room: Room, seats: readonly Seat[], code: ErrorCode, message: string, effects: Effects) {
  room.seats = room.seats.filter((s) => !seats.includes(s));
  for (const seat of seats) {
    if (seat.connected) effects.refuse.push({ to: seat.id, code, message });
    broadcast(room, effects, { type: "peerGone", id: seat.id });
  }
}

/**
 * The customer's page confirmed `seat`'s handshake in a session without an owner: that technician now owns it, everyone
 * hears so (peerJoined with the updated peer), and every other technician's seat is dropped and refused (NOT_OWNER).
 */
export function confirmOwner(room: Room, seat: Seat, now: number, effects: Effects): void {
  if (room.owner !== null || seat.role !== "technician" || seat.technicianId === null) return;
  room.owner = { id: seat.technicianId, name: seat.name ?? "" };
  room.claimBy = null;
  room.ownerSyncDueAt = now;
  seat.isOwner = true;
  effects.isOwnerConfirmed = true;
  effects.logs.push({ event: "session_owner_confirmed", code: room.code, technicianId: seat.technicianId });
  persistRoom(room, effects);
  const others = room.seats.filter((s) => s.role === "technician" && s.id !== seat.id);
  dismissSeats(
    room,
    others,
    "NOT_OWNER",
    "The customer confirmed another technician, who now owns this session.",
    effects,
  );
  // The technician learns it from the customer's verdict; a peerJoined about itself would put it in its own roster.
  broadcast(room, effects, { type: "peerJoined", peer: peerOf(seat) }, seat.id);
  settle(room, effects);
}
