import { describe, expect, it } from "vitest";
import { newSessionCode } from "../../durable-objects/session/code.ts";
import { ABUSE_BURST, ABUSE_REFILL_PER_S, checkFlood, newFloodState } from "../../durable-objects/session/flood.ts";
import { fromJoinHeaders, JOIN_HEADERS, toJoinHeaders } from "../../durable-objects/session/join-headers.ts";

const limits = { maxMessageBytes: 65_536, messagesPerS: 10, messageBurst: 20 };
const T0 = 1_800_000_000_000;

describe("checkFlood", () => {
  it("allows a burst, then refuses with limited, then calls sustained excess abusive", () => {
    const state = newFloodState();
    const verdicts = Array.from({ length: 20 + ABUSE_BURST + 1 }, () => checkFlood(state, limits, T0));
    expect(verdicts.slice(0, 20).every((v) => v === "ok")).toBe(true);
    expect(verdicts.slice(20, 20 + ABUSE_BURST).every((v) => v === "limited")).toBe(true);
    expect(verdicts.at(-1)).toBe("abusive");
  });

  it("refills at the sustained rate", () => {
    const state = newFloodState();
    for (let i = 0; i < 20; i++) checkFlood(state, limits, T0);
    expect(checkFlood(state, limits, T0)).toBe("limited");
    expect(checkFlood(state, limits, T0 + 100)).toBe("ok"); // 10/s: one token per 100 ms
    expect(checkFlood(state, limits, T0 + 100)).toBe("limited");
  });

  it("never calls a client abusive that stays within the rate", () => {
    const state = newFloodState();
    const verdicts = Array.from({ length: 1_000 }, (_, i) => checkFlood(state, limits, T0 + i * 100));
    expect(new Set(verdicts)).toEqual(new Set(["ok"]));
  });

  it("refuses a burst beyond the bucket in order, without closing while refusals stay within ABUSE_BURST", () => {
    const state = newFloodState();
    const verdicts = Array.from({ length: 20 + ABUSE_BURST }, () => checkFlood(state, limits, T0));
    expect(verdicts).toEqual([...Array(20).fill("ok"), ...Array(ABUSE_BURST).fill("limited")]);
  });

  it("lets one frame through per refilled token during a slow burst, the rest refused", () => {
    const slow = { ...limits, messagesPerS: 1, messageBurst: 10 };
    const state = newFloodState();
    // 40 frames, one every 250 ms: the burst's 10 and the 3 tokens refilled while they went, then one a second.
    const verdicts = Array.from({ length: 40 }, (_, i) => checkFlood(state, slow, T0 + i * 250));
    const passed = verdicts.flatMap((v, i) => (v === "ok" ? [i] : []));
    expect(passed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 24, 28, 32, 36]);
    expect(verdicts).not.toContain("abusive");
  });

  it("tolerates refusals at ABUSE_REFILL_PER_S for good, and closes a faster flood once the allowance is spent", () => {
    const tight = { ...limits, messagesPerS: 1, messageBurst: 1 };
    const atAllowance = newFloodState();
    const steady = Array.from({ length: 2_000 }, (_, i) =>
      checkFlood(atAllowance, tight, T0 + (i * 1000) / ABUSE_REFILL_PER_S),
    );
    expect(steady).not.toContain("abusive");

    const faster = newFloodState();
    const flood = Array.from({ length: 2_000 }, (_, i) =>
      checkFlood(faster, tight, T0 + (i * 1000) / (2 * ABUSE_REFILL_PER_S)),
    );
    const firstAbusive = flood.indexOf("abusive");
    expect(firstAbusive).toBeGreaterThan(ABUSE_BURST);
    expect(flood.slice(0, firstAbusive).filter((v) => v === "limited").length).toBeGreaterThanOrEqual(ABUSE_BURST);
  });
});

describe("newSessionCode", () => {
  it("is nine digits, zero-padded", () => {
    expect(newSessionCode((a) => a.fill(42))).toBe("000000042");
    expect(newSessionCode()).toMatch(/^\d{9}$/);
  });

  it("redraws values that would bias the low codes", () => {
    const draws = [4_294_967_295, 4_000_000_000, 3_999_999_999];
    expect(newSessionCode((a) => a.fill(draws.shift() ?? 0))).toBe("999999999");
    expect(draws).toEqual([]);
  });
});

describe("join headers", () => {
  it("round-trip a technician, non-ASCII names included, their sign-in and the client's address key", () => {
    const who = { role: "technician", technicianId: "t-1", name: "Zoë Ōtani", signInId: "si_1-a" } as const;
    expect(fromJoinHeaders(new Headers(toJoinHeaders(who, "2001:db8:1:2::/64")))).toEqual({
      who,
      clientKey: "2001:db8:1:2::/64",
    });
    expect(fromJoinHeaders(new Headers(toJoinHeaders({ role: "customer" }, "192.0.2.7")))).toEqual({
      who: { role: "customer" },
      clientKey: "192.0.2.7",
    });
  });

  it("refuse a join without an address key or with a malformed one", () => {
    expect(fromJoinHeaders(new Headers({ [JOIN_HEADERS.role]: "customer" }))).toBeNull();
    const headers = { [JOIN_HEADERS.role]: "customer", [JOIN_HEADERS.clientKey]: "a b" };
    expect(fromJoinHeaders(new Headers(headers))).toBeNull();
    expect(fromJoinHeaders(new Headers({ ...headers, [JOIN_HEADERS.clientKey]: "1".repeat(65) }))).toBeNull();
  });

  it("refuse missing or malformed values", () => {
    expect(fromJoinHeaders(new Headers())).toBeNull();
    expect(fromJoinHeaders(new Headers({ [JOIN_HEADERS.role]: "admin" }))).toBeNull();
    expect(fromJoinHeaders(new Headers({ [JOIN_HEADERS.role]: "technician" }))).toBeNull();
    // A technician's join always names the sign-in the room is to keep checking.
    const unchecked = { role: "technician", technicianId: "t", name: "Tess" } as const;
    expect(fromJoinHeaders(new Headers(toJoinHeaders(unchecked, "192.0.2.7")))).toBeNull();
    expect(
      fromJoinHeaders(
        new Headers({
          [JOIN_HEADERS.role]: "technician",
          [JOIN_HEADERS.technicianId]: "t",
          [JOIN_HEADERS.technicianName]: "%E0%A4%A",
        }),
      ),
    ).toBeNull();
  });
});
