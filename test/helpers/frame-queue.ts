import { parseServerMessage, type ServerMessage } from "../../worker/protocol/room.ts";

// What a test's room connection does with the frames it receives, on any runtime: each is parsed with the protocol's
// own parser and queued until the test takes it. The workerd and the Node clients feed it from their own sockets.

type Waiter = { accept: (msg: ServerMessage) => boolean; resolve: (msg: ServerMessage) => void };

/** Frames received on one room socket, taken by type in arrival order. */
export class FrameQueue {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;
  /** Keep-alive answers, which are not protocol messages. */
  pongs = 0;
  private queue: ServerMessage[] = [];
  private waiters: Waiter[] = [];
  private resolveClosed: (close: { code: number; reason: string }) => void = () => {};

  /** `waitMs`: how long a test waits for one frame or a close before failing. */
  constructor(private readonly waitMs: number) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Takes in one text frame from the server. */
  protected receive(text: string): void {
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
  }

  /** Records the server's close. */
  protected markClosed(code: number, reason: string): void {
    this.isClosed = true;
    this.resolveClosed({ code, reason });
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
          new Error(`no ${type ?? "frame"} within ${this.waitMs} ms; got ${JSON.stringify(this.queue).slice(0, 300)}`),
        );
      }, this.waitMs);
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
      timer = setTimeout(() => reject(new Error(`socket not closed within ${this.waitMs} ms`)), this.waitMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
