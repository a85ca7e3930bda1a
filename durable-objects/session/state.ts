import type { AuditInput } from "#protocol/audit.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { EndReason, EndWhy, Peer, ServerMessage, SessionState, SessionSummary } from "#protocol/room.ts";
import type { LogEvent } from "../../worker/log.ts";
import type { HandshakeLimits, Limits, Room, SeatRecord } from "./room-record.ts";

export type { HandshakeLimits, Limits, Room } from "./room-record.ts";

// The room's pure core: plain data plus functions that take `now` and return decisions. No runtime APIs, so
// the Durable Object and a Deno adapter share it.

/** Last activity is written to storage at most this often; relayed messages otherwise touch only memory. */
export const ACTIVITY_PERSIST_MS = 5_000;

/** A socket that has not said hello by then is closed. */
export const HELLO_TIMEOUT_MS = 10_000;

/**
 * An ended room's storage is deleted this long after the end (the D1 row keeps the record). A help request that
 * ended without an owner keeps nothing: its storage and its D1 row go as soon as the end is recorded.
 */
export const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

/** What the Worker decides when it creates a session. */
export type RoomSettings = {
  code: string;
  /** The technician who created the session; null for a customer's help request until the customer confirms one. */
  owner: { id: string; name: string } | null;
  /** SHA-256 (base64url) of the customer's seat key, registered by whoever holds the session's secret. */
  customerKeyHash: string;
  organisation: string;
  caseNumber: string | null;
  lifetimeS: number;
  /** The longest the owner may extend the session to, from creation (SESSION_MAX_LIFETIME_S); absent: no extensions. */
  maxLifetimeS?: number;
  idleS: number;
  graceS: number;
  /** How often the seated technicians' sign-ins are checked against the sign-ins table (SIGN_IN_CHECK_S). */
  signInCheckS: number;
  /** A help request (no owner) ends this long after it was made unless a technician was confirmed (HELP_CLAIM_TIMEOUT_S). */
  claimTimeoutS: number;
  /** How often one seat may be taken back per minute (RATE_REJOIN_PER_MIN). */
  rejoinPerMin: number;
  limits: Limits;
  handshake: HandshakeLimits;
};

/** One participant's place in the room; it outlives a dropped socket until `heldUntil`. */
export type Seat = SeatRecord;

/**
 * What the adapter must do after a decision: send, refuse (error frame, then close 1008) seats the room has dropped,
 * close everything, write storage, record an end or a confirmed owner, and log.
 */
export type Effects = {
  send: { to: string; msg: ServerMessage }[];
  refuse: { to: string; code: ErrorCode; message: string }[];
  closeAll: { code: 1000 | 1008 | 1011; reason: string } | null;
  persist: "none" | "activity" | "room";
  ended: EndReason | null;
  /** The room's owner was just confirmed: write it to the sessions table. */
  isOwnerConfirmed: boolean;
  /** The owner just extended the session: write the new expiry to the sessions table. */
  isExtended: boolean;
  logs: LogEvent[];
  /** Entries for the organisation's audit log (who did what in this session; never content). */
  audit: AuditInput[];
};

export function noEffects(): Effects {
  return {
    send: [],
    refuse: [],
    closeAll: null,
    persist: "none",
    ended: null,
    isOwnerConfirmed: false,
    isExtended: false,
    logs: [],
    audit: [],
  };
}

/** A new room in state `created`. */
export function createRoom(settings: RoomSettings, now: number): Room {
  return {
    code: settings.code,
    owner: settings.owner,
    claimBy: settings.owner === null ? now + settings.claimTimeoutS * 1000 : null,
    ownerSyncDueAt: null,
    pendingAudit: [],
    auditRetryAt: null,
    customerKeyHash: settings.customerKeyHash,
    inviteKeyHash: null,
    removed: [],
    organisation: settings.organisation,
    caseNumber: settings.caseNumber,
    createdAt: now,
    expiresAt: now + settings.lifetimeS * 1000,
    maxExpiresAt: now + Math.max(settings.lifetimeS, settings.maxLifetimeS ?? settings.lifetimeS) * 1000,
    extendMs: settings.lifetimeS * 1000,
    expirySyncDueAt: null,
    idleMs: settings.idleS * 1000,
    graceMs: settings.graceS * 1000,
    limits: settings.limits,
    signInCheckMs: settings.signInCheckS * 1000,
    signInsCheckedAt: null,
    handshakeLimits: settings.handshake,
    rejoinPerMinute: settings.rejoinPerMin,
    handshake: { failures: 0, lastStartAt: null, open: null },
    consent: {},
    state: "created",
    lastActivityAt: now,
    persistedActivityAt: now,
    endedAt: null,
    endReason: null,
    isEndSynced: false,
    seats: [],
  };
}

