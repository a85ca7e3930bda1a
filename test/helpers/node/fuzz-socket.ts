import WebSocket from "ws";
import { parseServerMessage, type ServerMessage } from "#protocol/room.ts";
import { FRAME_WAIT_MS } from "../frame-queue.ts";
import { hasStackTrace, type Payload } from "../fuzz.ts";

// A room connection for fuzz tests, from Node over a real socket: it sends anything (text, bytes, nothing), keeps
// every frame the server sends in order, hands each to an observer, records a frame the protocol's parser refuses as
// a fault instead of throwing, and lets a test wait for a condition over what arrived, or for the close.

/** One open fuzzing socket. */
export class FuzzSocket {
  /** Every frame received, in order. */
  readonly frames: ServerMessage[] = [];
  /** Frames that are not well-formed server messages (binary ones included), as received. */
  readonly faults: string[] = [];
  /** The close, once it came: the code and reason the server sent (1005 for none, 1006 for a dropped connection). */
  close: { code: number; reason: string } | null = null;
  private pings = 0;
  private pongs = 0;
  private drained = 0;
  private readonly taken = new Set<number>();
  private readonly wakers = new Set<() => void>();

  private constructor(
    private readonly ws: WebSocket,
    private readonly observe: (msg: ServerMessage) => void,
  ) {
    ws.on("message", (data: Buffer, isBinary) => this.receive(isBinary ? null : data.toString()));
    ws.on("close", (code, reason) => {
      this.close = { code, reason: reason.toString() };
      this.wake();
    });
    // A refused or reset connection shows as its close; nothing else to do with the error here.
    ws.on("error", () => {});
  }

  /** Opens a socket to `url` with `headers`; the HTTP answer when the upgrade is refused. */
  static open(
    url: string,
    headers: Record<string, string>,
    observe: (msg: ServerMessage) => void,
  ): Promise<{ ok: true; socket: FuzzSocket } | { ok: false; status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const socket = new FuzzSocket(ws, observe);
      ws.once("open", () => resolve({ ok: true, socket }));
      ws.once("unexpected-response", (request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on("end", () => {
          request.destroy();
          resolve({ ok: false, status: response.statusCode ?? 0, body });
        });
      });
      ws.once("error", reject);
    });
  }

  get isOpen(): boolean {
    return this.close === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends text as a text frame and bytes as a binary frame; a socket that is closing drops it. */
  send(data: Payload): void {
    if (data === "ping") this.pings++;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data, { binary: typeof data !== "string" });
  }

  sendJson(msg: unknown): void {
    this.send(JSON.stringify(msg));
  }

  /** The frames received since the last call. */
  drain(): ServerMessage[] {
    const fresh = this.frames.slice(this.drained);
    this.drained = this.frames.length;
    return fresh;
  }

  /** Resolves once `isDone()` holds, checked now, on every frame and at the close; rejects after FRAME_WAIT_MS. */
  until(isDone: () => boolean, what: string): Promise<void> {
    return waitFor([this], isDone, what);
  }

  /** The first frame of `type` not taken yet, waiting for it if need be. */
  async next<T extends ServerMessage["type"]>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    let index = -1;
    const find = () => {
      index = this.frames.findIndex((msg, i) => msg.type === type && !this.taken.has(i));
      return index >= 0;
    };
    await this.until(find, `a ${type} frame`);
    this.taken.add(index);
    return this.frames[index] as Extract<ServerMessage, { type: T }>;
  }

  /** Sends a keep-alive ping and waits for its pong, or for the close. */
  async sync(): Promise<void> {
    this.send("ping");
    const target = this.pings;
    await this.until(() => this.pongs >= target || this.close !== null, "a pong");
  }

  /** Closes from this side and waits for the close to complete. */
  async end(): Promise<void> {
    if (this.close) return;
    this.ws.close(1000, "done");
    await this.until(() => this.close !== null, "the close");
  }

  /** @internal Called by waitFor. */
  onChange(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  private receive(text: string | null): void {
    const parsed = text === null || text === "pong" ? null : parseServerMessage(text);
    if (text === "pong") this.pongs++;
    else if (text !== null && hasStackTrace(text)) this.faults.push(`a stack trace: ${text.slice(0, 300)}`);
    else if (!parsed?.ok) {
      this.faults.push(text === null ? "<binary frame>" : `${parsed?.error.message}: ${text.slice(0, 300)}`);
    } else {
      this.frames.push(parsed.msg);
      this.observe(parsed.msg);
    }
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

/** Resolves once `isDone()` holds, checked now and whenever any of `sockets` gets a frame or closes. */
export function waitFor(sockets: FuzzSocket[], isDone: () => boolean, what: string): Promise<void> {
  if (isDone()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const stops: (() => void)[] = [];
    const finish = (err?: Error) => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`waited ${FRAME_WAIT_MS} ms for ${what}`)), FRAME_WAIT_MS);
    for (const socket of sockets) {
      stops.push(
        socket.onChange(() => {
          if (isDone()) finish();
        }),
      );
    }
  });
}
