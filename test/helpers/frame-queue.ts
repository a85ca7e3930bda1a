import { parseServerMessage, type ServerMessage } from "#protocol/room.ts";

// What a test's connection does with the frames it receives, on any runtime: each is checked with the protocol's own
// parser and queued until the test takes it. The workerd and the Node clients feed it from their own sockets; a room's
// frames are FrameQueue's, a machine's line's are LineQueue's (line-queue.ts).

/**
 * How long a test waits for one frame, pong or close before failing. An upper bound for a slow, loaded machine, not
 * an expectation: a healthy run waits milliseconds, and the suites' test timeouts are well above it.
 */
export const FRAME_WAIT_MS = 30_000;

type Waiter<F> = { accept: (frame: F) => boolean; resolve: (frame: F) => void };

/** Frames received on one socket, each checked by the protocol's parser, taken by type in arrival order. */
export abstract class TypedFrameQueue<F extends { type: string }> {
  readonly received: F[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;
  /** Keep-alive answers, which are not protocol messages. */
  pongs = 0;
  private queue: F[] = [];
  private waiters: Waiter<F>[] = [];
  private resolveClosed: (close: { code: number; reason: string }) => void = () => {};
  private resolvePong: () => void = () => {};

  /** `parse` turns one text frame into a protocol frame or throws; `what` names the socket in failures ("line"). */
  constructor(
    private readonly parse: (text: string) => F,
    private readonly what: string,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Sends one text frame as is. */
  protected abstract sendText(text: string): void;

  /** Takes in one text frame from the other end. */
  protected receive(text: string): void {
    if (text === "pong") {
      this.pongs++;
      this.resolvePong();
      return;
    }
    const frame = this.parse(text);
    this.received.push(frame);
    const index = this.waiters.findIndex((w) => w.accept(frame));
    const waiter = index >= 0 ? this.waiters.splice(index, 1)[0] : undefined;
    if (waiter) waiter.resolve(frame);
    else this.queue.push(frame);
  }

  /** Records the other end's close. */
  protected markClosed(code: number, reason: string): void {
    this.isClosed = true;
    this.resolveClosed({ code, reason });
  }

  /** The next frame of `type` (earlier frames of other types stay queued), or of any type. */
  next<T extends F["type"]>(type?: T): Promise<Extract<F, { type: T }>> {
    const accept = (frame: F) => type === undefined || frame.type === type;
    const index = this.queue.findIndex(accept);
    if (index >= 0) {
      const [frame] = this.queue.splice(index, 1);
      return Promise.resolve(frame as Extract<F, { type: T }>);
    }
    let waiter: Waiter<F> | undefined;
    const arrived = new Promise<F>((resolve) => {
      waiter = { accept, resolve };
      this.waiters.push(waiter);
    });
    return withDeadline(arrived, () => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      return `no ${type ?? "frame"} within ${FRAME_WAIT_MS} ms; got ${JSON.stringify(this.queue).slice(0, 300)}`;
    }) as Promise<Extract<F, { type: T }>>;
  }

  /** The next `count` frames of `type`, in order. */
  async take<T extends F["type"]>(type: T, count: number): Promise<Extract<F, { type: T }>[]> {
    const taken: Extract<F, { type: T }>[] = [];
    while (taken.length < count) taken.push(await this.next(type));
    return taken;
  }

  /** Frames received but not yet taken. */
  pending(): F[] {
    return [...this.queue];
  }

  /**
   * Sends a keep-alive ping and waits for its pong. The pong is queued behind every frame the other end sent this
   * socket before the ping arrived, so afterwards `received` holds all of them: the way to prove that nothing else came.
   */
  async sync(): Promise<void> {
    const target = this.pongs + 1;
    const ponged = new Promise<void>((resolve) => {
      this.resolvePong = () => {
        if (this.pongs >= target) resolve();
      };
    });
    this.sendText("ping");
    await withDeadline(ponged, () => `no pong within ${FRAME_WAIT_MS} ms`);
  }

  /** Waits for the other end to close the socket. */
  waitClosed(): Promise<{ code: number; reason: string }> {
    return withDeadline(this.closed, () => `${this.what} not closed within ${FRAME_WAIT_MS} ms`);
  }
}

/** Frames received on one room socket, taken by type in arrival order. */
export abstract class FrameQueue extends TypedFrameQueue<ServerMessage> {
  constructor() {
    super(parseRoomFrame, "socket");
  }
}

/** A frame the room's server sent, parsed with the protocol's own parser; throws if it is not one. */
function parseRoomFrame(text: string): ServerMessage {
  const parsed = parseServerMessage(text);
  if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.error.message}`);
  return parsed.msg;
}

/**
 * `promise`, or a rejection with `describe()` once `ms` (an upper bound for a slow, loaded machine, not an
 * expectation) has passed.
 */
export async function withDeadline<T>(promise: Promise<T>, describe: () => string, ms = FRAME_WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
