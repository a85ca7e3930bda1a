import WebSocket from "ws";
import { type ClientMessage, parseServerMessage, type ServerMessage } from "../../../worker/protocol/room.ts";

// A participant's room connection from Node, over a real socket to a real server (`ws`, because a browser's Origin
// header must be sent and Node's global WebSocket cannot set it). Frames queue until a test takes them.

/** How long a test waits for one frame or a close before failing. */
const WAIT_MS = 5_000;

type Waiter = { accept: (msg: ServerMessage) => boolean; resolve: (msg: ServerMessage) => void };

/** One open room socket. */
export class RoomSocket {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private queue: ServerMessage[] = [];
  private waiters: Waiter[] = [];
  isClosed = false;
  /** Keep-alive answers, which are not protocol messages. */
  pongs = 0;

  constructor(private readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      if (text === "pong") {
        this.pongs++;
        return;
      }
      const parsed = parseServerMessage(text);
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.error.message}`);
      this.received.push(parsed.msg);
      const index = this.waiters.findIndex((w) => w.accept(parsed.msg));
      const waiter = index >= 0 ? this.waiters.splice(index, 1)[0] : undefined;
      if (waiter) waiter.resolve(parsed.msg);
      else this.queue.push(parsed.msg);
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Sends text as is, or bytes as a binary frame. */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== "string" });
  }

  /** The next frame of `type` (earlier frames of other types stay queued), or of any type. */
  next<T extends ServerMessage["type"]>(type?: T): Promise<Extract<ServerMessage, { type: T }>> {
    const accept = (msg: ServerMessage) => type === undefined || msg.type === type;
    const index = this.queue.findIndex(accept);
    if (index >= 0) {
      const [msg] = this.queue.splice(index, 1);
      return Promise.resolve(msg as Extract<ServerMessage, { type: T }>);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        accept,
        resolve: (msg) => {
          clearTimeout(timer);
          resolve(msg as Extract<ServerMessage, { type: T }>);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`no ${type ?? "frame"} within ${WAIT_MS} ms; got ${JSON.stringify(this.queue).slice(0, 300)}`),
        );
      }, WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** The next `count` frames of `type`, in order. */
  async take<T extends ServerMessage["type"]>(type: T, count: number): Promise<Extract<ServerMessage, { type: T }>[]> {
    const taken: Extract<ServerMessage, { type: T }>[] = [];
    while (taken.length < count) taken.push(await this.next(type));
    return taken;
  }

  /** Frames received but not yet taken. */
  pending(): ServerMessage[] {
    return [...this.queue];
  }

  /** Waits for the server to close the socket. */
  async waitClosed(): Promise<{ code: number; reason: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${WAIT_MS} ms`)), WAIT_MS);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(code = 1000, reason = "bye"): void {
    this.ws.close(code, reason);
  }

  /** Drops the connection without a closing handshake, as a lost network would. */
  terminate(): void {
    this.ws.terminate();
  }
}

/** The outcome of an upgrade: an open socket, or the HTTP answer that refused it. */
export type Upgrade = { ok: true; socket: RoomSocket } | { ok: false; status: number; body: string };

/** Opens a WebSocket to `url` with the given headers (Origin, Cookie). */
export function upgrade(url: string, headers: Record<string, string>): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve({ ok: true, socket: new RoomSocket(ws) }));
    ws.once("unexpected-response", (request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => {
        // With this listener, ws leaves the refused request to us to end.
        request.destroy();
        resolve({ ok: false, status: response.statusCode ?? 0, body });
      });
    });
    ws.once("error", reject);
  });
}
