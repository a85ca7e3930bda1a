import WebSocket from "ws";
import type { ClientMessage } from "#protocol/room.ts";
import { FRAME_WAIT_MS, FrameQueue } from "../frame-queue.ts";

// A participant's room connection from Node, over a real socket to a real server (`ws`, because a browser's Origin
// header must be sent and Node's global WebSocket cannot set it). Frames queue until a test takes them.

/** One open room socket. */
export class RoomSocket extends FrameQueue {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on("message", (data, isBinary) => this.receive(isBinary ? "" : data.toString()));
    ws.on("close", (code, reason) => this.markClosed(code, reason.toString()));
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Sends text as is, or bytes as a binary frame. */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== "string" });
  }

  protected sendText(text: string): void {
    this.ws.send(text);
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

/** Opens a WebSocket to `url` with the given headers (Origin, Cookie); rejects if no answer came within FRAME_WAIT_MS. */
export function upgrade(url: string, headers: Record<string, string>): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: FRAME_WAIT_MS });
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
