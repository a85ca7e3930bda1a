import { ed25519 } from "@noble/curves/ed25519.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LINE_KEEPALIVE_S, LineAnswer, type LineServerFrame, lineMessage } from "#protocol/machines.ts";
import type { MachineIdentity } from "../../client/agent/machine/identity.ts";
import { keepLine, lineUrl } from "../../client/agent/machine/line.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import { machineIdOf } from "../../client/core/machine-handshake.ts";
import { FakeSocket } from "../helpers/fake-socket.ts";

// The machine's line as the agent keeps it while it serves: the site's challenge answered with the machine's key, a
// wake passed on for each the site sends, a keep-alive, and a line opened again after it closes or goes wrong, with
// the heartbeat's backoff. The sockets, the waits and the keep-alive's timer are the test's: nothing sleeps.

const ORIGIN = "https://help.example.org";
const SEED = new Uint8Array(32).fill(7);
const PUBLIC_KEY = ed25519.getPublicKey(SEED);
const MACHINE_ID = machineIdOf(PUBLIC_KEY);
const IDENTITY: MachineIdentity = { origin: ORIGIN, machineId: MACHINE_ID, privateKey: SEED, name: "build-01" };
const NONCE = toBase64url(new Uint8Array(32).fill(9));

/** The agent's line as the test drives it (fake-socket.ts), which also plays the site's whole proof. */
class FakeLineSocket extends FakeSocket<LineServerFrame> {
  /** The site takes the line: opens it, challenges, takes the answer. */
  prove(): void {
    this.open();
    this.receive({ type: "challenge", nonce: NONCE });
    this.receive({ type: "ready" });
  }
}

/** Lets the agent's promises run: the line's loop moves on between the test's steps. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Keeps the line with the test's sockets (`fail`: opening one throws, as for a site out of reach), waits that end
 * when the test says (`endWait`), and a keep-alive timer that ticks when the test says (`tick`).
 */
