import { DurableObject } from "cloudflare:workers";
import { deleteSession, recordSessionExpiry, recordSessionOwner } from "../../worker/db/sessions.ts";
import { liveSignIns } from "../../worker/db/sign-ins.ts";
import { log } from "../../worker/log.ts";
import { recordSessionEnd } from "../../worker/session-end.ts";
import { AUDIT_LOG_NAME, RECORDING_SWEEPER_NAME, refuseSocket } from "../../worker/workers-host.ts";
import { fromJoinHeaders } from "./join-headers.ts";
import { RoomHost } from "./RoomHost.ts";
import {
  type Attachment,
  type CreateRoomInput,
  type CreateRoomResult,
  KEEPALIVE_REQUEST,
  KEEPALIVE_RESPONSE,
  type RoomInfoResult,
} from "./room-runtime.ts";
import { closeQuietly, sendQuietly } from "./socket-io.ts";
import { loadRoom, migrate, saveRoom } from "./store.ts";

export type { CreateRoomInput, CreateRoomResult, RoomInfoResult } from "./room-runtime.ts";

/**
 * One per support session. A thin adapter: RoomHost runs the room; this class lends it the object's hibernatable
 * sockets (identity in attachments), SQLite storage, alarm and D1, and turns upgrades into sockets.
 */
export class SessionRoom extends DurableObject<Env> {
  private readonly host: RoomHost<WebSocket>;
  /** Attachments deserialized once per socket per wake-up (they are read on every message). */
  private readonly attachments = new WeakMap<WebSocket, Attachment>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE));
    this.host = new RoomHost<WebSocket>({
      sockets: () => ctx.getWebSockets(),
      attachment: (ws) => this.attachment(ws),
      attach: (ws, attachment) => {
        ws.serializeAttachment(attachment);
        this.attachments.set(ws, attachment);
      },
      lastPingAt: () => this.lastPingAt(),
      storage: {
        load: () => loadRoom(ctx.storage.sql),
        saveRoom: (room) => saveRoom(ctx.storage, room),
        deleteAll: () => ctx.storage.deleteAll(),
      },
      alarm: {
        get: () => ctx.storage.getAlarm(),
        set: (at) => ctx.storage.setAlarm(at),
        delete: () => ctx.storage.deleteAlarm(),
      },
      recordEnd: (code, endedAt) =>
        recordSessionEnd(env.DB, env as unknown as Record<string, unknown>, code, endedAt, (at) =>
          env.RECORDING_SWEEPER.get(env.RECORDING_SWEEPER.idFromName(RECORDING_SWEEPER_NAME)).dueBy(at),
        ),
      recordOwner: (code, technicianId) => recordSessionOwner(env.DB, code, technicianId),
      recordExpiry: (code, expiresAt) => recordSessionExpiry(env.DB, code, expiresAt),
      forgetSession: (code) => deleteSession(env.DB, code),
      // The same RateLimiter objects as the Worker's per-address limits (workersHost.hit).
      hit: (key, scope, limitPerMinute) =>
        env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key)).hit(scope, limitPerMinute),
      liveSignIns: (ids) => liveSignIns(env.DB, ids, Date.now()),
      audit: (input) => env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName(AUDIT_LOG_NAME)).append(input),
      now: () => Date.now(),
    });
    // Rebuilt after every hibernation or eviction: memory is only a cache of storage and attachments.
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql);
      await this.host.start();
    });
  }

  /** Creates the session in this object; CONFLICT when it already holds one (the Worker then tries another code). */
  async create(input: CreateRoomInput): Promise<CreateRoomResult> {
    migrate(this.ctx.storage.sql);
    return this.host.create(input);
  }

  /** What the customer's page shows before joining, given its seat key's hash. */
  async info(customerKeyHash: string): Promise<RoomInfoResult> {
    return this.host.info(customerKeyHash);
  }

  /** The WebSocket upgrade, already authenticated and rate-limited by the Worker. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const joiner = fromJoinHeaders(request.headers);
    if (!joiner) return new Response("Missing or malformed join headers", { status: 400 });
    const admission = await this.host.admit();
    if (!admission.ok) return refuseSocket(admission.code, admission.message);

    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [joiner.who.role]);
    await this.host.accepted(server, joiner.who, joiner.clientKey);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    try {
      await this.host.message(ws, data);
    } catch (err) {
      this.fail(ws, err);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Hibernatable sockets must answer the peer's Close frame themselves, with a code a server may send.
    try {
      ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason.slice(0, 120));
    } catch {
      // Already closed.
    }
    await this.closed(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.closed(ws);
  }

  override async alarm(): Promise<void> {
    await this.host.alarm();
  }

  private async closed(ws: WebSocket): Promise<void> {
    try {
      await this.host.closed(ws);
    } catch (err) {
      this.fail(ws, err);
    }
  }

  /**
   * What escaped the room: logged, and the socket told only that something went wrong (never the error, nor its
   * stack), then closed with 1011, as on the Deno host, rather than left to whatever the runtime does with it.
   */
  private fail(ws: WebSocket, err: unknown): void {
    log({ event: "unhandled_error", path: "room", name: "RoomError", message: String(err).slice(0, 200) });
    sendQuietly(ws, { type: "error", code: "INTERNAL", message: "Something went wrong; reconnect." });
    closeQuietly(ws, 1011, "Internal error");
  }

  private attachment(ws: WebSocket): Attachment | null {
    let attachment = this.attachments.get(ws);
    if (!attachment) {
      attachment = (ws.deserializeAttachment() as Attachment | null) ?? undefined;
      if (attachment) this.attachments.set(ws, attachment);
    }
    return attachment ?? null;
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
}
