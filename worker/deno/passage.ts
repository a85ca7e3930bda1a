import type { DoorLimits } from "./door-limits.ts";
import { closeFrame, FrameMeter } from "./ws-frames.ts";

// One client connection through the Deno host's front door and its connection to Deno.serve: the bytes are copied
// both ways, and on the way the connection's deadlines (its first request head, then the server's answers) are kept
// and a WebSocket's frame headers read, so that a message far over the limit goes no further.

/**
 * What a connection's pending reads hold while it is quiet, per direction: an idle session's socket waits in a read
 * all its life, so this is memory per socket. A read that fills it is followed by reads of LARGE_READ_BYTES until the
 * burst has passed.
 */
const SMALL_READ_BYTES = 1_024;
const LARGE_READ_BYTES = 65_536;
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
    const sink = new Uint8Array(SMALL_READ_BYTES);
    while ((await client.read(sink)) !== null);
  } catch {
    // Reset, or closed by the timer.
  } finally {
    clearTimeout(timer);
  }
}

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
  private readonly clientFrames = new FrameMeter();
  private serverFrames: FrameMeter | null = null;
  /** The last four bytes of the server's 101 head so far. */
  private serverTail = 0;
  private isWritingToClient = false;
  /** Set while a refused message's close frame goes out: the server's side is closed, the client's not yet. */
  private isRefusing = false;
  /** Set once the server's close frame has gone to the client, whose answer is then awaited for CLOSE_ANSWER_MS. */
  private isServerClosed = false;

  constructor(
    private readonly client: Deno.TcpConn,
    private readonly upstream: Deno.TcpConn,
    private readonly limits: DoorLimits,
    private readonly onRefusedMessage: () => void,
  ) {}

  async run(): Promise<void> {
    this.arm(this.limits.headerTimeoutMs);
    await Promise.all([
      this.pump(this.client, this.upstream, (chunk) => this.fromClient(chunk)),
      this.pump(this.upstream, this.client, (chunk) => this.fromServer(chunk)),
    ]);
    this.close();
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), ms);
  }

  /** Notes bytes from the client; false for a message far over the limit, which is not to be passed on. */
  private fromClient(chunk: Uint8Array): boolean {
    if (this.isWebSocket) return this.clientFrames.feed(chunk, this.limits.maxMessageBytes) === null;
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
    else if (!this.serverFrames?.hasClosed) clearTimeout(this.timer);
    else if (!this.isServerClosed) {
      this.isServerClosed = true;
      this.arm(CLOSE_ANSWER_MS);
    }
    return true;
  }

  /**
   * The client announced a message far over the limit: it goes no further, the client gets a close frame (1009) if
   * the server's stream is between frames, and the connection is dropped. The room sees its socket close.
   */
  private async refuseMessage(): Promise<void> {
    this.onRefusedMessage();
    const canSay = this.serverFrames?.isAtBoundary === true && !this.isWritingToClient && !this.isClosed;
    this.isRefusing = true;
    closeQuietly(this.upstream);
    if (canSay) await say(this.client, closeFrame(1009, "Message too big"));
    this.close();
  }

  /** Copies `from` to `to` until either ends; the end of the client's stream is passed on as a half close. */
  private async pump(from: Deno.TcpConn, to: Deno.TcpConn, seen: (chunk: Uint8Array) => boolean): Promise<void> {
    const small = new Uint8Array(SMALL_READ_BYTES);
    let buffer = small;
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.subarray(0, n);
        if (!seen(chunk)) return this.refuseMessage();
        this.isWritingToClient = to === this.client;
        await writeAll(to, chunk);
        this.isWritingToClient = false;
        if (n === buffer.length && buffer === small) buffer = new Uint8Array(LARGE_READ_BYTES);
        else if (n < SMALL_READ_BYTES) buffer = small;
      }
      if (to === this.upstream && !this.isClosed) await to.closeWrite();
      else if (!this.isRefusing) this.close();
    } catch {
      // A reset, or the other pump or a timer closed the connection.
      if (!this.isRefusing) this.close();
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.timer);
    closeQuietly(this.client);
    closeQuietly(this.upstream);
  }
}
