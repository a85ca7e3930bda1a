import { describe, expect, it } from "vitest";
import { asReceived, fuzzPayload, hasStackTrace, Rng } from "../helpers/fuzz.ts";
import { fuzzFrame, judge } from "../helpers/room-fuzz.ts";

// The fuzz suites' generators: a seed must give the same inputs again (that is how a failure is replayed), and what
// the tests predict must be what a receiver reads.

describe("the fuzz generators", () => {
  it("make the same inputs from the same seed and label, and others from another", () => {
    const run = (seed: number, label: string) => {
      const rng = Rng.derive(seed, label);
      return Array.from({ length: 50 }, () =>
        fuzzPayload(rng, { type: "offer", to: "abc", sdp: "v=0" }, { maxBytes: 1_024 }),
      );
    };
    expect(run(7, "deno/room/customer/3")).toEqual(run(7, "deno/room/customer/3"));
    expect(run(7, "deno/room/customer/3")).not.toEqual(run(8, "deno/room/customer/3"));
    expect(run(7, "deno/room/customer/3")).not.toEqual(run(7, "deno/room/customer/4"));
  });

  it("keep within their ranges", () => {
    const rng = new Rng(42);
    const rolls = Array.from({ length: 10_000 }, () => rng.float());
    expect(Math.min(...rolls)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...rolls)).toBeLessThan(1);
    const ints = new Set(Array.from({ length: 1_000 }, () => rng.between(3, 5)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });

  it("judge a frame as the room reads it: a byte-order mark stays in text, a lone surrogate becomes U+FFFD", () => {
    expect(judge('\ufeff{"type":"end"}', 1_024)).toMatchObject({ ok: false, error: { code: "MESSAGE_INVALID" } });
    expect(judge(new TextEncoder().encode('{"type":"end"}'), 1_024)).toMatchObject({ ok: true });
    expect(asReceived("a\ud800b")).toBe("a\ufffdb");
  });

  it("mutate every kind of frame, and keep some well formed", () => {
    const rng = new Rng(1);
    const view = {
      role: "customer",
      selfId: "self1234",
      peerId: "peer1234",
      resume: "r".repeat(43),
      seatKey: "k".repeat(43),
    } as const;
    const frames = Array.from({ length: 2_000 }, () => fuzzFrame(rng, view, 4_096, () => true));
    const kinds = new Set(frames.map((f) => (f.verdict.ok ? f.verdict.msg.type : f.verdict.error.code)));
    expect(kinds).toEqual(
      new Set([
        "offer",
        "answer",
        "candidate",
        "keyExchange",
        "pakeStart",
        "pakeReply",
        "pakeFinish",
        "pakeResult",
        "hello",
        "end",
        "leaving",
        "extend",
        "consent",
        "invite",
        "admit",
        "remove",
        "handOver",
        "MESSAGE_INVALID",
        "MESSAGE_TOO_LARGE",
        "UNSUPPORTED_VERSION",
      ]),
    );
    expect(frames.some((f) => typeof f.data !== "string")).toBe(true);
  });
});

describe("the fuzz's stack-trace check", () => {
  it("finds V8's and Deno's traces, and not messages a person reads", () => {
    const v8 =
      "TypeError: Cannot read properties of undefined\n    at hello (file:///app/worker/routes/sessions.ts:42:7)";
    expect(hasStackTrace(v8)).toBe(true);
    expect(hasStackTrace(JSON.stringify({ error: { code: "INTERNAL", message: v8 } }))).toBe(true);
    expect(hasStackTrace("Error: boom\n    at <anonymous>")).toBe(true);
    expect(hasStackTrace("Meet at 10:30 at the office")).toBe(false);
    expect(hasStackTrace('{"error":{"code":"NOT_FOUND","message":"No such endpoint: GET /api/at:1:2"}}')).toBe(false);
  });
});
