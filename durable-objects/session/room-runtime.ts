import type { AuditInput } from "#protocol/audit.ts";
import type { Role, SessionSummary } from "#protocol/room.ts";
import type { Room, RoomSettings } from "./state.ts";

// What a runtime lends a room: sockets, storage, one alarm and a clock. The Durable Object provides them from its
// state (hibernatable sockets, SQLite storage, the object's alarm); the Deno host from in-process sockets, SQLite
// and timers. RoomHost.ts holds everything else.

/** A keep-alive: a socket that sends exactly this text gets KEEPALIVE_RESPONSE back and touches nothing else. */
export const KEEPALIVE_REQUEST = "ping";

/** The answer to KEEPALIVE_REQUEST. */
export const KEEPALIVE_RESPONSE = "pong";

/** A participant's connection, as the room uses it. */
export type RoomSocket = { send(text: string): void; close(code: number, reason: string): void };

/** What each socket carries (through hibernation, on Workers): who the Worker said it is, and its seat once it has one. */
export type Attachment = {
  role: Role;
  technicianId: string | null;
  name: string | null;
  participantId: string | null;
  acceptedAt: number;
  /** A technician's sign-in, as the Worker checked it (sign_ins.id); absent from sockets accepted before it was kept. */
  signInId?: string | null;
  /**
   * The client's address as rate limits key it (clientKey: IPv4, or the IPv6 /64), for the per-address handshake
   * budget. Absent from sockets accepted before it was kept.
   */
  clientKey?: string | null;
  /**
   * The room closed this socket before it said hello; until the peer answers the close (which a runtime may wait for,
   * and a hostile peer never sends) it stays listed, but no longer counts towards the hello deadline.
   */
  isRefused?: boolean;
};

/** The room's durable state. Writes are synchronous so that they land before the frames that follow them. */
export type RoomStorage = {
  /** The stored room, or null when there is none or it fails the record's schema (room-record.ts). */
  load(): Room | null;
  /** Writes the whole room, last activity included. */
  saveRoom(room: Room): void;
  /** Deletes everything stored for the room. */
  deleteAll(): Promise<void>;
};

/** The room's one alarm: when it fires, the runtime calls RoomHost.alarm(); a throwing alarm is retried. */
export type RoomAlarm = {
  get(): Promise<number | null>;
  set(at: number): Promise<void>;
  delete(): Promise<void>;
};

/** Everything a runtime provides to run one room. */
export type RoomRuntime<S extends RoomSocket> = {
  /** Every socket accepted for this room and not closed yet, seated or not. */
  sockets(): Iterable<S>;
  /** The socket's attachment, or null when it has none. */
  attachment(ws: S): Attachment | null;
  /** Replaces the socket's attachment. */
  attach(ws: S, attachment: Attachment): void;
  /** The latest keep-alive any socket sent (answered without the room's involvement), or null. */
  lastPingAt(): number | null;
  storage: RoomStorage;
  alarm: RoomAlarm;
  /** Records the session's end where the Worker looks sessions up (the sessions table); throws on failure. */
  recordEnd(code: string, endedAt: number): Promise<void>;
  /**
   * Records the owner the customer confirmed in the sessions table (so it lists the session), replacing whatever the
   * row says: the room decides ownership, the table follows. Throws on failure.
   */
  recordOwner(code: string, technicianId: string): Promise<void>;
  /** Writes the session's extended expiry to the sessions table (which the Worker checks links against); throws on failure. */
  recordExpiry(code: string, expiresAt: number): Promise<void>;
  /** Deletes the session's row from the sessions table (a help request that ended unclaimed); throws on failure. */
  forgetSession(code: string): Promise<void>;
  /**
   * Takes one token from the bucket of `scope` for `key` (a client address, or a technician): the same buckets the
   * Worker's per-address limits use, so one budget covers every session.
   */
  hit(key: string, scope: string, limitPerMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
  /** Of the sign-ins `ids`, those still live (the sign-ins table); throws when it cannot be read. */
  liveSignIns(ids: readonly string[]): Promise<Set<string>>;
  /** Appends an entry to the organisation's audit log; throws when it could not be stored. */
  audit(input: AuditInput): Promise<number>;
  now(): number;
};

/** What a host provides to every room alike, beside each room's own sockets, storage and alarm. */
export type RoomServices = Pick<
  RoomRuntime<RoomSocket>,
  "recordEnd" | "recordOwner" | "recordExpiry" | "forgetSession" | "hit" | "liveSignIns" | "audit"
>;

/** Input of `create`: the settings plus the creation time the Worker also wrote to the sessions table. */
export type CreateRoomInput = RoomSettings & { now: number };

export type CreateRoomResult = { ok: true; expiresAt: number } | { ok: false; code: "CONFLICT"; message: string };

export type RoomInfoResult =
  | { ok: true; session: SessionSummary }
  | { ok: false; code: "SESSION_NOT_FOUND" | "SESSION_ENDED" | "SEAT_KEY_INVALID"; message: string };

/** Whether a new socket may be accepted, and if not, what to tell it before closing it (1008). */
export type Admission = { ok: true } | { ok: false; code: "SESSION_NOT_FOUND" | "SESSION_ENDED"; message: string };
