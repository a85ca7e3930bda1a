import type { ErrorBody } from "#protocol/errors.ts";
import { log } from "../log.ts";
import type { DoorLimits } from "./door-limits.ts";
import { closeQuietly, Passage, type PassageEvents, say } from "./passage.ts";

// The Deno host's public port. Deno.serve has no connection cap, no header or idle timeout, and ends its accept loop
// (and with it the process) on the first EMFILE. So the public port is a listener of ours that forwards every
// connection to Deno.serve on an ephemeral loopback port, and along the way counts connections, refuses those over
// the cap with a 503, closes a connection whose request head does not arrive in time or that sits idle between
// requests, and rides out a shortage of file descriptors by waiting and accepting again.

/** The longest wait between accepts while the process is out of file descriptors (or memory). */
const MAX_ACCEPT_BACKOFF_MS = 1_000;
/** Refusals lingering at once; past this, a refused connection is dropped without an answer. */
const MAX_LINGERING = 32;
/** Refusals and accept failures are logged at most once in this long, with how many there were. */
const LOG_EVERY_MS = 10_000;

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

/** The public listener in front of Deno.serve. */
export class FrontDoor {
  private open = 0;
  private lingering = 0;
  private isStopped = false;
  /** Each connection, by the local port of its connection to Deno.serve. */
  private readonly passages = new Map<number, Passage>();
  /** One set of callbacks for every passage. */
  private readonly passageEvents: PassageEvents = {
    refusedMessage: () => this.refusedMessages.add(),
    ended: (passage) => {
      if (this.passages.get(passage.port) === passage) this.passages.delete(passage.port);
      this.open--;
    },
  };
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
    return this.passages.get(port)?.peer;
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
    for (const passage of this.passages.values()) passage.close();
  }

  private async pass(client: Deno.TcpConn): Promise<void> {
    this.open++;
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname: this.upstream.hostname, port: this.upstream.port });
    } catch (err) {
      // Out of file descriptors for the second half: the client is refused as if over the cap.
      this.open--;
      this.lastFailure = String(err);
      this.failures.add();
      return this.refuse(client);
    }
    // The passage writes what it reads as it comes, often in two pieces (see READ_SIZES): Nagle's algorithm would hold
    // the second until the first is acknowledged, which a peer may delay by tens of milliseconds.
    try {
      client.setNoDelay(true);
      upstream.setNoDelay(true);
    } catch {
      // Reset already: the passage's first read ends it.
    }
    const passage = new Passage(client, upstream, this.limits, this.passageEvents);
    this.passages.set(passage.port, passage);
    passage.start();
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
