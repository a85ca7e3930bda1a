import { DurableObject } from "cloudflare:workers";
import { markSessionEnded } from "../../worker/db/sessions.ts";
import { log } from "../../worker/log.ts";
import type { ErrorCode } from "../../worker/protocol/errors.ts";
import {
  type ClientMessage,
  parseClientMessage,
  type Role,
  type ServerMessage,
  type SessionSummary,
} from "../../worker/protocol/room.ts";
import { dispatch } from "./dispatch.ts";
import { checkFlood, type FloodState, newFloodState } from "./flood.ts";
import { fromJoinHeaders } from "./join-headers.ts";
import { hashSeatToken, newParticipantId, newSeatToken } from "./random.ts";
import { type JoinRequest, join, leave, reconcile } from "./seats.ts";
import {
  createRoom,
  type Effects,
  HELLO_TIMEOUT_MS,
  isPurgeDue,
  nextAlarmAt,
  type Room,
  type RoomSettings,
  summarize,
  sweep,
} from "./state.ts";
import { loadRoom, migrate, saveActivity, saveRoom } from "./store.ts";

/** What each socket carries through hibernation: who the Worker said it is, and its seat once it has one. */
type Attachment = {
  role: Role;
  technicianId: string | null;
  name: string | null;
  participantId: string | null;
  acceptedAt: number;
};

/** RPC input of `create`: the settings plus the creation time the Worker also wrote to D1. */
export type CreateRoomInput = RoomSettings & { now: number };

export type CreateRoomResult = { ok: true; expiresAt: number } | { ok: false; code: "CONFLICT"; message: string };

export type RoomInfoResult =
  | { ok: true; session: SessionSummary }
  | { ok: false; code: "SESSION_NOT_FOUND" | "SESSION_ENDED"; message: string };

function frame(msg: ServerMessage): string {
  return JSON.stringify(msg);
}

function send(ws: WebSocket, msg: ServerMessage): void {
  try {
    ws.send(frame(msg));
  } catch {
    // The socket is already closing; its close handler does the bookkeeping.
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    // Already closed.
  }
}

