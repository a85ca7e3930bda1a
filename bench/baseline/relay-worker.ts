// A floor for the room relay: the least a Worker and a Durable Object can do to pass a frame from one socket to the
// other on this workerd, with none of Tether's checks. The bench runs it under `wrangler dev` beside the real
// Worker to see how much of the room's round trip is ours and how much is the runtime's.
//
//   /hibernated/NAME?side=a|b   a Durable Object with hibernatable sockets (what SessionRoom uses); the frame is
//                               relayed as it came
//   /accepted/NAME?side=...     a Durable Object holding ordinary accepted sockets (no hibernation)
//
// (A Worker alone cannot pair two sockets: workerd refuses I/O on one request's socket from another request.)
import { DurableObject } from "cloudflare:workers";

type BaselineEnv = { RELAY: DurableObjectNamespace<Relay> };

const READY = '{"type":"ready"}';

function other(side: string): string {
  return side === "a" ? "b" : "a";
}

function sideOf(url: URL): string | null {
  const side = url.searchParams.get("side");
  return side === "a" || side === "b" ? side : null;
}

/** One room's two sockets, side a and side b. */
export class Relay extends DurableObject<BaselineEnv> {
  private readonly accepted = new Map<string, WebSocket>();

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const side = sideOf(url);
    if (!side || request.headers.get("upgrade") !== "websocket") return new Response("bad request", { status: 400 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const variant = url.pathname.split("/")[1];
    if (variant === "accepted") {
      server.accept();
      this.accepted.set(side, server);
      server.addEventListener("message", (event) => this.accepted.get(other(side))?.send(event.data));
    } else {
      this.ctx.acceptWebSocket(server, [side]);
    }
    server.send(READY);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    const [side = "a"] = this.ctx.getTags(ws);
    this.ctx.getWebSockets(other(side))[0]?.send(data);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 ? 1000 : code, "bye");
  }
}

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const [, variant, name] = url.pathname.split("/");
    const side = sideOf(url);
    if (!variant || !name || !side) return new Response("not found", { status: 404 });
    return env.RELAY.get(env.RELAY.idFromName(name)).fetch(request);
  },
} satisfies ExportedHandler<BaselineEnv>;
