import type { DoorLimits } from "./door-limits.ts";
import { closeFrame, FrameMeter } from "./ws-frames.ts";

// One client connection through the Deno host's front door and its connection to Deno.serve: the bytes are copied
// both ways, and on the way the connection's deadlines (its first request head, then the server's answers) are kept
// and a WebSocket's frame headers read, so that a message far over the limit goes no further.

/**
 * The sizes a pump reads in. An idle session's socket waits in a read all its life, so the first is memory per socket
 * and direction. A read that fills its buffer is followed by one in the next size, and one that does not fill it goes
 * back to the first. Two steps, so that a read that fills a buffer and then waits (the sender had sent exactly that
 * much) holds 1 KiB, not 64 KiB.
 */
const READ_SIZES = [64, 1_024, 65_536] as const;
/** Buffers of the larger sizes kept for the next burst, shared by all connections, per size. */
const MAX_SPARE_BUFFERS = 16;
const spareBuffers = READ_SIZES.map(() => [] as Uint8Array<ArrayBuffer>[]);
/** What a refused client's remaining input is read into, to be dropped. */
const SINK_BYTES = 1_024;
/** How long a refused client may take to read its 503 or close frame before its connection is dropped. */
const REFUSAL_LINGER_MS = 2_000;
/**
 * How long a client may take to answer the server's WebSocket close frame before its connection is dropped: Deno
 * waits for the answer however long it takes (a peer that never sends one kept its connection for minutes), and
 * RFC 6455 §7.1.1 lets the server close the TCP connection itself.
 */
export const CLOSE_ANSWER_MS = 5_000;
/** CR LF CR LF, the end of a request head, as four bytes read big-endian. */
const HEAD_END = 0x0d0a0d0a;
const SWITCHING = new TextEncoder().encode("HTTP/1.1 101 ");

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/**
 * Writes `bytes` to a client that is being turned away, half closes, and reads whatever it still sends until it
 * closes or REFUSAL_LINGER_MS pass: closing with unread input would be a reset, which can lose what was written.
 */
export async function say(client: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  const timer = setTimeout(() => closeQuietly(client), REFUSAL_LINGER_MS);
  try {
    await writeAll(client, bytes);
    await client.closeWrite();
    const sink = new Uint8Array(SINK_BYTES);
    while ((await client.read(sink)) !== null);
  } catch {
    // Reset, or closed by the timer.
  } finally {
    clearTimeout(timer);
  }
}

/** How a pump ended: its source's end of stream, a message refused by the passage, or an error (a reset, a close). */
type PumpEnd = "end" | "refused" | "failed";

/**
 * One direction of a passage: waits in a read on `from`, shows each chunk to the passage, and writes it to `to`.
 * Promise handlers rather than an async loop, and the passage itself rather than callbacks: an idle socket's pump is
 * its pending read, two handlers and this object.
 */
class Pump {
  /** Whether a chunk is on its way to `to`. */
  isWriting = false;
  private readonly idle = new Uint8Array(READ_SIZES[0]);
  private buffer = this.idle;
  /** The index of the buffer's size in READ_SIZES. */
  private size = 0;

  constructor(
    private readonly passage: Passage,
    private readonly from: Deno.Conn,
    private readonly to: Deno.Conn,
  ) {}

  read(): void {
    this.from.read(this.buffer).then(
      (n) => this.take(n),
      () => this.stop("failed"),
    );
  }

  private take(n: number | null): void {
    if (n === null) {
      this.stop("end");
      return;
    }
    const chunk = this.buffer.subarray(0, n);
    if (!this.passage.look(this, chunk)) {
      this.stop("refused");
      return;
    }
    this.isWriting = true;
    writeAll(this.to, chunk).then(
      () => {
        this.isWriting = false;
        this.fit(n);
        this.read();
      },
      () => {
        this.isWriting = false;
        this.stop("failed");
      },
    );
  }

  /** Reads next in the next size after a read that filled the buffer, and in the first after one that did not. */
  private fit(n: number): void {
    if (n === this.buffer.length && this.size < READ_SIZES.length - 1) this.use(this.size + 1);
    else if (n < this.buffer.length && this.size > 0) this.use(0);
  }

  /** Gives back a borrowed buffer and takes one of READ_SIZES[size]. */
  private use(size: number): void {
    const returned = spareBuffers[this.size];
    if (this.size > 0 && returned && returned.length < MAX_SPARE_BUFFERS) returned.push(this.buffer);
    this.size = size;
    this.buffer = size === 0 ? this.idle : (spareBuffers[size]?.pop() ?? new Uint8Array(READ_SIZES[size] ?? 0));
  }

  private stop(how: PumpEnd): void {
    this.use(0);
    void this.passage.ended(this, how);
  }
}

/** What a passage tells its front door. */
export type PassageEvents = {
  /** A client's message was refused as far over the limit. */
  refusedMessage(): void;
  /** Both directions have ended and both connections are closed. */
  ended(passage: Passage): void;
};

