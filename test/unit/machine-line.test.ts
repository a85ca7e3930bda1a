import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  heartbeatMessage,
  LINE_ANSWER_TIMEOUT_MS,
  LineServerFrame,
  lineMessage,
  MAX_LINE_FRAME_BYTES,
} from "#protocol/machines.ts";
import {
  expireLines,
  type LineAttachment,
  type LineSocket,
  type LineSockets,
  MAX_LINE_SOCKETS,
  openLine,
  receiveLine,
  wakeLine,
} from "../../durable-objects/machine-line/line.ts";
import { base64url, fromBase64url } from "../../worker/auth/tokens.ts";

// A machine's line (durable-objects/machine-line/line.ts), the core both hosts run: the challenge on open, the answer
// the machine signs with its enrolled key, the one proved line that a session wakes, the deadline, and the cap on the
// sockets one machine holds. Fake sockets, the time passed in; the hosts' sockets and alarms are
// test/integration/machine-line.test.ts's and test/servers/machine-line.test.ts's.

const T0 = 1_800_000_000_000;
const ORIGIN = "https://support.example.com";

/** A socket as a host lends it: what was sent on it, how it was closed, and its attachment as JSON (hibernation). */
class FakeSocket implements LineSocket {
  readonly sent: string[] = [];
  closedWith: { code: number; reason: string } | null = null;
  stored: string | null = null;

