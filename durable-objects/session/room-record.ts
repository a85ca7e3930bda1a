import * as z from "zod/mini";
import { AuditInput } from "#protocol/audit.ts";
import { describeIssue } from "#protocol/parse.ts";
import {
  Capture,
  EndReason,
  MAX_SEATS,
  ParticipantId,
  Permission,
  Role,
  SessionCode,
  SessionState,
} from "#protocol/room.ts";
import { log } from "../../worker/log.ts";
import { DEFAULT_HANDSHAKE_LIMITS } from "./backoff.ts";

// The room as it is stored, on both hosts: one JSON record, checked against this schema whenever it is read back.
// The schema is the room's type (state.ts derives Room and Seat from it), so a new per-session field is one line
// here; give it a default (`z._default(z.int(), 0)`) and records written before it still read.

const Time = z.int().check(z.nonnegative());

/** RATE_REJOIN_PER_MIN's default, also for rooms stored before it was kept. */
export const DEFAULT_REJOIN_PER_MIN = 6;
const TechnicianId = z.string().check(z.maxLength(64));
const Name = z.string().check(z.maxLength(80));

/** Per-socket limits, fixed when the session is created. */
export const Limits = z.object({
  maxMessageBytes: z.int().check(z.positive()),
  messagesPerS: z.int().check(z.positive()),
  messageBurst: z.int().check(z.positive()),
});
export type Limits = z.infer<typeof Limits>;

/** The handshake limits, fixed when the session is created (backoff.ts; HANDSHAKE_BACKOFF_*, RATE_HANDSHAKE_PER_MIN). */
export const HandshakeLimits = z.object({
  backoffBaseS: z.int().check(z.positive()),
  backoffCapS: z.int().check(z.positive()),
  perMinute: z.int().check(z.positive()),
});
export type HandshakeLimits = z.infer<typeof HandshakeLimits>;

/** What the room charges handshakes against (handshake.ts). */
export const HandshakeRecord = z.object({
  /** Starts accepted since the customer's page last confirmed one; only a confirmation resets it. */
  failures: z.int().check(z.nonnegative()),
  /** When the last start was accepted: the next waits from there. */
  lastStartAt: z.nullable(Time),
  /** The attempt under way, if any: only its technician and the customer may send its rounds. */
  open: z.nullable(z.object({ seatId: ParticipantId, startedAt: Time })),
});
export type HandshakeRecord = z.infer<typeof HandshakeRecord>;

/** One participant's place in the room; it outlives a dropped socket until `heldUntil`. */
export const SeatRecord = z.object({
  id: ParticipantId,
  role: Role,
  technicianId: z.nullable(TechnicianId),
  name: z.nullable(Name),
  isOwner: z.boolean(),
  /** SHA-256 of the seat's current token (worker/auth/tokens.ts). */
  tokenHash: z.string().check(z.maxLength(128)),
  connected: z.boolean(),
  heldUntil: z.nullable(Time),
  joinedAt: Time,
  /** A technician whose latest handshake the customer's page confirmed: only then do signals pass. */
  isVerified: z._default(z.boolean(), false),
  /** The technician's sign-in (sign_ins.id) they joined with, checked every signInCheckMs; null for a customer. */
  signInId: z._default(z.nullable(z.string().check(z.maxLength(64))), null),
  /** The customer's page said it was going away (`leaving`): the session ends if the seat is released unclaimed. */
  isLeaving: z._default(z.boolean(), false),
  /** The seat's budget for being taken back (rejoinPerMinute); null until it first is. */
  rejoins: z._default(z.nullable(z.object({ tokens: z.number().check(z.nonnegative()), updatedAt: Time })), null),
  /** The customer's: what their browser can share, as their latest hello said; null for a technician or unsaid. */
  capture: z._default(z.nullable(Capture), null),
  /** A colleague (a technician who is not the owner) the customer's page has let in: only then do signals pass. */
  isAdmitted: z._default(z.boolean(), false),
});
export type SeatRecord = z.infer<typeof SeatRecord>;

/** The most removed technicians a room remembers; the earliest are forgotten beyond this. */
export const MAX_REMOVED = 32;

/** The most audit entries a room holds while the log cannot take them; later ones are logged and dropped. */
export const MAX_PENDING_AUDIT = 100;

