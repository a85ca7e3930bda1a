import type { AuditInput } from "#protocol/audit.ts";
import type { EndReason } from "#protocol/room.ts";
import { type ClientMessage, parseClientMessage } from "#protocol/room.ts";
import { hashSeatKey, hashToken, newToken } from "../../worker/auth/tokens.ts";
import { log } from "../../worker/log.ts";
import { dispatch } from "./dispatch.ts";
import { checkFlood, type FloodState, newFloodState } from "./flood.ts";
import { MAX_PENDING_AUDIT } from "./room-record.ts";
import type {
  Admission,
  Attachment,
  CreateRoomInput,
  CreateRoomResult,
  RoomInfoResult,
  RoomRuntime,
  RoomSocket,
} from "./room-runtime.ts";
import { holdsSeatKey, type JoinRequest, join, leave, reconcile } from "./seats.ts";
import { dropRevoked, signInsDue } from "./sign-in-check.ts";
import { closeQuietly as close, refuse, sendQuietly as send } from "./socket-io.ts";
import {
  createRoom,
  type Effects,
  HELLO_TIMEOUT_MS,
  isForgotten,
  isPurgeDue,
  nextAlarmAt,
  type Room,
  summarize,
  sweep,
} from "./state.ts";

/** A socket still waiting for its hello: not seated, not refused. */
function isPending(attachment: Attachment | null): attachment is Attachment {
  return attachment !== null && !attachment.participantId && !attachment.isRefused;
}

/** How long after a failed audit append the alarm tries again. */
export const AUDIT_RETRY_MS = 10_000;

/** The audit entry of a session's end: who ended it, or the server for expiry and idleness. */
function endEntry(room: Room, reason: EndReason): AuditInput {
  const actor =
    reason === "ended_by_customer"
      ? "customer"
      : reason === "ended_by_technician" && room.owner
        ? `technician:${room.owner.id}`
        : "system";
  return { actor, session: room.code, type: "session_ended", data: { reason } };
}

/**
 * One support session on any runtime: socket events, RPCs and the alarm go in; frames, closes, storage writes and
 * the next alarm come out. The decisions come from the pure core (state.ts, seats.ts, dispatch.ts, flood.ts); this
 * class carries them out through the runtime's sockets, storage and alarm. The Durable Object and the Deno host
 * are thin adapters around it.
 */
export class RoomHost<S extends RoomSocket> {
  /** A cache of storage, filled by `start`. */
  private room: Room | null = null;
  private readonly seated = new Map<string, S>();
  private readonly floods = new WeakMap<S, FloodState>();
  private readonly joining = new WeakSet<S>();

  constructor(private readonly runtime: RoomRuntime<S>) {}

  /** Whether this room holds a session (false before `create` and after the purge). */
  get hasSession(): boolean {
    return this.room !== null;
  }

  /** Loads the room and finds the seated sockets; seats whose sockets went away meanwhile are dropped now. */
  async start(): Promise<void> {
    this.room = this.runtime.storage.load();
    this.seated.clear();
    for (const ws of this.runtime.sockets()) {
      const participantId = this.runtime.attachment(ws)?.participantId;
      if (participantId) this.seated.set(participantId, ws);
    }
    if (this.room) return this.apply(reconcile(this.room, new Set(this.seated.keys()), this.runtime.now()));
    // Sockets but no room: its record failed the schema (logged by the store). End them rather than guess.
    for (const ws of this.runtime.sockets()) {
      send(ws, { type: "error", code: "INTERNAL", message: "This session's state could not be read; it has ended." });
      close(ws, 1011, "Session state unreadable");
    }
  }

  /** Creates the session; CONFLICT when the room already holds one (the Worker then tries another code). */
  async create(input: CreateRoomInput): Promise<CreateRoomResult> {
    if (this.room) return { ok: false, code: "CONFLICT", message: "This code is already in use." };
    const { now, ...settings } = input;
    const room = createRoom(settings, now);
    this.runtime.storage.saveRoom(room);
    this.room = room;
    await this.armAlarm();
    return { ok: true, expiresAt: room.expiresAt };
  }

