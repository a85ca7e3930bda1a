import * as z from "zod/mini";
import { describeIssue } from "#protocol/parse.ts";
import { EndReason, MAX_SEATS, ParticipantId, Role, SessionCode, SessionState } from "#protocol/room.ts";
import { log } from "../../worker/log.ts";
import type { Room } from "./state.ts";

// The room as it is stored, on both hosts: one JSON record, checked against this schema whenever it is read back.
// The schema is the room's type (state.ts derives Room and Seat from it), so a new per-session field is one line
// here; give it a default (`z._default(z.int(), 0)`) and records written before it still read.

const Time = z.int().check(z.nonnegative());
const TechnicianId = z.string().check(z.maxLength(64));
const Name = z.string().check(z.maxLength(80));

/** Per-socket limits, fixed when the session is created. */
export const Limits = z.object({
  maxMessageBytes: z.int().check(z.positive()),
  messagesPerS: z.int().check(z.positive()),
  messageBurst: z.int().check(z.positive()),
});
export type Limits = z.infer<typeof Limits>;

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
});
export type SeatRecord = z.infer<typeof SeatRecord>;

/** Everything the room keeps across hibernation and restarts. */
export const RoomRecord = z.object({
  code: SessionCode,
  /** The technician who owns the session; null for a customer's help request until a technician joins. */
  owner: z.nullable(z.object({ id: TechnicianId, name: Name })),
  organisation: Name,
  caseNumber: z.nullable(z.string().check(z.maxLength(64))),
  createdAt: Time,
  expiresAt: Time,
  idleMs: Time,
  graceMs: Time,
  limits: Limits,
  state: SessionState,
  lastActivityAt: Time,
  endedAt: z.nullable(Time),
  endReason: z.nullable(EndReason),
  /** Whether D1's sessions.ended_at has been written since the end. */
  isEndSynced: z.boolean(),
  seats: z.array(SeatRecord).check(z.maxLength(MAX_SEATS)),
});
export type RoomRecord = z.infer<typeof RoomRecord>;

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