  send(text: string): void {
    this.sent.push(text);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  /** Every frame sent but keep-alive answers, each checked against the protocol's schema. */
  frames(): LineServerFrame[] {
    return this.sent.filter((text) => text !== "pong").map((text) => LineServerFrame.parse(JSON.parse(text)));
  }

  get attachment(): LineAttachment | null {
    return this.stored === null ? null : (JSON.parse(this.stored) as LineAttachment);
  }
}

type Machine = { id: string; publicKey: string; secretKey: Uint8Array };

function newMachine(): Machine {
  const { secretKey, publicKey } = ed25519.keygen();
  return { id: base64url(sha256(publicKey)), publicKey: base64url(publicKey), secretKey };
}

/** One machine's line with its sockets, as a host keeps them (closed sockets stay listed until their peer answers). */
function setUp() {
  const machine = newMachine();
  const sockets = new Set<FakeSocket>();
  const line: LineSockets<FakeSocket> = {
    all: () => sockets,
    attachment: (ws) => ws.attachment,
    attach: (ws, attachment) => {
      // Kept as the object's serializeAttachment keeps it: what does not survive JSON is lost.
      ws.stored = JSON.stringify(attachment);
    },
  };
  function open(now = T0): FakeSocket {
    const ws = new FakeSocket();
    sockets.add(ws);
    expect(openLine(line, ws, machine.id, { publicKey: machine.publicKey, origin: ORIGIN }, now)).toBe(
      now + LINE_ANSWER_TIMEOUT_MS,
    );
    return ws;
  }
  return { machine, line, sockets, open };
}

function nonceOf(ws: FakeSocket): string {
  const [challenge] = ws.frames();
  if (challenge?.type !== "challenge") throw new Error(`no challenge: ${ws.sent.join(" ")}`);
  return challenge.nonce;
}

/** The answer to `ws`'s challenge, signed as the agent signs it unless a test changes what is signed or with what. */
function answer(machine: Machine, ws: FakeSocket, signed: { message?: Uint8Array; secretKey?: Uint8Array } = {}) {
  const message = signed.message ?? lineMessage(ORIGIN, machine.id, nonceOf(ws));
  return JSON.stringify({
    type: "answer",
    signature: base64url(ed25519.sign(message, signed.secretKey ?? machine.secretKey)),
  });
}

/** Whether `ws` was told `code` in an error frame as its last frame, then closed with 1008. */
function expectRefused(ws: FakeSocket, code: string): void {
  expect(ws.frames().at(-1)).toMatchObject({ type: "error", code });
  expect(ws.closedWith?.code).toBe(1008);
  expect(ws.attachment?.state).toBe("closed");
}

describe("a machine's line", () => {
  let logs: string[];
  beforeEach(() => {
    logs = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => void logs.push(text));
  });
  afterEach(() => vi.restoreAllMocks());

  it("challenges each socket as it opens with a fresh 32-byte nonce, due LINE_ANSWER_TIMEOUT_MS later", () => {
    const { machine, open } = setUp();
    const [first, second] = [open(), open(T0 + 5)];
    const nonces = [nonceOf(first), nonceOf(second)];
    expect(nonces.map((nonce) => fromBase64url(nonce)?.length)).toEqual([32, 32]);
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(first.attachment).toEqual({
      machineId: machine.id,
      publicKey: machine.publicKey,
      origin: ORIGIN,
      state: "challenged",
      nonce: nonces[0],
      deadline: T0 + LINE_ANSWER_TIMEOUT_MS,
    });
    expect(first.closedWith).toBeNull();
  });

  it("takes the answer signed with the machine's key over its site, id and the nonce, and says ready", () => {
    const { machine, line, open } = setUp();
    const ws = open();
    receiveLine(line, ws, answer(machine, ws), T0 + 100);
    expect(ws.frames().map((frame) => frame.type)).toEqual(["challenge", "ready"]);
    expect(ws.attachment?.state).toBe("ready");
    expect(ws.closedWith).toBeNull();
    // A proved line waits for no answer any more.
    expect(expireLines(line, T0 + LINE_ANSWER_TIMEOUT_MS + 1)).toBeNull();
    expect(ws.closedWith).toBeNull();
    expect(logs).toEqual([]);
  });

  it.each([
    ["another machine's key", (m: Machine, ws: FakeSocket) => answer(m, ws, { secretKey: newMachine().secretKey })],
    ["another socket's nonce", (m: Machine, _ws: FakeSocket, other: FakeSocket) => answer(m, other)],
    [
      "another site",
      (m: Machine, ws: FakeSocket) =>
        answer(m, ws, { message: lineMessage("https://evil.example", m.id, nonceOf(ws)) }),
    ],
    [
      "another machine's id",
      (m: Machine, ws: FakeSocket) => answer(m, ws, { message: lineMessage(ORIGIN, newMachine().id, nonceOf(ws)) }),
    ],
    [
      "a heartbeat",
      (m: Machine, ws: FakeSocket) => answer(m, ws, { message: heartbeatMessage(ORIGIN, m.id, T0, false) }),
    ],
  ])("refuses an answer signed for %s (MACHINE_KEY_INVALID, 1008), and logs only the machine and why", (_, make) => {
    const { machine, line, open } = setUp();
    const [ws, other] = [open(), open()];
    const text = make(machine, ws, other);
    receiveLine(line, ws, text, T0 + 100);
    expectRefused(ws, "MACHINE_KEY_INVALID");
    expect(wakeLine(line)).toBe(0);
    expect(logs.map((entry) => JSON.parse(entry))).toEqual([
      { ts: expect.any(String), event: "machine_line_refused", machineId: machine.id, reason: "signature" },
    ]);
    // Neither the nonce nor the signature reaches the log.
    expect(logs.join("")).not.toContain(nonceOf(ws));
    expect(logs.join("")).not.toContain((JSON.parse(text) as { signature: string }).signature);
    // The other socket is untouched, and still proves itself.
    receiveLine(line, other, answer(machine, other), T0 + 200);
    expect(other.attachment?.state).toBe("ready");
  });

  it.each([
    ["text that is not JSON", "hello"],
    ["an answer without its signature", JSON.stringify({ type: "answer" })],
    ["a signature of the wrong length", JSON.stringify({ type: "answer", signature: "AAAA" })],
    ["another type", JSON.stringify({ type: "hello", version: 1 })],
    ["a JSON array", "[]"],
    ["invalid UTF-8 bytes", new Uint8Array([0x7b, 0xff, 0x7d]).buffer],
  ])("refuses %s (BAD_REQUEST, 1008)", (_, data) => {
    const { line, open } = setUp();
    const ws = open();
    receiveLine(line, ws, data, T0 + 100);
    expectRefused(ws, "BAD_REQUEST");
    expect(JSON.parse(logs[0] ?? "{}")).toMatchObject({ event: "machine_line_refused", reason: "malformed" });
  });

  it("refuses a frame over MAX_LINE_FRAME_BYTES, counted in UTF-8 bytes, even around a good answer", () => {
    const { machine, line, open } = setUp();
    const [long, wide, fits] = [open(), open(), open()];
    // A good answer padded past the limit with spaces (JSON allows them): the size is checked before anything else.
    const padded = answer(machine, long).padEnd(MAX_LINE_FRAME_BYTES + 1, " ");
    receiveLine(line, long, padded, T0 + 100);
    expectRefused(long, "BAD_REQUEST");
    // Fewer characters than the limit, more bytes: "é" is two.
    const accents = JSON.stringify({ type: "answer", signature: "é".repeat(MAX_LINE_FRAME_BYTES / 2) });
    expect(accents.length).toBeLessThanOrEqual(MAX_LINE_FRAME_BYTES);
    receiveLine(line, wide, accents, T0 + 100);
    expectRefused(wide, "BAD_REQUEST");
    expect(wide.frames().at(-1)).toMatchObject({ message: expect.stringContaining(`${MAX_LINE_FRAME_BYTES} bytes`) });
    // Padded up to the limit exactly, it is taken.
    receiveLine(line, fits, answer(machine, fits).padEnd(MAX_LINE_FRAME_BYTES, " "), T0 + 100);
    expect(fits.attachment?.state).toBe("ready");
  });

  it("answers keep-alives in any state, and refuses anything else on a proved line", () => {
    const { machine, line, open } = setUp();
    const ws = open();
    receiveLine(line, ws, "ping", T0 + 1);
    receiveLine(line, ws, answer(machine, ws), T0 + 2);
    receiveLine(line, ws, "ping", T0 + 3);
    expect(ws.sent.filter((text) => text === "pong")).toHaveLength(2);
    expect(ws.attachment?.state).toBe("ready");
    // A second answer, good as it is, is no keep-alive.
    receiveLine(line, ws, answer(machine, ws), T0 + 4);
    expectRefused(ws, "BAD_REQUEST");
    // The line closed it: what it still says is dropped, unanswered.
    const sent = ws.sent.length;
    receiveLine(line, ws, answer(machine, ws), T0 + 5);
    expect(ws.sent).toHaveLength(sent);
    expect(wakeLine(line)).toBe(0);
  });

  it("closes a socket whose answer did not come by its deadline, at the alarm or when it comes late", () => {
    const { machine, line, open } = setUp();
    const [first, second, late] = [open(T0), open(T0 + 3_000), open(T0 + 4_000)];
    const deadline = T0 + LINE_ANSWER_TIMEOUT_MS;
    // Before the first deadline nothing closes, and the alarm is for it.
    expect(expireLines(line, deadline - 1)).toBe(deadline);
    expect([first, second, late].map((ws) => ws.closedWith)).toEqual([null, null, null]);
    // At it, the first goes, and the alarm moves to the second's.
    expect(expireLines(line, deadline)).toBe(deadline + 3_000);
    expectRefused(first, "BAD_REQUEST");
    expect(first.frames().at(-1)).toMatchObject({ message: expect.stringContaining("10 s") });
    expect(second.closedWith).toBeNull();
    // Just in time, the second is taken.
    receiveLine(line, second, answer(machine, second), deadline + 2_999);
    expect(second.attachment?.state).toBe("ready");
    // An answer that comes at its deadline, before the alarm ran, is refused all the same, good as it is.
    receiveLine(line, late, answer(machine, late), deadline + 4_000);
    expectRefused(late, "BAD_REQUEST");
    // Then no alarm is needed.
    expect(expireLines(line, deadline + 5_000)).toBeNull();
    expect(second.closedWith).toBeNull();
    expect(logs.map((entry) => JSON.parse(entry).reason)).toEqual(["late", "late"]);
  });

  it("wakes the proved line only, and says how many were told", () => {
    const { machine, line, open } = setUp();
    expect(wakeLine(line)).toBe(0);
    const [waiting, proved] = [open(), open()];
    receiveLine(line, proved, answer(machine, proved), T0 + 10);
    expect(wakeLine(line)).toBe(1);
    expect(wakeLine(line)).toBe(1);
    expect(proved.frames().map((frame) => frame.type)).toEqual(["challenge", "ready", "wake", "wake"]);
    expect(waiting.frames().map((frame) => frame.type)).toEqual(["challenge"]);
  });

  it("keeps one proved line per machine: a newer one replaces the older, closed with 1000", () => {
    const { machine, line, open } = setUp();
    const older = open();
    receiveLine(line, older, answer(machine, older), T0 + 10);
    const newer = open(T0 + 20);
    receiveLine(line, newer, answer(machine, newer), T0 + 30);
    expect(older.closedWith).toEqual({ code: 1000, reason: "replaced" });
    expect(older.attachment?.state).toBe("closed");
    expect(newer.attachment?.state).toBe("ready");
    expect(wakeLine(line)).toBe(1);
    expect(older.frames().map((frame) => frame.type)).toEqual(["challenge", "ready"]);
    expect(newer.frames().map((frame) => frame.type)).toEqual(["challenge", "ready", "wake"]);
  });

  it(`holds at most ${MAX_LINE_SOCKETS} sockets a machine, closing the oldest unproved one (RATE_LIMITED), never the proved one`, () => {
    const { machine, line, open } = setUp();
    const proved = open(T0);
    receiveLine(line, proved, answer(machine, proved), T0 + 1);
    const waiting = [open(T0 + 10), open(T0 + 20), open(T0 + 30)];
    expect([proved, ...waiting].map((ws) => ws.closedWith)).toEqual([null, null, null, null]);

    const newcomer = open(T0 + 40);
    expectRefused(waiting[0] as FakeSocket, "RATE_LIMITED");
    expect([proved, waiting[1], waiting[2], newcomer].map((ws) => ws?.closedWith)).toEqual([null, null, null, null]);
    // The socket closed to make room is still listed until its peer answers the close, and counts for nothing.
    const last = open(T0 + 50);
    expectRefused(waiting[1] as FakeSocket, "RATE_LIMITED");
    expect([proved, waiting[2], newcomer, last].map((ws) => ws?.closedWith)).toEqual([null, null, null, null]);
    expect(logs.map((entry) => JSON.parse(entry).reason)).toEqual(["crowded", "crowded"]);
    // The newcomer, whose place was made, proves itself and replaces the proved line.
    receiveLine(line, newcomer, answer(machine, newcomer), T0 + 60);
    expect(newcomer.attachment?.state).toBe("ready");
    expect(proved.closedWith?.code).toBe(1000);
  });
});