/** The session as a participant or the customer's page sees it. */
export function summarize(room: Room): SessionSummary {
  return {
    code: room.code,
    state: room.state,
    expiresAt: room.expiresAt,
    technician: room.owner ? { name: room.owner.name, organisation: room.organisation } : null,
    ...(room.caseNumber ? { caseNumber: room.caseNumber } : {}),
  };
}

/** A seat as other participants see it. */
export function peerOf(seat: Seat): Peer {
  return {
    id: seat.id,
    role: seat.role,
    ...(seat.name ? { name: seat.name } : {}),
    ...(seat.role === "technician" ? { isOwner: seat.isOwner } : {}),
    ...(seat.isAdmitted ? { isAdmitted: true } : {}),
    connected: seat.connected,
    ...(seat.capture ? { capture: seat.capture } : {}),
  };
}

/** Queues `msg` for every connected seat except `except`. */
export function broadcast(room: Room, effects: Effects, msg: ServerMessage, except?: string): void {
  for (const seat of room.seats) {
    if (seat.connected && seat.id !== except) effects.send.push({ to: seat.id, msg });
  }
}

/** Queues an error frame for one participant; `retryAfterS` says when to try again, where that is known. */
export function sendError(
  effects: Effects,
  to: string,
  code: ErrorCode,
  message: string,
  retryAfterS?: number,
): Effects {
  effects.send.push({
    to,
    msg: { type: "error", code, message, ...(retryAfterS === undefined ? {} : { retryAfterS }) },
  });
  return effects;
}

/** Marks the whole room for writing, which also covers last activity. */
export function persistRoom(room: Room, effects: Effects): void {
  effects.persist = "room";
  room.persistedActivityAt = room.lastActivityAt;
}

/** Records activity; asks for a storage write only when the stored value is ACTIVITY_PERSIST_MS stale. */
export function touch(room: Room, now: number, effects: Effects): void {
  if (now <= room.lastActivityAt) return;
  room.lastActivityAt = now;
  if (effects.persist === "none" && now - room.persistedActivityAt >= ACTIVITY_PERSIST_MS) {
    effects.persist = "activity";
    room.persistedActivityAt = now;
  }
}

/** Re-derives the state from the seats (held seats count) and tells everyone but `except` if it changed. */
export function settle(room: Room, effects: Effects, except?: string): void {
  if (room.state === "ended") return;
  const hasCustomer = room.seats.some((s) => s.role === "customer");
  const hasTechnician = room.seats.some((s) => s.role === "technician");
  const next: SessionState =
    hasCustomer && hasTechnician
      ? "connected"
      : room.state === "created" && room.seats.length === 0
        ? "created"
        : "waiting";
  if (next === room.state) return;
  room.state = next;
  persistRoom(room, effects);
  broadcast(room, effects, { type: "state", state: next }, except);
}

const END_MESSAGES: Record<EndReason, string> = {
  ended_by_customer: "The customer ended the session.",
  ended_by_technician: "The technician ended the session.",
  expired: "The session reached its time limit.",
  idle: "The session ended after a period without activity.",
};

/**
 * Ends the room for good: everyone is told (with `why`, when the ending side said the verification code did not
 * match), every socket closes, seats and their tokens are dropped.
 */
export function endRoom(room: Room, reason: EndReason, now: number, effects: Effects, why?: EndWhy): Effects {
  if (room.state === "ended") return effects;
  broadcast(room, effects, { type: "ended", reason, ...(why ? { why } : {}) });
  room.state = "ended";
  room.endedAt = now;
  room.endReason = reason;
  room.isEndSynced = false;
  room.seats = [];
  effects.closeAll = { code: 1000, reason: END_MESSAGES[reason] };
  effects.ended = reason;
  persistRoom(room, effects);
  return effects;
}