  /** What the customer's page shows before joining, to that page only: it proves its seat key by the key's hash. */
  async info(customerKeyHash: string): Promise<RoomInfoResult> {
    const room = this.room;
    if (!room) return { ok: false, code: "SESSION_NOT_FOUND", message: "There is no session with this code." };
    if (!holdsSeatKey(room, customerKeyHash)) {
      return { ok: false, code: "SEAT_KEY_INVALID", message: "Only this session's customer page may read it." };
    }
    await this.apply(sweep(room, this.runtime.now(), this.runtime.lastPingAt()));
    if (room.state === "ended") return { ok: false, code: "SESSION_ENDED", message: "This session has ended." };
    return { ok: true, session: summarize(room) };
  }

  /** Whether a new socket may join; the runtime refuses it with the given error otherwise. */
  async admit(): Promise<Admission> {
    const room = this.room;
    if (!room) return { ok: false, code: "SESSION_NOT_FOUND", message: "There is no session with this code." };
    await this.apply(sweep(room, this.runtime.now(), this.runtime.lastPingAt()));
    if (room.state === "ended") return { ok: false, code: "SESSION_ENDED", message: "This session has ended." };
    return { ok: true };
  }

  /**
   * A socket the runtime has just accepted for `who`, from the address `clientKey` (clientKey.ts); it must say hello
   * within HELLO_TIMEOUT_MS.
   */
  async accepted(ws: S, who: JoinRequest, clientKey: string): Promise<void> {
    this.runtime.attach(ws, {
      role: who.role,
      technicianId: who.role === "technician" ? who.technicianId : null,
      name: who.role === "technician" ? who.name : null,
      signInId: who.role === "technician" ? (who.signInId ?? null) : null,
      participantId: null,
      acceptedAt: this.runtime.now(),
      clientKey,
    });
    await this.armAlarm();
  }