/** Accepts a socket only to say why it cannot join, then closes it (1008). */
function refuseSocket(code: ErrorCode, message: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  send(server, { type: "error", code, message });
  close(server, 1008, message);
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * One per support session: seats, signaling relay, state and expiry. A thin adapter: the decisions come from the
 * pure core (state.ts, seats.ts, dispatch.ts); this class only moves them between sockets, SQLite and D1.
 */
export class SessionRoom extends DurableObject<Env> {
  /** A cache of storage; rebuilt by the constructor after every hibernation or eviction. */
  private room: Room | null = null;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly floods = new WeakMap<WebSocket, FloodState>();
  private readonly attachments = new WeakMap<WebSocket, Attachment>();
  private readonly joining = new WeakSet<WebSocket>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql);
      this.room = loadRoom(ctx.storage.sql);
      for (const ws of ctx.getWebSockets()) {
        const participantId = this.attachment(ws)?.participantId;
        if (participantId) this.sockets.set(participantId, ws);
      }
      // Sockets closed while the object was gone (an eviction that closed them) leave their seats held.
      if (this.room) await this.apply(reconcile(this.room, new Set(this.sockets.keys()), Date.now()));
    });
  }

  /** Creates the session in this object; CONFLICT when it already holds one (the Worker then tries another code). */
  async create(input: CreateRoomInput): Promise<CreateRoomResult> {
    migrate(this.ctx.storage.sql);
    if (this.room) return { ok: false, code: "CONFLICT", message: "This code is already in use." };
    const { now, ...settings } = input;
    const room = createRoom(settings, now);
    saveRoom(this.ctx.storage, room);
    this.room = room;
    await this.armAlarm();
    return { ok: true, expiresAt: room.expiresAt };
  }

  /** What the customer's page shows before joining. */
  async info(): Promise<RoomInfoResult> {
    const room = this.room;
    if (!room) return { ok: false, code: "SESSION_NOT_FOUND", message: "There is no session with this code." };
    await this.apply(sweep(room, Date.now(), this.lastPingAt()));
    if (room.state === "ended") return { ok: false, code: "SESSION_ENDED", message: "This session has ended." };
    return { ok: true, session: summarize(room) };
  }

  /** The WebSocket upgrade, already authenticated and rate-limited by the Worker. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const who = fromJoinHeaders(request.headers);
    if (!who) return new Response("Missing or malformed join headers", { status: 400 });
    const room = this.room;
    if (!room) return refuseSocket("SESSION_NOT_FOUND", "There is no session with this code.");
    const now = Date.now();
    await this.apply(sweep(room, now, this.lastPingAt()));
    if (room.state === "ended") return refuseSocket("SESSION_ENDED", "This session has ended.");

    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [who.role]);
    const attachment: Attachment = {
      role: who.role,
      technicianId: who.role === "technician" ? who.technicianId : null,
      name: who.role === "technician" ? who.name : null,
      participantId: null,
      acceptedAt: now,
    };
    this.attach(server, attachment);
    await this.armAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const room = this.room;
    const attachment = this.attachment(ws);
    if (!room || !attachment) {
      send(ws, { type: "error", code: "INTERNAL", message: "This connection has no session; reconnect." });
      return close(ws, 1011, "No session");
    }
    const now = Date.now();
    let flood = this.floods.get(ws);
    if (!flood) this.floods.set(ws, (flood = newFloodState()));
    const verdict = checkFlood(flood, room.limits, now);
    if (verdict !== "ok") {
      send(ws, { type: "error", code: "RATE_LIMITED", message: "Too many messages; slow down." });
      if (verdict === "abusive") {
        log({ event: "room_socket_abusive", code: room.code, participantId: attachment.participantId });
        close(ws, 1008, "Too many messages");
      }
      return;
    }

    const parsed = parseClientMessage(data, room.limits.maxMessageBytes);
    if (!parsed.ok) {
      send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "UNSUPPORTED_VERSION") close(ws, 1008, "Unsupported protocol version");
      return;
    }
    if (attachment.participantId) return this.apply(dispatch(room, attachment.participantId, parsed.msg, now));
    if (parsed.msg.type !== "hello") {
      send(ws, { type: "error", code: "MESSAGE_INVALID", message: "Send hello first." });
      return;
    }
    return this.hello(ws, attachment, parsed.msg);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Hibernatable sockets must answer the peer's Close frame themselves, with a code a server may send.
    close(ws, code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
    await this.drop(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.drop(ws);
  }

  /** Ends expired or idle sessions, releases seats whose grace passed, closes silent sockets, records ends in D1. */
  override async alarm(): Promise<void> {
    const room = this.room;
    if (!room) return;
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = this.attachment(ws);
      if (attachment && !attachment.participantId && attachment.acceptedAt + HELLO_TIMEOUT_MS <= now) {
        send(ws, { type: "error", code: "MESSAGE_INVALID", message: "No hello received in time." });
        close(ws, 1008, "No hello received in time");
      }
    }
    await this.apply(sweep(room, now, this.lastPingAt()));
    // A failed D1 write throws here, and the runtime retries the alarm.
    if (room.state === "ended" && !room.isEndSynced) await this.syncEnd(room, true);
    if (isPurgeDue(room, now)) {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.room = null;
      return;
    }
    // The alarm that is running counts as spent, so set the next one even if it looks unchanged.
    await this.armAlarm(true);
  }

  /** The socket's attachment, deserialized once per socket per wake-up (it is read on every message). */
  private attachment(ws: WebSocket): Attachment | null {
    let attachment = this.attachments.get(ws);
    if (!attachment) {
      attachment = (ws.deserializeAttachment() as Attachment | null) ?? undefined;
      if (attachment) this.attachments.set(ws, attachment);
    }
    return attachment ?? null;
  }

  private attach(ws: WebSocket, attachment: Attachment): void {
    ws.serializeAttachment(attachment);
    this.attachments.set(ws, attachment);
  }

  private async hello(ws: WebSocket, attachment: Attachment, msg: Extract<ClientMessage, { type: "hello" }>) {
    if (this.joining.has(ws)) {
      send(ws, { type: "error", code: "MESSAGE_INVALID", message: "You have already said hello on this connection." });
      return;
    }
    this.joining.add(ws);
    try {
      const token = newSeatToken();
      const [tokenHash, resumeHash] = await Promise.all([
        hashSeatToken(token),
        msg.resume ? hashSeatToken(msg.resume) : null,
      ]);
      const room = this.room;
      if (!room) return;
      const now = Date.now();
      await this.apply(sweep(room, now, this.lastPingAt()));
      const request: JoinRequest =
        attachment.role === "customer"
          ? { role: "customer" }
          : { role: "technician", technicianId: attachment.technicianId ?? "", name: attachment.name ?? "" };
      const result = join(room, request, resumeHash, { participantId: newParticipantId(), token, tokenHash }, now);
      if (!result.ok) {
        log({ event: "room_join_refused", code: room.code, reason: result.code });
        send(ws, { type: "error", code: result.code, message: result.message });
        return close(ws, 1008, result.message);
      }
      const previous = this.sockets.get(result.seat.id);
      if (previous && previous !== ws) {
        // The seat's old socket (a reload, a half-open connection) gives way; it must not release the seat as it closes.
        const old = this.attachment(previous);
        if (old) this.attach(previous, { ...old, participantId: null });
        close(previous, 1000, "Replaced by a newer connection");
      }
      this.attach(ws, { ...attachment, participantId: result.seat.id });
      this.sockets.set(result.seat.id, ws);
      log({ event: "room_joined", code: room.code, role: result.seat.role, isResumed: result.isResumed });
      await this.apply(result.effects);
    } finally {
      this.joining.delete(ws);
    }
  }

  private async drop(ws: WebSocket): Promise<void> {
    this.floods.delete(ws);
    const attachment = this.attachment(ws);
    const participantId = attachment?.participantId;
    const room = this.room;
    if (!attachment || !participantId || !room) return;
    this.attach(ws, { ...attachment, participantId: null });
    this.sockets.delete(participantId);
    await this.apply(leave(room, participantId, Date.now()));
  }

  /** Carries out a decision: storage first (output gates hold the frames until it is durable), then frames. */
  private async apply(effects: Effects): Promise<void> {
    const room = this.room;
    if (!room) return;
    if (effects.persist === "room") saveRoom(this.ctx.storage, room);
    else if (effects.persist === "activity") saveActivity(this.ctx.storage.sql, room);
    for (const { to, msg } of effects.send) {
      const ws = this.sockets.get(to);
      if (ws) send(ws, msg);
    }
    if (effects.closeAll) {
      for (const ws of this.ctx.getWebSockets()) close(ws, effects.closeAll.code, effects.closeAll.reason);
      this.sockets.clear();
    }
    if (effects.ended) {
      log({ event: "session_ended", code: room.code, reason: effects.ended });
      await this.syncEnd(room, false);
    }
    if (effects.persist === "room") await this.armAlarm();
  }

  /** Writes the end to D1; outside the alarm a failure is left for the alarm to retry. */
  private async syncEnd(room: Room, isRetry: boolean): Promise<void> {
    try {
      await markSessionEnded(this.env.DB, room.code, room.endedAt ?? Date.now());
    } catch (err) {
      log({ event: "session_end_sync_failed", code: room.code, message: String(err).slice(0, 200) });
      if (isRetry) throw err;
      return;
    }
    room.isEndSynced = true;
    saveRoom(this.ctx.storage, room);
  }

  /** The latest keep-alive ping any socket sent (answered without waking the object). */
  private lastPingAt(): number | null {
    let latest: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      const at = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime();
      if (at !== undefined && (latest === null || at > latest)) latest = at;
    }
    return latest;
  }

  /** Sets the one alarm to the core's next deadline, or clears it when no work remains. */
  private async armAlarm(isForced = false): Promise<void> {
    const room = this.room;
    let oldestPendingAt: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = this.attachment(ws);
      if (attachment && !attachment.participantId) {
        oldestPendingAt = Math.min(oldestPendingAt ?? attachment.acceptedAt, attachment.acceptedAt);
      }
    }
    const at = room ? nextAlarmAt(room, oldestPendingAt) : null;
    const current = await this.ctx.storage.getAlarm();
    if (at === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (isForced || current !== at) {
      await this.ctx.storage.setAlarm(at);
    }
  }
}