/** Why the room must end at `now`, if it must. */
export function dueEnd(room: Room, now: number): EndReason | null {
  if (room.state === "ended") return null;
  if (now >= room.expiresAt || now >= claimDeadline(room)) return "expired";
  if (now >= room.lastActivityAt + room.idleMs) return "idle";
  return null;
}

/** When an unclaimed help request ends for want of an owner; never once it has one, nor for a technician's session. */
function claimDeadline(room: Room): number {
  return room.owner === null && room.claimBy !== null ? room.claimBy : Number.POSITIVE_INFINITY;
}

/** When an ended room's storage may go: a day after the end, or at once when it never had an owner. */
function purgeAt(room: Room): number {
  const endedAt = room.endedAt ?? 0;
  return room.owner === null ? endedAt : endedAt + PURGE_AFTER_MS;
}

/**
 * The alarm's work: end an expired or idle room, else release seats whose grace has passed. `lastPingAt` is the
 * latest keep-alive any socket sent, so a quiet call whose media flows peer to peer is not taken for idle.
 */
export function sweep(room: Room, now: number, lastPingAt: number | null = null): Effects {
  const effects = noEffects();
  if (room.state === "ended") return effects;
  if (lastPingAt !== null && lastPingAt <= now) touch(room, lastPingAt, effects);
  const reason = dueEnd(room, now);
  if (reason) return endRoom(room, reason, now, effects);
  const released = room.seats.filter((s) => !s.connected && s.heldUntil !== null && s.heldUntil <= now);
  if (released.length === 0) return effects;
  // A customer who left after sharing and did not come back (a closed tab, not a reload) has ended the session.
  if (released.some((s) => s.role === "customer" && s.isLeaving)) {
    return endRoom(room, "ended_by_customer", now, effects);
  }
  room.seats = room.seats.filter((s) => !released.includes(s));
  for (const seat of released) broadcast(room, effects, { type: "peerGone", id: seat.id });
  persistRoom(room, effects);
  settle(room, effects);
  return effects;
}

/**
 * Whether an ended room's storage may now be deleted (once D1 holds its end and its owner): a day after the end, at
 * once for a help request that ended without an owner (whose D1 row goes with it: `isForgotten`).
 */
export function isPurgeDue(room: Room, now: number): boolean {
  return (
    room.state === "ended" &&
    room.isEndSynced &&
    room.ownerSyncDueAt === null &&
    room.endedAt !== null &&
    now >= purgeAt(room)
  );
}

/** Whether the room leaves no record behind when purged: a help request no technician was confirmed for. */
export function isForgotten(room: Room): boolean {
  return room.owner === null;
}

/** When the technicians' sign-ins are next due for a check; null when no seat has one or the room has ended. */
export function signInCheckAt(room: Room): number | null {
  if (room.state === "ended" || !room.seats.some((s) => s.signInId !== null)) return null;
  return (room.signInsCheckedAt ?? 0) + room.signInCheckMs;
}

/**
 * When the one alarm should next fire: the earliest of expiry, idle deadline, an unclaimed help request's deadline,
 * seat grace deadlines and hello deadlines, and the next sign-in check while a technician has a seat; for an ended
 * room, at once while D1 still needs the end, else the purge. A confirmed owner that D1 does not hold yet is due at once too.
 */
export function nextAlarmAt(room: Room, oldestPendingAt: number | null = null): number | null {
  const ownerSyncAt = Math.min(
    room.ownerSyncDueAt ?? Number.POSITIVE_INFINITY,
    room.auditRetryAt ?? Number.POSITIVE_INFINITY,
    room.expirySyncDueAt ?? Number.POSITIVE_INFINITY,
  );
  if (room.state === "ended") {
    return Math.min(ownerSyncAt, room.isEndSynced ? purgeAt(room) : (room.endedAt ?? 0));
  }
  let at = Math.min(room.expiresAt, room.lastActivityAt + room.idleMs, ownerSyncAt, claimDeadline(room));
  for (const seat of room.seats) {
    if (!seat.connected && seat.heldUntil !== null) at = Math.min(at, seat.heldUntil);
  }
  if (oldestPendingAt !== null) at = Math.min(at, oldestPendingAt + HELLO_TIMEOUT_MS);
  const checkAt = signInCheckAt(room);
  if (checkAt !== null) at = Math.min(at, checkAt);
  return at;
}
