import type { ErrorBody } from "#protocol/errors.ts";
import { log } from "../log.ts";
import type { DoorLimits } from "./door-limits.ts";
import { closeFrame, FrameMeter } from "./ws-frames.ts";

// The Deno host's public port. Deno.serve has no connection cap, no header or idle timeout, and ends its accept loop
// (and with it the process) on the first EMFILE. So the public port is a listener of ours that forwards every
// connection to Deno.serve on an ephemeral loopback port, and along the way counts connections, refuses those over
// the cap with a 503, closes a connection whose request head does not arrive in time or that sits idle between
// requests, and rides out a shortage of file descriptors by waiting and accepting again.

/**
 * What a connection's pending reads hold while it is quiet, per direction: an idle session's socket waits in a read
 * all its life, so this is memory per socket. A read that fills it is followed by reads of LARGE_READ_BYTES until the
 * burst has passed.
 */
const SMALL_READ_BYTES = 1_024;
const LARGE_READ_BYTES = 65_536;
/** The longest wait between accepts while the process is out of file descriptors (or memory). */
const MAX_ACCEPT_BACKOFF_MS = 1_000;
/** How long a refused client may take to read its 503 or close frame before its connection is dropped. */
const REFUSAL_LINGER_MS = 2_000;
/** Refusals lingering at once; past this, a refused connection is dropped without an answer. */
const MAX_LINGERING = 32;
/** Refusals and accept failures are logged at most once in this long, with how many there were. */
const LOG_EVERY_MS = 10_000;

/** CR LF CR LF, the end of a request head, as four bytes read big-endian. */
const HEAD_END = 0x0d0a0d0a;
const SWITCHING = new TextEncoder().encode("HTTP/1.1 101 ");

function busyResponse(maxConnections: number): Uint8Array {
  const body: ErrorBody = {
    error: {
      code: "SERVER_BUSY",
      message: `The server is at its limit of ${maxConnections} connections; try again in a few seconds.`,
    },
  };
  const json = JSON.stringify(body);
  return new TextEncoder().encode(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${new TextEncoder().encode(json).length}\r\nretry-after: 5\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${json}`,
  );
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function closeQuietly(conn: Deno.Conn): void {
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
async function say(client: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
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

/** Counts events and logs them at most once per LOG_EVERY_MS. */
class Tally {
  private count = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly write: (count: number) => void) {}

  add(): void {
    this.count++;
    const now = performance.now();
    if (now - this.loggedAt < LOG_EVERY_MS) return;
    this.loggedAt = now;
    this.write(this.count);
    this.count = 0;
  }
}

/** One client connection and its connection to Deno.serve. */
class Passage {
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
    // A WebSocket's liveness is the runtime's ping and the room's idle timeout, not this door's.
    if (this.isWebSocket) clearTimeout(this.timer);
    else this.arm(this.limits.idleTimeoutMs);
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

/** The public listener in front of Deno.serve. */
export class FrontDoor {
  private open = 0;
  private lingering = 0;
  private isStopped = false;
  private readonly passages = new Set<Passage>();
  /** The client's address for each connection to Deno.serve, by that connection's local port. */
  private readonly peers = new Map<number, string>();
  private readonly busy: Uint8Array;
  private readonly refusals: Tally;
  private readonly refusedMessages: Tally;
  private readonly failures = new Tally((count) =>
    log({ event: "accept_failed", count, message: this.lastFailure.slice(0, 200) }),
  );
  private lastFailure = "";

  /**
   * `upstream` is where Deno.serve listens; it changes if Deno.serve has to be started again.
   */
  constructor(
    private readonly listener: Deno.TcpListener,
    public upstream: Deno.NetAddr,
    private readonly limits: DoorLimits,
  ) {
    this.busy = busyResponse(limits.maxConnections);
    this.refusals = new Tally((count) =>
      log({ event: "connections_refused", count, maxConnections: limits.maxConnections }),
    );
    this.refusedMessages = new Tally((count) =>
      log({ event: "websocket_messages_refused", count, maxMessageBytes: limits.maxMessageBytes }),
    );
  }

  /** Client connections open now. */
  get size(): number {
    return this.open;
  }

  /** The client's address behind a request that reached Deno.serve from `port`, or undefined if not from here. */
  peer(port: number): string | undefined {
    return this.peers.get(port);
  }

  /** Accepts connections until stop(); an accept that fails (EMFILE, ENFILE, ENOMEM) is retried after a wait. */
  async serve(): Promise<void> {
    let backoffMs = 0;
    while (!this.isStopped) {
      let client: Deno.TcpConn;
      try {
        client = await this.listener.accept();
        backoffMs = 0;
      } catch (err) {
        if (this.isStopped || err instanceof Deno.errors.BadResource) return;
        this.lastFailure = String(err);
        this.failures.add();
        backoffMs = Math.min(MAX_ACCEPT_BACKOFF_MS, backoffMs === 0 ? 5 : backoffMs * 2);
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        continue;
      }
      if (this.open >= this.limits.maxConnections) void this.refuse(client);
      else void this.pass(client);
    }
  }

  /** Stops accepting and closes every connection. */
  stop(): void {
    this.isStopped = true;
    try {
      this.listener.close();
    } catch {
      // Already closed.
    }
    for (const passage of this.passages) passage.close();
  }

  private async pass(client: Deno.TcpConn): Promise<void> {
    this.open++;
    let upstream: Deno.TcpConn | undefined;
    try {
      upstream = await Deno.connect({ hostname: this.upstream.hostname, port: this.upstream.port });
    } catch (err) {
      // Out of file descriptors for the second half: the client is refused as if over the cap.
      this.open--;
      this.lastFailure = String(err);
      this.failures.add();
      return this.refuse(client);
    }
    const port = (upstream.localAddr as Deno.NetAddr).port;
    this.peers.set(port, (client.remoteAddr as Deno.NetAddr).hostname);
    const passage = new Passage(client, upstream, this.limits, () => this.refusedMessages.add());
    this.passages.add(passage);
    try {
      await passage.run();
    } finally {
      this.passages.delete(passage);
      this.peers.delete(port);
      this.open--;
    }
  }

  /** Answers 503 SERVER_BUSY without reading the request, then closes once the client is done or after a while. */
  private async refuse(client: Deno.TcpConn): Promise<void> {
    this.refusals.add();
    if (this.lingering >= MAX_LINGERING) return closeQuietly(client);
    this.lingering++;
    try {
      await say(client, this.busy);
    } finally {
      this.lingering--;
      closeQuietly(client);
    }
  }
}
