import { DurableObject } from "cloudflare:workers";
import { log } from "../../worker/log.ts";
import { KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "../session/room-runtime.ts";
import { closeQuietly } from "../session/socket-io.ts";
import { expireLines, type LineAttachment, type LineSockets, openLine, receiveLine, wakeLine } from "./line.ts";
import { fromLineHeaders } from "./line-headers.ts";

/**
 * One per enrolled machine (idFromName(machine id)): the line its agent keeps open, on which the site wakes it when a
 * session is opened with it. A thin adapter: line.ts runs the line; this class lends it the object's hibernatable
 * sockets (all their state in attachments, so that a line open for days costs nothing between frames), answers
 * keep-alives without waking, and keeps one alarm for the earliest answer still due.
 */
export class MachineLine extends DurableObject<Env> {
  private readonly line: LineSockets<WebSocket>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE));
    // Attachments are read afresh each time, with nothing cached: a line's socket sends one frame the object sees
    // (its answer; keep-alives are answered without it), and a session wakes it now and then.
    this.line = {
      all: () => ctx.getWebSockets(),
      attachment: (ws) => ws.deserializeAttachment() as LineAttachment | null,
      attach: (ws, attachment) => ws.serializeAttachment(attachment),
    };
  }

  /** Tells the machine's proved line, if it has one, to beat now; returns how many sockets were told (0 or 1). */
  async wake(): Promise<number> {
    return wakeLine(this.line);
  }

  /** The WebSocket upgrade, rate-limited and checked against D1 by the Worker, which sent line-headers.ts's headers. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const line = fromLineHeaders(request.headers);
    if (!line) return new Response("Missing or malformed line headers", { status: 400 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    const { machineId, ...check } = line;
    const deadline = openLine(this.line, server, machineId, check, Date.now());
    const alarmAt = await this.ctx.storage.getAlarm();
    if (alarmAt === null || deadline < alarmAt) await this.ctx.storage.setAlarm(deadline);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    try {
      receiveLine(this.line, ws, data, Date.now());
    } catch (err) {
      // Logged, and the socket closed as internal (1011), never told the error; the agent opens its line again.
      log({ event: "unhandled_error", path: "machine-line", name: "LineError", message: String(err).slice(0, 200) });
      closeQuietly(ws, 1011, "Internal error");
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Hibernatable sockets must answer the peer's Close frame themselves, with a code a server may send.
    closeQuietly(ws, code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
  }

  /** Closes the sockets whose answer did not come in time; re-armed only while another one waits. */
  override async alarm(): Promise<void> {
    const next = expireLines(this.line, Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