/** Everything the room keeps across hibernation and restarts. */
export const RoomRecord = z.object({
  code: SessionCode,
  /**
   * The technician who owns the session: its creator, or for a customer's help request (null until then) the
   * technician whose handshake the customer's page confirmed.
   */
  owner: z.nullable(z.object({ id: TechnicianId, name: Name })),
  /**
   * For a help request, when it ends unless the customer's page has confirmed a technician by then
   * (HELP_CLAIM_TIMEOUT_S after it was made); null for a technician's session.
   */
  claimBy: z._default(z.nullable(Time), null),
  /** When a confirmed owner still has to be written to D1's sessions row; null once it is. */
  ownerSyncDueAt: z._default(z.nullable(Time), null),
  /** Audit entries the log could not take yet, oldest first, and when the alarm next tries them (null: none). */
  pendingAudit: z._default(z.array(AuditInput).check(z.maxLength(MAX_PENDING_AUDIT)), () => []),
  auditRetryAt: z._default(z.nullable(Time), null),
  /** SHA-256 (base64url) of the invite key the owner registered (`invite`); null: nobody was invited. */
  inviteKeyHash: z._default(z.nullable(z.string().check(z.maxLength(64))), null),
  /** Technicians the customer took out of the session: none of them is seated again. */
  removed: z._default(z.array(TechnicianId).check(z.maxLength(MAX_REMOVED)), () => []),
  /** SHA-256 of the customer's seat key (base64url); a room stored without one seats no customer. */
  customerKeyHash: z._default(z.nullable(z.string().check(z.maxLength(64))), null),
  organisation: Name,
  caseNumber: z.nullable(z.string().check(z.maxLength(64))),
  createdAt: Time,
  expiresAt: Time,
  /** The latest `expiresAt` extensions may reach (SESSION_MAX_LIFETIME_S after creation); null: no extensions. */
  maxExpiresAt: z._default(z.nullable(Time), null),
  /** What one extension adds to `expiresAt` (SESSION_LIFETIME_S). */
  extendMs: z._default(Time, 0),
  /** When an extended `expiresAt` still has to be written to D1's sessions row; null once it is. */
  expirySyncDueAt: z._default(z.nullable(Time), null),
  idleMs: Time,
  graceMs: Time,
  limits: Limits,
  /** How often the technicians' sign-ins are checked (SIGN_IN_CHECK_S): a revoked one's seat goes within this. */
  signInCheckMs: z._default(Time, 60_000),
  /** When they were last checked; null before the first technician with a sign-in is seated. */
  signInsCheckedAt: z._default(z.nullable(Time), null),
  handshakeLimits: z._default(HandshakeLimits, () => ({ ...DEFAULT_HANDSHAKE_LIMITS })),
  /** How often one seat may be taken back, per minute, bursting to as many (RATE_REJOIN_PER_MIN; seats.ts). */
  rejoinPerMinute: z._default(z.int().check(z.positive()), DEFAULT_REJOIN_PER_MIN),
  handshake: z._default(HandshakeRecord, () => ({ failures: 0, lastStartAt: null, open: null })),
  /** The permissions the customer's page last said it gave (true) or took back (false); the audit log has each change. */
  consent: z._default(z.partialRecord(Permission, z.boolean()), () => ({})),
  state: SessionState,
  lastActivityAt: Time,
  endedAt: z.nullable(Time),
  endReason: z.nullable(EndReason),
  /** Whether D1's sessions.ended_at has been written since the end. */
  isEndSynced: z.boolean(),
  seats: z.array(SeatRecord).check(z.maxLength(MAX_SEATS)),
});
export type RoomRecord = z.infer<typeof RoomRecord>;

/** Everything the room knows: its stored record and what only memory tracks (state.ts works on this). */
export type Room = RoomRecord & {
  /** The lastActivityAt that storage holds. */
  persistedActivityAt: number;
};

/** The stored form of a room: everything but what only memory tracks. */
export function formatRoomRecord(room: Room): string {
  const { persistedActivityAt: _memoryOnly, ...record } = room;
  return JSON.stringify(record satisfies RoomRecord);
}

/**
 * The result of reading a stored record. A failure names the failing field's path ("" for the whole record) and
 * the room's code when the record still holds a valid one, never a stored value.
 */
export type RoomRecordResult =
  | { ok: true; room: Room }
  | { ok: false; error: string; field: string; code: string | null };

/** Checks a stored record against the schema; the error names the field, never its value. */
export function parseRoomRecord(text: string): RoomRecordResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "The stored room is not valid JSON.", field: "", code: null };
  }
  const parsed = RoomRecord.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const code = SessionCode.safeParse((value as { code?: unknown } | null)?.code);
    return {
      ok: false,
      error: describeIssue(issue),
      field: issue?.path.join(".") ?? "",
      code: code.success ? code.data : null,
    };
  }
  return { ok: true, room: { ...parsed.data, persistedActivityAt: parsed.data.lastActivityAt } };
}

/**
 * The stored room, or null (logged) when the record does not pass the schema: the room then holds no session, so
 * it refuses sockets and its storage is dropped at its next alarm, rather than running on state it cannot trust.
 */
export function readRoomRecord(text: string): Room | null {
  const result = parseRoomRecord(text);
  if (result.ok) return result.room;
  log({ event: "room_record_invalid", code: result.code, field: result.field });
  return null;
}