function keep(options: { fail?: () => boolean } = {}) {
  const stop = new AbortController();
  const sockets: FakeLineSocket[] = [];
  const waits: number[] = [];
  const ticks = new Set<() => void>();
  let wakes = 0;
  let endWait = () => {};
  const done = keepLine({
    identity: IDENTITY,
    openSocket: (url) => {
      if (options.fail?.()) throw new TypeError("connect ECONNREFUSED");
      const socket = new FakeLineSocket(url);
      sockets.push(socket);
      return socket;
    },
    onWake: () => {
      wakes += 1;
    },
    signal: stop.signal,
    sleep: (ms, signal) => {
      waits.push(ms);
      return new Promise<void>((resolve) => {
        endWait = () => resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    },
    every: (ms, tick) => {
      expect(ms).toBe(LINE_KEEPALIVE_S * 1000);
      ticks.add(tick);
      return () => ticks.delete(tick);
    },
  });
  const latest = () => sockets.at(-1) ?? new FakeLineSocket("none");
  return {
    stop,
    done,
    sockets,
    waits,
    latest,
    wakes: () => wakes,
    tick: () => {
      for (const tick of [...ticks]) tick();
    },
    /** The keep-alive timers running: one per open line, none after it. */
    timers: () => ticks.size,
    /** Ends the wait before the next line, and lets the agent open it. */
    endWait: async () => {
      endWait();
      await settle();
    },
  };
}

const console$ = ["log", "info", "warn", "error", "debug"] as const;
beforeEach(() => {
  for (const method of console$) vi.spyOn(console, method);
});
afterEach(() => {
  // Nothing from the line (a nonce, a signature, the site's error) is ever printed or logged.
  for (const method of console$) expect(console[method]).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe("keepLine", () => {
  it("answers the site's challenge with the machine's signature, good for its own site and machine only", async () => {
    const line = keep();
    const socket = line.latest();
    expect(socket.url).toBe(`wss://help.example.org/api/machines/${MACHINE_ID}/line`);
    socket.open();
    expect(socket.sent).toEqual([]);
    socket.receive({ type: "challenge", nonce: NONCE });
    expect(socket.sent).toHaveLength(1);
    const answer = LineAnswer.parse(JSON.parse(socket.sent[0] ?? ""));
    const signature = fromBase64url(answer.signature) ?? new Uint8Array();
    const isGoodFor = (origin: string, machineId: string, nonce: string) =>
      ed25519.verify(signature, lineMessage(origin, machineId, nonce), PUBLIC_KEY);
    expect(isGoodFor(ORIGIN, MACHINE_ID, NONCE)).toBe(true);
    expect(isGoodFor("https://evil.example.org", MACHINE_ID, NONCE)).toBe(false);
    expect(isGoodFor(ORIGIN, machineIdOf(ed25519.getPublicKey(new Uint8Array(32).fill(8))), NONCE)).toBe(false);
    expect(isGoodFor(ORIGIN, MACHINE_ID, toBase64url(new Uint8Array(32).fill(10)))).toBe(false);
    line.stop.abort();
    await line.done;
  });

  it("reaches a site on plain http with ws:", () => {
    const local = { ...IDENTITY, origin: "http://localhost:8787" };
    expect(lineUrl(local)).toBe(`ws://localhost:8787/api/machines/${MACHINE_ID}/line`);
  });

  it("passes on each wake, ignores pong, and sends a keep-alive on each tick", async () => {
    const line = keep();
    const socket = line.latest();
    socket.prove();
    socket.receive({ type: "wake" });
    socket.receive({ type: "wake" });
    expect(line.wakes()).toBe(2);
    socket.receive("pong");
    line.tick();
    socket.receive("pong");
    line.tick();
    expect(socket.sent.slice(1)).toEqual(["ping", "ping"]);
    socket.receive({ type: "wake" });
    expect(line.wakes()).toBe(3);
    // Still the one line: pongs and wakes close nothing.
    expect(socket.closedWith).toBeNull();
    expect(line.sockets).toHaveLength(1);
    line.stop.abort();
    await line.done;
  });

  it("drops a line that heard nothing, not even a pong, for a whole keep-alive period, and opens another", async () => {
    const line = keep();
    const socket = line.latest();
    socket.prove();
    line.tick();
    expect(socket.closedWith).toBeNull();
    line.tick();
    expect(socket.closedWith).toEqual({ code: 4000, reason: "Keep-alive timed out" });
    expect(socket.sent.slice(1)).toEqual(["ping"]);
    expect(line.timers()).toBe(0);
    await settle();
    expect(line.waits).toEqual([1_000]);
    await line.endWait();
    expect(line.sockets).toHaveLength(2);
    // A connection that never opens is dropped as well, at the first keep-alive.
    line.tick();
    expect(line.latest().closedWith?.code).toBe(4000);
    line.stop.abort();
    await line.done;
  });

  it("opens the line again after it closes, waiting longer after each failure, and afresh after the site took it", async () => {
    let isSiteDown = false;
    const line = keep({ fail: () => isSiteDown });
    line.latest().drop();
    await settle();
    await line.endWait();
    line.latest().open();
    line.latest().drop(1011);
    await settle();
    isSiteDown = true;
    await line.endWait();
    await line.endWait();
    isSiteDown = false;
    await line.endWait();
    expect(line.waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(line.sockets).toHaveLength(3);
    // The site takes the line: the next failure waits as little as the first.
    line.latest().prove();
    line.latest().drop(1001);
    await settle();
    await line.endWait();
    line.latest().drop();
    await settle();
    expect(line.waits).toEqual([1_000, 2_000, 4_000, 8_000, 1_000, 2_000]);
    // A newer line of the same machine's (another agent serving its identity) replaced this one: the longest wait.
    await line.endWait();
    line.latest().prove();
    line.latest().drop(1000, "replaced");
    await settle();
    expect(line.waits.at(-1)).toBe(30_000);
    line.stop.abort();
    await line.done;
  });

  it("drops a line that sends a frame it does not take, or an error, and opens another", async () => {
    const oversized = JSON.stringify({ type: "error", code: "INTERNAL", message: "é".repeat(250) });
    expect(oversized.length).toBeLessThan(512);
    const refused: (LineServerFrame | string | ArrayBuffer)[] = [
      "not json",
      '{"type":"hello"}',
      '{"type":"challenge","nonce":"short"}',
      '["wake"]',
      // Within the schema's limits, but more bytes than a line's frame may have.
      oversized,
      new TextEncoder().encode('{"type":"wake"}').buffer as ArrayBuffer,
      { type: "error", code: "MACHINE_KEY_INVALID", message: "The site says no." },
    ];
    const line = keep();
    for (const [index, frame] of refused.entries()) {
      const socket = line.latest();
      socket.prove();
      socket.receive(frame);
      expect(socket.closedWith?.code, String(index)).toBe(index === refused.length - 1 ? 1000 : 4000);
      // The line it dropped is done with: a wake on it is not taken.
      socket.receive({ type: "wake" });
      expect(socket.sent).toHaveLength(1);
      await settle();
      await line.endWait();
      expect(line.sockets).toHaveLength(index + 2);
    }
    expect(line.wakes()).toBe(0);
    // Each line was taken before it went wrong: each wait is as short as the first.
    expect(line.waits).toEqual(Array(refused.length).fill(1_000));
    line.stop.abort();
    await line.done;
  });

  it("closes the line and resolves when stopped, whether the line is open, opening or waiting", async () => {
    const open = keep();
    open.latest().prove();
    open.stop.abort();
    await open.done;
    expect(open.latest().closedWith).toEqual({ code: 1000, reason: "Stopped" });
    expect(open.timers()).toBe(0);

    const opening = keep();
    opening.stop.abort();
    await opening.done;
    expect(opening.latest().closedWith?.code).toBe(1000);

    const waiting = keep();
    waiting.latest().drop();
    await settle();
    expect(waiting.waits).toEqual([1_000]);
    waiting.stop.abort();
    await waiting.done;
    expect(waiting.sockets).toHaveLength(1);
  });
});
