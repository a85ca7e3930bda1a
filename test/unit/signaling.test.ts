import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import {
  SignalingClient,
  type SignalingError,
  type SignalingStatus,
  type TokenStorage,
} from "../../client/web/src/rtc/signaling.ts";
import { FakeSocket } from "../helpers/fake-socket.ts";

// The room connection with everything a runtime provides passed in: the socket, the store for the seat token, the
// site's origin and the network's return. This is how the native agent runs it on Node; the pages pass the browser's.

const CODE = "123456789";
const TOKEN_1 = "resume-token-0001";
const TOKEN_2 = "resume-token-0002";

/** The client's room socket as the test drives it (fake-socket.ts), which also reads back what the client sent. */
class FakeRoomSocket extends FakeSocket<ServerMessage> {
  /** What the client sent, parsed (keep-alive pings left out). */
  messages(): ClientMessage[] {
    return this.sent.filter((text) => text !== "ping").map((text) => JSON.parse(text) as ClientMessage);
  }
}

function welcome(resume: string, participantId = "cust-1"): ServerMessage {
  return {
    type: "welcome",
    participantId,
    role: "customer",
    resume,
    session: { code: CODE, state: "waiting", expiresAt: 2_000_000_000_000, technician: null },
    peers: [],
  };
}

/** A client with its runtime faked; what it opened, stored, reported and received is kept. */
function harness(storage: TokenStorage = new MemoryStorage()) {
  const sockets: FakeRoomSocket[] = [];
  const statuses: { status: SignalingStatus; error?: SignalingError }[] = [];
  const received: ServerMessage[] = [];
  let online: (() => void) | undefined;
  const client = new SignalingClient({
    code: CODE,
    role: "customer",
    seatKey: "seat-key",
    origin: "https://tether.example:8443",
    openSocket: (url) => {
      const socket = new FakeRoomSocket(url);
      sockets.push(socket);
      return socket;
    },
    storage,
    onOnline: (listener) => {
      online = listener;
    },
    onMessage: (msg) => received.push(msg),
    onStatus: (status, error) => statuses.push(error ? { status, error } : { status }),
  });
  const last = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error("no socket opened");
    return socket;
  };
  return { client, sockets, statuses, received, storage, last, goOnline: () => online?.() };
}

class MemoryStorage implements TokenStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("SignalingClient with its runtime passed in", () => {
  it("connects to the given site's room over wss, says hello with the seat key, and keeps the token it is given", () => {
    const { client, last, storage, statuses } = harness();
    client.start();
    expect(last().url).toBe(`wss://tether.example:8443/api/sessions/${CODE}/ws?role=customer`);
    last().open();
    expect(last().messages()).toEqual([{ type: "hello", version: 1, seatKey: "seat-key" }]);
    last().receive(welcome(TOKEN_1));
    expect(client.participantId).toBe("cust-1");
    expect(storage.getItem(`tether.resume.customer.${CODE}`)).toBe(TOKEN_1);
    expect(statuses.map((s) => s.status)).toEqual(["connecting", "open"]);
  });

  it("uses ws: for a site on http", () => {
    const sockets: string[] = [];
    const client = new SignalingClient({
      code: CODE,
      role: "technician",
      origin: "http://127.0.0.1:8787",
      openSocket: (url) => {
        sockets.push(url);
        return new FakeRoomSocket(url);
      },
      storage: new MemoryStorage(),
      onOnline: () => undefined,
      onMessage: () => undefined,
      onStatus: () => undefined,
    });
    client.start();
    expect(sockets).toEqual([`ws://127.0.0.1:8787/api/sessions/${CODE}/ws?role=technician`]);
  });

  it("reconnects after a drop with backoff and reclaims the seat with the stored token", () => {
    const { client, sockets, last, statuses } = harness();
    client.start();
    last().open();
    last().receive(welcome(TOKEN_1));
    last().drop();
    expect(statuses.at(-1)?.status).toBe("reconnecting");
    expect(sockets).toHaveLength(1);
    // The first retry waits 500 ms ± 25 %.
    vi.advanceTimersByTime(625);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().messages()[0]).toMatchObject({ type: "hello", resume: TOKEN_1 });
    last().receive(welcome(TOKEN_2));
    expect(statuses.at(-1)?.status).toBe("open");
  });

  it("a token kept in the store by an earlier run reclaims the seat on start", () => {
    const storage = new MemoryStorage();
    storage.setItem(`tether.resume.customer.${CODE}`, TOKEN_1);
    const { client, last } = harness(storage);
    client.start();
    last().open();
    expect(last().messages()[0]).toMatchObject({ type: "hello", resume: TOKEN_1 });
  });

  it("reconnects at once when the runtime says the network is back", () => {
    const { client, sockets, last, goOnline } = harness();
    client.start();
    last().open();
    last().receive(welcome(TOKEN_1));
    last().drop();
    expect(sockets).toHaveLength(1);
    goOnline();
    expect(sockets).toHaveLength(2);
  });

  it("stops for good on a terminal error and forgets the token", () => {
    const { client, sockets, last, storage, statuses } = harness();
    client.start();
    last().open();
    last().receive(welcome(TOKEN_1));
    last().receive({ type: "error", code: "SESSION_ENDED", message: "The session has ended." });
    last().drop(1008, "ended");
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(storage.getItem(`tether.resume.customer.${CODE}`)).toBeNull();
    expect(statuses).toContainEqual({
      status: "closed",
      error: { code: "SESSION_ENDED", message: "The session has ended." },
    });
  });

  it("sends nothing before the welcome, and an end asked for meanwhile right after it", () => {
    const { client, last } = harness();
    client.start();
    last().open();
    expect(client.send({ type: "consent", permission: "view", isGiven: true })).toBe(false);
    client.end();
    last().receive(welcome(TOKEN_1));
    expect(
      last()
        .messages()
        .map((m) => m.type),
    ).toEqual(["hello", "end"]);
  });

  it("keeps going when the store refuses (a runtime with none behaves as a private window)", () => {
    const refusing: TokenStorage = {
      getItem: () => {
        throw new Error("refused");
      },
      setItem: () => {
        throw new Error("refused");
      },
      removeItem: () => {
        throw new Error("refused");
      },
    };
    const { client, last, statuses } = harness(refusing);
    client.start();
    last().open();
    expect(last().messages()[0]).not.toHaveProperty("resume");
    last().receive(welcome(TOKEN_1));
    expect(statuses.at(-1)?.status).toBe("open");
  });

  it("drops a half-open connection whose keep-alive goes unanswered, and reconnects", () => {
    const { client, sockets, last } = harness();
    client.start();
    last().open();
    last().receive(welcome(TOKEN_1));
    vi.advanceTimersByTime(20_000);
    expect(last().sent).toContain("ping");
    vi.advanceTimersByTime(10_000);
    expect(sockets[0]?.closedWith?.code).toBe(4000);
    vi.advanceTimersByTime(625);
    expect(sockets).toHaveLength(2);
  });
});
