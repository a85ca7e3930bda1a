import type { ErrorBody } from "#protocol/errors.ts";
import { log } from "../log.ts";
import type { DoorLimits } from "./door-limits.ts";

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
/** How long a refused client may take to read its 503 before its connection is dropped. */
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

  constructor(
    private readonly client: Deno.TcpConn,
    private readonly upstream: Deno.TcpConn,
    private readonly limits: DoorLimits,
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

  private fromClient(chunk: Uint8Array): void {
    if (this.isHeadDone) return;
    for (const byte of chunk) {
      this.tail = ((this.tail << 8) | byte) >>> 0;
      if (this.tail === HEAD_END) {
        // The head is in; from now on the connection lives as long as the server keeps answering.
        this.isHeadDone = true;
        this.arm(this.limits.idleTimeoutMs);
        return;
      }
    }
  }

  private fromServer(chunk: Uint8Array): void {
    if (this.isFirstAnswer) {
      this.isFirstAnswer = false;
      this.isWebSocket = SWITCHING.every((b, i) => chunk[i] === b);
    }
    // A WebSocket's liveness is the runtime's ping and the room's idle timeout, not this door's.
    if (this.isWebSocket) clearTimeout(this.timer);
    else this.arm(this.limits.idleTimeoutMs);
  }

  /** Copies `from` to `to` until either ends; the end of the client's stream is passed on as a half close. */
  private async pump(from: Deno.TcpConn, to: Deno.TcpConn, seen: (chunk: Uint8Array) => void): Promise<void> {
    const small = new Uint8Array(SMALL_READ_BYTES);
    let buffer = small;
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.subarray(0, n);
        seen(chunk);
        await writeAll(to, chunk);
        if (n === buffer.length && buffer === small) buffer = new Uint8Array(LARGE_READ_BYTES);
        else if (n < SMALL_READ_BYTES) buffer = small;
      }
      if (to === this.upstream && !this.isClosed) await to.closeWrite();
      else this.close();
    } catch {
      // A reset, or the other pump or a timer closed the connection.
      this.close();
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
    const passage = new Passage(client, upstream, this.limits);
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
    const timer = setTimeout(() => closeQuietly(client), REFUSAL_LINGER_MS);
    try {
      await writeAll(client, this.busy);
      await client.closeWrite();
      // Reading what the client sent lets the close be a FIN rather than a reset that could lose the 503.
      const sink = new Uint8Array(1_024);
      while ((await client.read(sink)) !== null);
    } catch {
      // Reset, or closed by the timer.
    } finally {
      clearTimeout(timer);
      this.lingering--;
      closeQuietly(client);
    }
  }
}
