import type { ErrorCode } from "#protocol/errors.ts";
import {
  type Capture,
  type ClientMessage,
  type EndWhy,
  PROTOCOL_VERSION,
  parseServerMessage,
  type Role,
  type ServerMessage,
} from "#protocol/room.ts";

/** Where the connection to the room stands: `open` means seated (welcome received). */
export type SignalingStatus = "connecting" | "open" | "reconnecting" | "closed";

/** Why the connection closed for good, when the server said: a code for the page to word, and its English message. */
export type SignalingError = { code: ErrorCode | "REPLACED"; message: string };

export type SignalingOptions = {
  code: string;
  role: Role;
  /** The customer's seat key (base64url): proves to the room that this page holds the session's secret. */
  seatKey?: string;
  /** The customer's: what this browser can share, which the room shows the technicians with the customer's seat. */
  capture?: Capture;
  /** A technician's invite key (link-secret.ts inviteKeyOf): seats a colleague the owner invited. */
  inviteKey?: string;
  onMessage(msg: ServerMessage): void;
  onStatus(status: SignalingStatus, error?: SignalingError): void;
  /** The site's origin (`https://host`): this page's own unless said (the native agent names the link's). */
  origin?: string;
  /** Opens the WebSocket to `url`: the browser's unless said (the native agent's must send the site's Origin). */
  openSocket?: (url: string) => SocketLike;
  /** Where the seat token is kept, so that a restart reclaims the seat: this tab's sessionStorage unless said. */
  storage?: TokenStorage;
  /** Registers a call for when the network comes back, to reconnect at once: the browser's `online` unless said. */
  onOnline?: (listener: () => void) => void;
};

/** What this client needs of a WebSocket; the browser's is one, and so are Node's and the `ws` package's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

/** What this client needs of a key-value store; the browser's sessionStorage is one. */
export type TokenStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** WebSocket.OPEN, which not every runtime has as a global. */
const OPEN = 1;

/** The page's own globals, read only when no runtime was passed in (Node has neither). */
const page = globalThis as unknown as {
  location: { origin: string };
  addEventListener(type: "online", listener: () => void): void;
};

/** The room answers this raw text with "pong" without waking up (setWebSocketAutoResponse). */
const KEEP_ALIVE_MS = 20_000;
/** A ping unanswered this long means a half-open connection: drop it and reconnect. */
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** Frames from the server are capped too; the room's own limit is far lower. */
const MAX_SERVER_FRAME_BYTES = 262_144;

/** Errors after which trying again cannot help. */
const TERMINAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "SESSION_ENDED",
  "SESSION_NOT_FOUND",
  "SEAT_TAKEN",
  "SEAT_KEY_INVALID",
  "NOT_OWNER",
  "REMOVED_BY_CUSTOMER",
  "UNSUPPORTED_VERSION",
  "UNAUTHENTICATED",
  "SIGN_IN_REVOKED",
  "FORBIDDEN",
]);

/**
 * The seat token is kept per tab (sessionStorage), so a reload of the same tab reclaims the seat; the native agent
 * puts a customer page's token here to take that page's seat.
 */
export function tokenKey(role: Role, code: string): string {
  return `tether.resume.${role}.${code}`;
}