  /** One frame from a socket (keep-alives are the runtime's): flood check, parse, then hello or dispatch. */
  async message(ws: S, data: string | ArrayBuffer): Promise<void> {
    const room = this.room;
    const attachment = this.runtime.attachment(ws);
    if (!room || !attachment) {
      send(ws, { type: "error", code: "INTERNAL", message: "This connection has no session; reconnect." });
      return close(ws, 1011, "No session");
    }
    const now = this.runtime.now();
    let flood = this.floods.get(ws);
    if (!flood) {
      flood = newFloodState();
      this.floods.set(ws, flood);
    }
    const verdict = checkFlood(flood, room.limits, now);
    if (verdict !== "ok") {
      if (verdict === "abusive") {
        log({ event: "room_socket_abusive", code: room.code, participantId: attachment.participantId });
        return refuse(ws, "RATE_LIMITED", "Too many messages; slow down.");
      }
      return send(ws, { type: "error", code: "RATE_LIMITED", message: "Too many messages; slow down." });
    }

    const parsed = parseClientMessage(data, room.limits.maxMessageBytes);
    if (!parsed.ok) {
      send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "UNSUPPORTED_VERSION") close(ws, 1008, "Unsupported protocol version");
      return;
    }
    if (attachment.participantId) {
      if (parsed.msg.type === "pakeStart" && attachment.role === "technician") {
        const retryAfterMs = await this.takeHandshakeBudget(room, attachment);
        if (retryAfterMs !== null) {
          log({
            event: "handshake_charged",
            code: room.code,
            outcome: "rate_limited",
            failures: room.handshake.failures,
          });
          const retryAfterS = Math.max(1, Math.ceil(retryAfterMs / 1000));
          const message = `Too many handshakes from your account or network; try again in ${retryAfterS} s.`;
          return send(ws, { type: "error", code: "RATE_LIMITED", message, retryAfterS });
        }
      }
      // The budget's answer may have taken a while: decide on the room as it is now.
      const participantId = this.runtime.attachment(ws)?.participantId;
      if (!participantId || this.room !== room) return;
      return this.apply(dispatch(room, participantId, parsed.msg, this.runtime.now()));
    }
    if (parsed.msg.type !== "hello") {
      send(ws, { type: "error", code: "MESSAGE_INVALID", message: "Send hello first." });
      return;
    }
    return this.hello(ws, attachment, parsed.msg);
  }

  /** A socket closed or failed: its seat, if it had one, is held for the grace period. */
  async closed(ws: S): Promise<void> {
    this.floods.delete(ws);
    const attachment = this.runtime.attachment(ws);
    const participantId = attachment?.participantId;
    const room = this.room;
    if (!attachment || !participantId || !room) return;
    this.runtime.attach(ws, { ...attachment, participantId: null });
    this.seated.delete(participantId);
    await this.apply(leave(room, participantId, this.runtime.now()));
  }

  /**
   * The alarm: closes sockets that never said hello, ends expired, idle or unclaimed sessions, releases seats whose
   * grace passed, drops technicians whose sign-in was taken back (checked every signInCheckMs), records ends, and
   * purges the room's storage a day after its end (at once if it could not be read, and at once with its sessions
   * row for a help request that ended without an owner).
   * Throws (to be retried) when the end cannot be recorded or the row deleted.
   */
  async alarm(): Promise<void> {
    const room = this.room;
    // No room yet an alarm: storage holds only a record that failed the schema. Drop it, as a purge would.
    if (!room) return this.purge();
    const now = this.runtime.now();
    for (const ws of this.runtime.sockets()) {
      const attachment = this.runtime.attachment(ws);
      if (isPending(attachment) && attachment.acceptedAt + HELLO_TIMEOUT_MS <= now) {
        // Still listed until the peer answers the close: it must not keep the alarm due.
        this.runtime.attach(ws, { ...attachment, isRefused: true });
        refuse(ws, "MESSAGE_INVALID", "No hello received in time.");
      }
    }
    await this.apply(sweep(room, now, this.runtime.lastPingAt()));
    await this.checkSignIns(room, now);
    if (room.ownerSyncDueAt !== null) await this.syncOwner(room, true);
    if (room.expirySyncDueAt !== null) await this.syncExpiry(room, true);
    if (room.auditRetryAt !== null && room.auditRetryAt <= now) await this.retryAudit(room);
    if (room.state === "ended" && !room.isEndSynced) await this.syncEnd(room, true);
    if (isPurgeDue(room, now)) {
      if (isForgotten(room)) await this.runtime.forgetSession(room.code);
      return this.purge();
    }
    // The alarm that is running counts as spent, so set the next one even if it looks unchanged.
    await this.armAlarm(true);
  }

  private async hello(ws: S, attachment: Attachment, msg: Extract<ClientMessage, { type: "hello" }>) {
    if (this.joining.has(ws)) {
      send(ws, { type: "error", code: "MESSAGE_INVALID", message: "You have already said hello on this connection." });
      return;
    }
    this.joining.add(ws);
    try {
      const token = newToken();
      const [tokenHash, resumeHash, seatKeyHash, inviteKeyHash] = await Promise.all([
        hashToken(token),
        msg.resume ? hashToken(msg.resume) : null,
        attachment.role === "customer" && msg.seatKey ? hashSeatKey(msg.seatKey) : null,
        attachment.role === "technician" && msg.inviteKey ? hashSeatKey(msg.inviteKey) : null,
      ]);
      const room = this.room;
      if (!room) return;
      const now = this.runtime.now();
      await this.apply(sweep(room, now, this.runtime.lastPingAt()));
      const request: JoinRequest =
        attachment.role === "customer"
          ? { role: "customer", ...(msg.capture ? { capture: msg.capture } : {}) }
          : {
              role: "technician",
              technicianId: attachment.technicianId ?? "",
              name: attachment.name ?? "",
              ...(attachment.signInId ? { signInId: attachment.signInId } : {}),
            };
      // A participant id needs to be unique only within one room: 48 bits, 8 characters.
      const fresh = { participantId: newToken(6), token, tokenHash };
      const result = join(room, request, { resumeHash, seatKeyHash, inviteKeyHash }, fresh, now);
      if (!result.ok) {
        log({ event: "room_join_refused", code: room.code, reason: result.code });
        return refuse(ws, result.code, result.message, result.retryAfterS);
      }
      const previous = this.seated.get(result.seat.id);
      if (previous && previous !== ws) {
        // The seat's old socket (a reload, a half-open connection) gives way; it must not release the seat as it closes.
        const old = this.runtime.attachment(previous);
        if (old) this.runtime.attach(previous, { ...old, participantId: null });
        close(previous, 1000, "Replaced by a newer connection");
      }
      this.runtime.attach(ws, { ...attachment, participantId: result.seat.id });
      this.seated.set(result.seat.id, ws);
      log({ event: "room_joined", code: room.code, role: result.seat.role, isResumed: result.isResumed });
      if (request.role === "technician" && !result.isResumed) {
        const data = { technician: request.technicianId };
        result.effects.audit.push({
          actor: `technician:${request.technicianId}`,
          session: room.code,
          type: "technician_admitted",
          data,
        });
      }
      await this.apply(result.effects);
    } finally {
      this.joining.delete(ws);
    }
  }

  /**
   * Takes a token from the handshake budget of the technician and of their address (RATE_HANDSHAKE_PER_MIN each),
   * before the room charges the start itself; null when both allow it, else how long until they would. A socket
   * accepted before sockets carried their address key is charged to the technician alone, never to a shared key.
   */
  private async takeHandshakeBudget(room: Room, attachment: Attachment): Promise<number | null> {
    const limit = room.handshakeLimits.perMinute;
    const keys = [`technician:${attachment.technicianId ?? ""}`];
    if (attachment.clientKey) keys.push(attachment.clientKey);
    const results = await Promise.all(keys.map((key) => this.runtime.hit(key, "handshake", limit)));
    const refused = results.filter((r) => !r.allowed);
    return refused.length === 0 ? null : Math.max(...refused.map((r) => r.retryAfterMs));
  }

  /**
   * Checks the seated technicians' sign-ins when a check is due, and drops those taken back. When the sign-ins table
   * cannot be read, everyone stays until the next check: an outage must not throw technicians out, nor make the
   * alarm retry at once.
   */
  private async checkSignIns(room: Room, now: number): Promise<void> {
    const due = signInsDue(room, now);
    if (due.length === 0) return;
    let live: Set<string>;
    try {
      live = await this.runtime.liveSignIns(due);
    } catch (err) {
      log({ event: "sign_in_check_failed", code: room.code, message: String(err).slice(0, 200) });
      live = new Set(due);
    }
    // The answer may have taken a while: decide on the room as it is now.
    if (this.room !== room) return;
    await this.apply(dropRevoked(room, due, live, this.runtime.now()));
  }

  /** Carries out a decision: storage first (frames must not announce what storage does not hold), then frames. */
  private async apply(effects: Effects): Promise<void> {
    const room = this.room;
    if (!room) return;
    // The room is one small record, so an activity update writes it whole.
    if (effects.persist !== "none") this.runtime.storage.saveRoom(room);
    for (const entry of effects.logs) log(entry);
    for (const { to, msg } of effects.send) {
      const ws = this.seated.get(to);
      if (ws) send(ws, msg);
    }
    for (const { to, code, message } of effects.refuse) {
      const ws = this.seated.get(to);
      if (!ws) continue;
      // The seat is gone already: its socket's close must not hold it for the grace period.
      const attachment = this.runtime.attachment(ws);
      if (attachment) this.runtime.attach(ws, { ...attachment, participantId: null });
      this.seated.delete(to);
      refuse(ws, code, message);
    }
    if (effects.closeAll) {
      for (const ws of this.runtime.sockets()) close(ws, effects.closeAll.code, effects.closeAll.reason);
      this.seated.clear();
    }
    if (effects.ended) {
      log({ event: "session_ended", code: room.code, reason: effects.ended });
      await this.syncEnd(room, false);
    }
    if (effects.isOwnerConfirmed) await this.syncOwner(room, false);
    if (effects.isExtended) await this.syncExpiry(room, false);
    // After the frames and the sessions table, so that waiting on the log delays neither.
    await this.audit(effects.ended ? [...effects.audit, endEntry(room, effects.ended)] : effects.audit);
    if (effects.persist === "room") await this.armAlarm();
  }

  /**
   * Appends entries to the audit log, in order. Those it cannot take now (and any after them) wait in the room's
   * record, stamped with when they happened, for the alarm to try again: the room goes on meanwhile.
   */
  private async audit(entries: readonly AuditInput[]): Promise<void> {
    const room = this.room;
    if (!room || entries.length === 0) return;
    // Entries already waiting go first.
    if (room.pendingAudit.length > 0) return this.holdAudit(room, entries);
    for (const [index, entry] of entries.entries()) {
      try {
        await this.runtime.audit(entry);
      } catch (err) {
        log({ event: "audit_append_failed", type: entry.type, message: String(err).slice(0, 200) });
        return this.holdAudit(room, entries.slice(index));
      }
    }
  }

  /** Keeps entries for the alarm to append later. */
  private async holdAudit(room: Room, entries: readonly AuditInput[]): Promise<void> {
    const now = this.runtime.now();
    for (const entry of entries) {
      if (room.pendingAudit.length >= MAX_PENDING_AUDIT) {
        log({ event: "audit_append_failed", type: entry.type, message: "dropped: too many entries waiting" });
        continue;
      }
      room.pendingAudit.push({ ...entry, data: { ...entry.data, occurredAt: now } });
    }
    room.auditRetryAt ??= now + AUDIT_RETRY_MS;
    this.runtime.storage.saveRoom(room);
    await this.armAlarm();
  }

  /** The alarm's try at the entries waiting; those that still fail wait for the next. */
  private async retryAudit(room: Room): Promise<void> {
    while (room.pendingAudit.length > 0) {
      const entry = room.pendingAudit[0] as AuditInput;
      try {
        await this.runtime.audit(entry);
      } catch (err) {
        log({ event: "audit_append_failed", type: entry.type, message: String(err).slice(0, 200) });
        room.auditRetryAt = this.runtime.now() + AUDIT_RETRY_MS;
        this.runtime.storage.saveRoom(room);
        return;
      }
      room.pendingAudit.shift();
      this.runtime.storage.saveRoom(room);
    }
    room.auditRetryAt = null;
    this.runtime.storage.saveRoom(room);
  }

  /** Writes the confirmed owner to the sessions table; outside the alarm a failure is left for the alarm to retry. */
  private async syncOwner(room: Room, isRetry: boolean): Promise<void> {
    if (!room.owner) return;
    try {
      await this.runtime.recordOwner(room.code, room.owner.id);
    } catch (err) {
      log({ event: "session_owner_sync_failed", code: room.code, message: String(err).slice(0, 200) });
      if (isRetry) throw err;
      return;
    }
    room.ownerSyncDueAt = null;
    this.runtime.storage.saveRoom(room);
  }

  /** Writes an extended expiry to the sessions table; outside the alarm a failure is left for the alarm to retry. */
  private async syncExpiry(room: Room, isRetry: boolean): Promise<void> {
    try {
      await this.runtime.recordExpiry(room.code, room.expiresAt);
    } catch (err) {
      log({ event: "session_expiry_sync_failed", code: room.code, message: String(err).slice(0, 200) });
      if (isRetry) throw err;
      return;
    }
    room.expirySyncDueAt = null;
    this.runtime.storage.saveRoom(room);
  }

  /** Records the end; outside the alarm a failure is left for the alarm to retry. */
  private async syncEnd(room: Room, isRetry: boolean): Promise<void> {
    try {
      await this.runtime.recordEnd(room.code, room.endedAt ?? this.runtime.now());
    } catch (err) {
      log({ event: "session_end_sync_failed", code: room.code, message: String(err).slice(0, 200) });
      if (isRetry) throw err;
      return;
    }
    room.isEndSynced = true;
    this.runtime.storage.saveRoom(room);
  }

  /** Deletes the room's alarm and storage: the object or row holds no session afterwards. */
  private async purge(): Promise<void> {
    await this.runtime.alarm.delete();
    await this.runtime.storage.deleteAll();
    this.room = null;
  }

  /** Sets the one alarm to the core's next deadline, or clears it when no work remains. */
  private async armAlarm(isForced = false): Promise<void> {
    const room = this.room;
    let oldestPendingAt: number | null = null;
    for (const ws of this.runtime.sockets()) {
      const attachment = this.runtime.attachment(ws);
      if (isPending(attachment)) {
        oldestPendingAt = Math.min(oldestPendingAt ?? attachment.acceptedAt, attachment.acceptedAt);
      }
    }
    const at = room ? nextAlarmAt(room, oldestPendingAt) : null;
    const current = await this.runtime.alarm.get();
    if (at === null) {
      if (current !== null) await this.runtime.alarm.delete();
    } else if (isForced || current !== at) {
      await this.runtime.alarm.set(at);
    }
  }
}
