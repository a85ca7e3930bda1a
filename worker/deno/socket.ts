// A Deno WebSocket as the rooms' and the machines' lines' cores see a socket (durable-objects/…/room-runtime.ts and
// machine-line/line.ts): its attachment, send and close, and what it receives and its close handed on. It is its own
// event listener (handleEvent), so that an open socket holds no closures: one made where the socket was upgraded
// would keep the upgrade's Request, its headers and its signal alive for as long as the socket is open.
//
// A socket is handed to its core before its handshake completes: what is sent or a close asked for until then waits
// for the open (a room's socket is rarely spoken to so early, so nothing is kept for that until it is).

export abstract class DenoSocketBase<A> {
  attachment: A | null = null;
  /** Until the open: the frames sent, then a close asked for, if any. */
  private early: { frames: string[]; close: { code: number; reason: string } | null } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", this);
    ws.addEventListener("close", this);
  }

  send(text: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.beforeOpen().frames.push(text);
    else this.ws.send(text);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.beforeOpen().close = { code, reason };
    else this.ws.close(code, reason);
  }

  handleEvent(event: Event): void {
    if (event.type === "message") this.received((event as MessageEvent).data as string | ArrayBuffer);
    else if (event.type === "close") this.closed();
    else if (event.type === "open" && this.early) {
      const { frames, close } = this.early;
      this.early = null;
      for (const text of frames) this.ws.send(text);
      if (close) this.ws.close(close.code, close.reason);
    }
  }

  /** A frame from the peer, for the core. */
  protected abstract received(data: string | ArrayBuffer): void;
  /** The socket closed, for the core. */
  protected abstract closed(): void;

  private beforeOpen(): { frames: string[]; close: { code: number; reason: string } | null } {
    if (!this.early) {
      this.early = { frames: [], close: null };
      this.ws.addEventListener("open", this, { once: true });
    }
    return this.early;
  }
}