function readToken(storage: () => TokenStorage, key: string): string | undefined {
  try {
    return storage().getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function writeToken(storage: () => TokenStorage, key: string, token: string | null): void {
  try {
    if (token === null) storage().removeItem(key);
    else storage().setItem(key, token);
  } catch {
    // Storage refused (a private mode): a reload then takes a new seat, which is all that is lost.
  }
}

/** The delay before reconnect attempt `attempt` (0-based): doubling, capped, with ±25 % jitter. */
export function backoffMs(attempt: number, random: number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return Math.round(base * (0.75 + random * 0.5));
}

/**
 * One participant's WebSocket to a session room: hello (with the stored seat token), keep-alive, every frame parsed
 * with the protocol's schemas, and reconnection with backoff that keeps the seat.
 */
export class SignalingClient {
  #ws: SocketLike | null = null;
  #attempt = 0;
  #isStopped = false;
  /** Whether the current socket has been welcomed; messages sent before that would be refused. */
  #isSeated = false;
  /** `end` was asked for while not seated: it goes out right after the next welcome. */
  /** The `end` to send once the seat is back, when it could not be sent at once. */
  #pendingEnd: ClientMessage | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: SignalingOptions;
  readonly #tokenKey: string;
  /** Read at each use inside a try: a page's sessionStorage may throw (a private mode), and Node has none. */
  readonly #storage: () => TokenStorage;
  /** This participant's id in the room, once welcomed. */
  participantId: string | null = null;

  constructor(options: SignalingOptions) {
    this.#options = options;
    this.#tokenKey = tokenKey(options.role, options.code);
    this.#storage = () => options.storage ?? sessionStorage;
    const onOnline = options.onOnline ?? ((listener) => page.addEventListener("online", listener));
    onOnline(() => {
      if (this.#retryTimer !== undefined) this.#reconnectNow();
    });
  }

  /**
   * The token that reclaims this seat, as the last welcome gave it (null before one, or once the session is over): the
   * customer's page hands it to the native agent that takes its place.
   */
  get seatToken(): string | null {
    return readToken(this.#storage, this.#tokenKey) ?? null;
  }

  /** Opens the connection. */
  start(): void {
    this.#isStopped = false;
    this.#connect();
  }

  /** Sends a message if the seat is live; false when it could not be sent (the caller retries after `open`). */
  send(msg: ClientMessage): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN || !this.#isSeated) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Ends the session for everyone: now if seated, else as soon as the seat is back (the client keeps reconnecting
   * for it). The server's `ended` then closes the connection.
   */
  end(why?: EndWhy): void {
    const msg: ClientMessage = why ? { type: "end", why } : { type: "end" };
    if (!this.send(msg)) this.#pendingEnd = msg;
  }

  /** Closes for good; the seat is then held by the room until its grace runs out. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#drop(1000, "Leaving");
  }

  #connect(): void {
    const { code, role, openSocket = (url) => new WebSocket(url) } = this.#options;
    const origin = new URL(this.#options.origin ?? page.location.origin);
    const scheme = origin.protocol === "https:" ? "wss:" : "ws:";
    const ws: SocketLike = openSocket(`${scheme}//${origin.host}/api/sessions/${code}/ws?role=${role}`);
    this.#ws = ws;
    this.#isSeated = false;
    this.#options.onStatus(this.#attempt === 0 && this.participantId === null ? "connecting" : "reconnecting");
    ws.addEventListener("open", () => {
      const resume = readToken(this.#storage, this.#tokenKey);
      const { seatKey, capture, inviteKey } = this.#options;
      const hello: ClientMessage = {
        type: "hello",
        version: PROTOCOL_VERSION,
        ...(resume ? { resume } : {}),
        ...(seatKey ? { seatKey } : {}),
        ...(capture ? { capture } : {}),
        ...(inviteKey ? { inviteKey } : {}),
      };
      ws.send(JSON.stringify(hello));
      this.#keepAliveTimer = setInterval(() => this.#ping(ws), KEEP_ALIVE_MS);
    });
    ws.addEventListener("message", (event) => this.#receive(event.data));
    ws.addEventListener("close", (event) => {
      if (this.#ws !== ws) return;
      this.#closed(event.code, event.reason);
    });
  }

  #receive(data: unknown): void {
    if (data === "pong") {
      clearTimeout(this.#pongTimer);
      return;
    }
    if (typeof data !== "string") return;
    const parsed = parseServerMessage(data, MAX_SERVER_FRAME_BYTES);
    // A frame this page cannot read is dropped: the server is trusted for routing, not for shape.
    if (!parsed.ok) return;
    const msg = parsed.msg;
    if (msg.type === "welcome") {
      this.participantId = msg.participantId;
      this.#isSeated = true;
      this.#attempt = 0;
      writeToken(this.#storage, this.#tokenKey, msg.resume);
      if (this.#pendingEnd) {
        this.send(this.#pendingEnd);
        this.#pendingEnd = null;
        return;
      }
      this.#options.onStatus("open");
    } else if (msg.type === "ended") {
      this.#finish();
    } else if (msg.type === "error" && TERMINAL.has(msg.code)) {
      this.#finish();
      this.#options.onMessage(msg);
      this.#options.onStatus("closed", { code: msg.code, message: msg.message });
      return;
    }
    this.#options.onMessage(msg);
  }

  #ping(ws: SocketLike): void {
    if (ws.readyState !== OPEN) return;
    ws.send("ping");
    clearTimeout(this.#pongTimer);
    this.#pongTimer = setTimeout(() => {
      if (this.#ws === ws) this.#closed(4000, "Keep-alive timed out");
    }, PONG_TIMEOUT_MS);
  }

  /** The session is over: forget the seat and never reconnect. */
  #finish(): void {
    this.#isStopped = true;
    writeToken(this.#storage, this.#tokenKey, null);
  }

  #closed(code: number, reason: string): void {
    this.#drop(code === 4000 ? 4000 : 1000, reason);
    if (this.#isStopped) {
      this.#options.onStatus("closed");
      return;
    }
    if (code === 1000 && /replaced/i.test(reason)) {
      // Another tab reclaimed this seat; fighting over it would flap both.
      this.#isStopped = true;
      this.#options.onStatus("closed", {
        code: "REPLACED",
        message: reason,
      });
      return;
    }
    this.#options.onStatus("reconnecting");
    const delay = backoffMs(this.#attempt++, Math.random());
    this.#retryTimer = setTimeout(() => this.#reconnectNow(), delay);
  }

  #reconnectNow(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (!this.#isStopped) this.#connect();
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  #drop(code: number, reason: string): void {
    clearInterval(this.#keepAliveTimer);
    clearTimeout(this.#pongTimer);
    const ws = this.#ws;
    this.#ws = null;
    this.#isSeated = false;
    if (ws && ws.readyState <= OPEN) {
      try {
        ws.close(code, reason.slice(0, 100));
      } catch {
        // Already closing.
      }
    }
  }
}