/** One client connection and its connection to Deno.serve. */
export class Passage {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last four bytes of the client's stream so far, while its first request head is awaited. */
  private tail = 0;
  private isHeadDone = false;
  private isWebSocket = false;
  private isFirstAnswer = true;
  private isClosed = false;
  /** The client's frames once upgraded, and the server's (to know where a close frame may go in). */
  private clientFrames: FrameMeter | null = null;
  private serverFrames: FrameMeter | null = null;
  /** The last four bytes of the server's 101 head so far. */
  private serverTail = 0;
  /** Set while a refused message's close frame goes out: the server's side is closed, the client's not yet. */
  private isRefusing = false;
  /** Set once the server's close frame has gone to the client, whose answer is then awaited for CLOSE_ANSWER_MS. */
  private isServerClosed = false;
  /** Pumps still running. */
  private running = 2;
  private readonly toServer: Pump;
  private readonly toClient: Pump;

  constructor(
    private readonly client: Deno.TcpConn,
    private readonly upstream: Deno.TcpConn,
    private readonly limits: DoorLimits,
    private readonly events: PassageEvents,
  ) {
    this.toServer = new Pump(this, client, upstream);
    this.toClient = new Pump(this, upstream, client);
  }

  /** The client's address. */
  get peer(): string {
    return (this.client.remoteAddr as Deno.NetAddr).hostname;
  }

  /** The local port of the connection to Deno.serve, which Deno.serve sees as the request's remote port. */
  get port(): number {
    return (this.upstream.localAddr as Deno.NetAddr).port;
  }

  /** Starts copying both ways; `events.ended` follows once both directions are done. */
  start(): void {
    this.arm(this.limits.headerTimeoutMs);
    this.toServer.read();
    this.toClient.read();
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), ms);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Notes bytes on their way through `pump`; false for a message far over the limit, which is not to be passed on. */
  look(pump: Pump, chunk: Uint8Array): boolean {
    return pump === this.toServer ? this.fromClient(chunk) : this.fromServer(chunk);
  }

  private fromClient(chunk: Uint8Array): boolean {
    if (this.clientFrames) return this.clientFrames.feed(chunk, this.limits.maxMessageBytes) === null;
    if (this.isHeadDone) return true;
    for (const byte of chunk) {
      this.tail = ((this.tail << 8) | byte) >>> 0;
      if (this.tail === HEAD_END) {
        // The head is in; from now on the connection lives as long as the server keeps answering.
        this.isHeadDone = true;
        this.arm(this.limits.idleTimeoutMs);
        return true;
      }
    }
    return true;
  }

  private fromServer(chunk: Uint8Array): boolean {
    if (this.isFirstAnswer) {
      this.isFirstAnswer = false;
      this.isWebSocket = SWITCHING.every((b, i) => chunk[i] === b);
      // The client's frames start after its request head, which the server has answered.
      if (this.isWebSocket) this.clientFrames = new FrameMeter();
    }
    if (this.isWebSocket) {
      if (this.serverFrames) {
        this.serverFrames.feed(chunk, Number.POSITIVE_INFINITY);
      } else {
        // The server's frames start after the 101's head, which may span reads.
        for (let i = 0; i < chunk.length; i++) {
          this.serverTail = ((this.serverTail << 8) | (chunk[i] as number)) >>> 0;
          if (this.serverTail === HEAD_END) {
            this.serverFrames = new FrameMeter();
            this.serverFrames.feed(chunk.subarray(i + 1), Number.POSITIVE_INFINITY);
            break;
          }
        }
      }
    }
    // A WebSocket's liveness is the runtime's ping and the room's idle timeout, not this door's; once the server has
    // sent its close, the client has CLOSE_ANSWER_MS to answer it.
    if (!this.isWebSocket) this.arm(this.limits.idleTimeoutMs);
    else if (!this.serverFrames?.hasClosed) this.disarm();
    else if (!this.isServerClosed) {
      this.isServerClosed = true;
      this.arm(CLOSE_ANSWER_MS);
    }
    return true;
  }

  /** One direction has ended: the end of the client's stream is passed on as a half close, anything else closes. */
  async ended(pump: Pump, how: PumpEnd): Promise<void> {
    try {
      if (how === "refused") await this.refuseMessage();
      else if (how === "end" && pump === this.toServer && !this.isClosed) await this.upstream.closeWrite();
      else if (!this.isRefusing) this.close();
    } catch {
      // A reset, or the other pump or a timer closed the connection.
      if (!this.isRefusing) this.close();
    }
    if (--this.running > 0) return;
    this.close();
    this.events.ended(this);
  }

  /**
   * The client announced a message far over the limit: it goes no further, the client gets a close frame (1009) if
   * the server's stream is between frames, and the connection is dropped. The room sees its socket close.
   */
  private async refuseMessage(): Promise<void> {
    this.events.refusedMessage();
    const canSay = this.serverFrames?.isAtBoundary === true && !this.toClient.isWriting && !this.isClosed;
    this.isRefusing = true;
    closeQuietly(this.upstream);
    if (canSay) await say(this.client, closeFrame(1009, "Message too big"));
    this.close();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.disarm();
    closeQuietly(this.client);
    closeQuietly(this.upstream);
  }
}
