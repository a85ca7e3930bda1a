import { describe, expect, it } from "vitest";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import {
  backoffWaitS,
  DEFAULT_HANDSHAKE_LIMITS,
  FLOOR_ATTEMPTS,
  FLOOR_S,
  failedAttemptsTakeS,
} from "../../durable-objects/session/backoff.ts";
import { dispatch } from "../../durable-objects/session/dispatch.ts";
import { HANDSHAKE_BUSY_MS, nextStartAt } from "../../durable-objects/session/handshake.ts";
import { type JoinRequest, join, leave } from "../../durable-objects/session/seats.ts";
import { createRoom, type Effects, type Room } from "../../durable-objects/session/state.ts";
import { pake } from "../helpers/handshake.ts";
import { CUSTOMER_KEY_HASH, HELP_SETTINGS, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// The room's handshake rules on the pure core, every time rule on an injected clock: what each start is charged,
// when the next is accepted, which frames pass between whom, and that only the customer's confirmation verifies.

const S = 1_000;
const HOUR = 3_600 * S;
const PROOF = { resumeHash: null, seatKeyHash: CUSTOMER_KEY_HASH };

/** The waits the defaults give after 1, 2, 3, … failures, written out rather than computed. */
const DEFAULT_WAITS_S = [
  2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200,
  7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200, 7_200,
];

function seat(room: Room, request: JoinRequest, label: string): void {
  const result = join(room, request, PROOF, { participantId: label, token: `t-${label}`, tokenHash: `h-${label}` }, T0);
  if (!result.ok) throw new Error(result.message);
}

/** A link session with its owner ("tech") and the customer ("cust") seated, no handshake yet. */
function pair(): Room {
  const room = createRoom(ROOM_SETTINGS, T0);
  seat(room, { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" }, "tech");
  seat(room, { role: "customer" }, "cust");
  return room;
}

/** A help request with the customer and two technicians ("t1", "t2"). */
function helpTrio(): Room {
  const room = createRoom(HELP_SETTINGS, T0);
  seat(room, { role: "customer" }, "cust");
  seat(room, { role: "technician", technicianId: "id-1", name: "Tina" }, "t1");
  seat(room, { role: "technician", technicianId: "id-2", name: "Sam" }, "t2");
  return room;
}

function sentTo(effects: Effects, to: string): ServerMessage[] {
  return effects.send.filter((s) => s.to === to).map((s) => s.msg);
}

/** The one error frame `effects` sends to `to`, or undefined. */
function errorTo(effects: Effects, to: string) {
  return sentTo(effects, to).find((m): m is Extract<ServerMessage, { type: "error" }> => m.type === "error");
}

function isRelayed(effects: Effects, to: string, type: ClientMessage["type"]): boolean {
  return sentTo(effects, to).some((m) => m.type === type);
}

describe("handshake backoff arithmetic", () => {
  it("waits min(cap, base · 2^(n−1)) after n failures, nothing after none", () => {
    expect(backoffWaitS(0, 2, 7_200)).toBe(0);
    expect(DEFAULT_WAITS_S.map((_, i) => backoffWaitS(i + 1, 2, 7_200))).toEqual(DEFAULT_WAITS_S);
    expect(backoffWaitS(1_000, 2, 7_200)).toBe(7_200);
  });

  it("makes 24 failed attempts take 87,390 s (over 24 h) with the defaults, above TeamViewer's 17 h", () => {
    const { backoffBaseS, backoffCapS } = DEFAULT_HANDSHAKE_LIMITS;
    expect([FLOOR_ATTEMPTS, FLOOR_S]).toEqual([24, 17 * 3_600]);
    const total = failedAttemptsTakeS(24, backoffBaseS, backoffCapS);
    expect(total).toBe(DEFAULT_WAITS_S.slice(0, 23).reduce((a, b) => a + b, 0));
    expect(total).toBe(87_390);
    expect(total).toBeGreaterThanOrEqual(FLOOR_S);
  });
});

describe("charging handshake starts", () => {
  it("drives 30 failed attempts: each wait is exact to the millisecond, and the customer hears of every refusal", () => {
    const room = pair();
    let now = T0;
    const acceptedAt: number[] = [];
    for (let attempt = 1; attempt <= 30; attempt++) {
      const accepted = dispatch(room, "tech", pake.start("cust"), now);
      expect(sentTo(accepted, "cust"), `attempt ${attempt}`).toEqual([
        { type: "pakeStart", from: "tech", nonce: expect.any(String), fingerprint: expect.any(Object) },
      ]);
      expect(accepted.logs).toEqual([
        { event: "handshake_charged", code: "123456789", outcome: "accepted", failures: attempt - 1 },
      ]);
      acceptedAt.push(now);
      // Odd attempts end in the customer's refusal, even ones are abandoned: both stay failures.
      if (attempt % 2 === 1) dispatch(room, "cust", pake.result("tech", false), now + 10);
      expect(room.handshake.failures).toBe(attempt);
      if (attempt === 30) break;

      const waitMs = (DEFAULT_WAITS_S[attempt - 1] ?? 0) * S;
      const retryAt = now + waitMs;
      expect(nextStartAt(room)).toBe(retryAt);
      for (const early of [now + 1, retryAt - 1]) {
        const refused = dispatch(room, "tech", pake.start("cust"), early);
        expect(errorTo(refused, "tech"), `attempt ${attempt + 1} at +${early - now} ms`).toMatchObject({
          code: "HANDSHAKE_WAIT",
          retryAfterS: Math.ceil((retryAt - early) / S),
        });
        expect(sentTo(refused, "cust")).toEqual([{ type: "handshakeThrottled", failures: attempt, retryAt }]);
        expect(refused.logs).toEqual([
          { event: "handshake_charged", code: "123456789", outcome: "wait", failures: attempt },
        ]);
      }
      expect(room.handshake.failures).toBe(attempt);
      now = retryAt;
    }
    const gaps = acceptedAt.slice(1).map((at, i) => (at - (acceptedAt[i] ?? 0)) / S);
    expect(gaps).toEqual(DEFAULT_WAITS_S);
    // From the first start to the 24th: the floor the configuration promises.
    expect(((acceptedAt[23] ?? 0) - T0) / S).toBe(87_390);
    expect((acceptedAt[23] ?? 0) - T0).toBeGreaterThanOrEqual(17 * HOUR);
  });

  it("charges a start before relaying it, and refuses nothing at first", () => {
    const room = pair();
    const effects = dispatch(room, "tech", pake.start("cust"), T0);
    expect(room.handshake).toEqual({ failures: 1, lastStartAt: T0, open: { seatId: "tech", startedAt: T0 } });
    expect(effects.persist).toBe("room");
  });

  it("is reset only by the customer's confirmation, not by a refusal, a finish or a verdict about someone else", () => {
    const room = helpTrio();
    dispatch(room, "t1", pake.start("cust"), T0);
    dispatch(room, "cust", pake.reply("t1"), T0);
    dispatch(room, "t1", pake.finish("cust"), T0);
    dispatch(room, "cust", pake.result("t1", false), T0);
    expect(room.handshake.failures).toBe(1);
    dispatch(room, "t2", pake.start("cust"), T0 + 2 * S);
    expect(room.handshake.failures).toBe(2);
    // A verdict for a technician whose attempt is not the open one changes nothing.
    const stray = dispatch(room, "cust", pake.result("t1"), T0 + 3 * S);
    expect(errorTo(stray, "cust")?.code).toBe("HANDSHAKE_REQUIRED");
    expect(room.handshake.failures).toBe(2);
    dispatch(room, "cust", pake.result("t2"), T0 + 3 * S);
    expect(room.handshake).toEqual({ failures: 0, lastStartAt: T0 + 2 * S, open: null });
    // So the next start, even at once, is accepted.
    expect(isRelayed(dispatch(room, "t2", pake.start("cust"), T0 + 3 * S), "cust", "pakeStart")).toBe(true);
  });

  it("keeps one attempt open at a time: another technician is busy for 30 s, then takes over", () => {
    const room = helpTrio();
    dispatch(room, "t1", pake.start("cust"), T0);
    const busy = dispatch(room, "t2", pake.start("cust"), T0 + HANDSHAKE_BUSY_MS - 1);
    expect(errorTo(busy, "t2")).toMatchObject({ code: "HANDSHAKE_BUSY", retryAfterS: 1 });
    expect(sentTo(busy, "cust")).toEqual([]);
    expect(busy.logs).toEqual([{ event: "handshake_charged", code: "987654321", outcome: "busy", failures: 1 }]);
    expect(room.handshake.failures).toBe(1);

    const taken = dispatch(room, "t2", pake.start("cust"), T0 + HANDSHAKE_BUSY_MS);
    expect(isRelayed(taken, "cust", "pakeStart")).toBe(true);
    expect(room.handshake.open).toEqual({ seatId: "t2", startedAt: T0 + HANDSHAKE_BUSY_MS });
    expect(errorTo(dispatch(room, "t1", pake.finish("cust"), T0 + 31 * S), "t1")?.code).toBe("HANDSHAKE_REQUIRED");
  });

  it("lets a technician restart their own attempt once the wait is over, without being busy", () => {
    const room = helpTrio();
    dispatch(room, "t1", pake.start("cust"), T0);
    expect(errorTo(dispatch(room, "t1", pake.start("cust"), T0 + S), "t1")?.code).toBe("HANDSHAKE_WAIT");
    expect(isRelayed(dispatch(room, "t1", pake.start("cust"), T0 + 2 * S), "cust", "pakeStart")).toBe(true);
  });

  it("does not charge a start to a customer who is reconnecting", () => {
    const room = pair();
    leave(room, "cust", T0);
    expect(errorTo(dispatch(room, "tech", pake.start("cust"), T0 + S), "tech")?.code).toBe("PEER_NOT_FOUND");
    expect(room.handshake.failures).toBe(0);
  });
});

describe("relaying the handshake", () => {
  it("relays the four frames between the customer and the attempt's technician, to as from", () => {
    const room = pair();
    expect(sentTo(dispatch(room, "tech", pake.start("cust"), T0), "cust")[0]).toMatchObject({
      type: "pakeStart",
      from: "tech",
    });
    expect(sentTo(dispatch(room, "cust", pake.reply("tech"), T0), "tech")).toEqual([
      {
        type: "pakeReply",
        from: "cust",
        nonce: "N".repeat(22),
        fingerprint: expect.any(Object),
        share: "S".repeat(43),
      },
    ]);
    expect(sentTo(dispatch(room, "tech", pake.finish("cust"), T0), "cust")).toEqual([
      { type: "pakeFinish", from: "tech", share: "S".repeat(43), tag: "T".repeat(86) },
    ]);
    const verdict = dispatch(room, "cust", pake.result("tech"), T0);
    expect(sentTo(verdict, "tech")).toEqual([{ type: "pakeResult", from: "cust", ok: true, tag: "T".repeat(86) }]);
    expect(verdict.logs).toEqual([{ event: "handshake_result", code: "123456789", outcome: "confirmed" }]);
    // The verdict closed the attempt: nothing more of it passes.
    expect(room.handshake.open).toBeNull();
    expect(errorTo(dispatch(room, "cust", pake.result("tech"), T0), "cust")?.code).toBe("HANDSHAKE_REQUIRED");
    expect(errorTo(dispatch(room, "cust", pake.reply("tech"), T0), "cust")?.code).toBe("HANDSHAKE_REQUIRED");
  });

  it("refuses rounds without an open attempt with HANDSHAKE_REQUIRED", () => {
    const room = pair();
    expect(errorTo(dispatch(room, "cust", pake.reply("tech"), T0), "cust")?.code).toBe("HANDSHAKE_REQUIRED");
    expect(errorTo(dispatch(room, "tech", pake.finish("cust"), T0), "tech")?.code).toBe("HANDSHAKE_REQUIRED");
    expect(errorTo(dispatch(room, "cust", pake.result("tech"), T0), "cust")?.code).toBe("HANDSHAKE_REQUIRED");
  });

  it("keeps the rounds between the customer and that attempt's technician only", () => {
    const room = helpTrio();
    dispatch(room, "t1", pake.start("cust"), T0);
    const toOther = dispatch(room, "cust", pake.reply("t2"), T0);
    expect(errorTo(toOther, "cust")?.code).toBe("HANDSHAKE_REQUIRED");
    expect(sentTo(toOther, "t2")).toEqual([]);
    expect(errorTo(dispatch(room, "t2", pake.finish("cust"), T0), "t2")?.code).toBe("HANDSHAKE_REQUIRED");
  });

  it("refuses frames in the wrong direction with WRONG_ROLE and unknown ids with PEER_NOT_FOUND", () => {
    const room = helpTrio();
    const wrong: [string, ClientMessage][] = [
      ["cust", pake.start("t1")],
      ["t1", pake.start("t2")],
      ["t1", pake.reply("cust")],
      ["t1", pake.result("cust")],
      ["cust", pake.finish("t1")],
    ];
    for (const [from, msg] of wrong) {
      expect(errorTo(dispatch(room, from, msg, T0), from)?.code, `${msg.type} from ${from}`).toBe("WRONG_ROLE");
    }
    for (const to of ["ghost", "t1"]) {
      expect(errorTo(dispatch(room, "t1", pake.start(to), T0), "t1")?.code).toBe("PEER_NOT_FOUND");
    }
    expect(room.handshake.failures).toBe(0);
  });

  it("refuses a confirmation without the customer's tag", () => {
    const room = pair();
    dispatch(room, "tech", pake.start("cust"), T0);
    const effects = dispatch(room, "cust", { type: "pakeResult", to: "tech", ok: true }, T0);
    expect(errorTo(effects, "cust")?.code).toBe("MESSAGE_INVALID");
    expect(room.handshake.open).not.toBeNull();
    expect(room.seats.find((s) => s.id === "tech")?.isVerified).toBe(false);
  });

  it("acts on the verdict while the technician is reconnecting, without relaying it", () => {
    const room = pair();
    dispatch(room, "tech", pake.start("cust"), T0);
    leave(room, "tech", T0 + S);
    const effects = dispatch(room, "cust", pake.result("tech"), T0 + S);
    expect(sentTo(effects, "tech")).toEqual([]);
    expect(room.seats.find((s) => s.id === "tech")?.isVerified).toBe(true);
    expect(room.handshake.failures).toBe(0);
  });
});

describe("signals only with a verified technician", () => {
  const signals = (to: string): Extract<ClientMessage, { to: string }>[] => [
    { type: "offer", to, sdp: "v=0" },
    { type: "answer", to, sdp: "v=0" },
    { type: "candidate", to, candidate: null },
    { type: "keyExchange", to, payload: "QUJD" },
  ];

  function expectBlocked(room: Room): void {
    for (const [from, to] of [
      ["cust", "tech"],
      ["tech", "cust"],
    ] as const) {
      for (const msg of signals(to)) {
        const effects = dispatch(room, from, msg, T0);
        expect(errorTo(effects, from)?.code, `${msg.type} from ${from}`).toBe("HANDSHAKE_REQUIRED");
        expect(sentTo(effects, to)).toEqual([]);
      }
    }
  }

  function expectRelayed(room: Room): void {
    for (const msg of [...signals("tech"), ...signals("cust")]) {
      const from = msg.to === "tech" ? "cust" : "tech";
      expect(isRelayed(dispatch(room, from, msg, T0), msg.to, msg.type)).toBe(true);
    }
  }

  it("relays offer, answer, candidate and keyExchange only after the customer confirmed", () => {
    const room = pair();
    expectBlocked(room);
    dispatch(room, "tech", pake.start("cust"), T0);
    dispatch(room, "cust", pake.reply("tech"), T0);
    dispatch(room, "tech", pake.finish("cust"), T0);
    expectBlocked(room);
    dispatch(room, "cust", pake.result("tech", false), T0);
    expectBlocked(room);
    dispatch(room, "tech", pake.start("cust"), T0 + 2 * S);
    dispatch(room, "cust", pake.result("tech"), T0 + 2 * S);
    expectRelayed(room);
  });

  it("takes verification away when a verified technician starts again, until the next confirmation", () => {
    const room = pair();
    dispatch(room, "tech", pake.start("cust"), T0);
    dispatch(room, "cust", pake.result("tech"), T0);
    expectRelayed(room);
    dispatch(room, "tech", pake.start("cust"), T0 + S);
    expect(room.seats.find((s) => s.id === "tech")?.isVerified).toBe(false);
    expectBlocked(room);
    dispatch(room, "cust", pake.result("tech"), T0 + S);
    expectRelayed(room);
  });
});

describe("the customer's consent", () => {
  it("goes to the audit log on each change, never on a repeat, and from the customer only", () => {
    const room = pair();
    const given = dispatch(room, "cust", { type: "consent", permission: "view", isGiven: true }, T0);
    expect(given.audit).toEqual([
      { actor: "customer", session: room.code, type: "consent_given", data: { permission: "view" } },
    ]);
    expect(given.persist).not.toBe("none");
    expect(dispatch(room, "cust", { type: "consent", permission: "view", isGiven: true }, T0 + S).audit).toEqual([]);
    const withdrawn = dispatch(room, "cust", { type: "consent", permission: "view", isGiven: false }, T0 + 2 * S);
    expect(withdrawn.audit.map((a) => a.type)).toEqual(["consent_withdrawn"]);
    expect(room.consent).toEqual({ view: false });
    // Nothing of it is relayed to the technician.
    expect(sentTo(withdrawn, "tech")).toEqual([]);

    const forged = dispatch(room, "tech", { type: "consent", permission: "view", isGiven: true }, T0 + 3 * S);
    expect(errorTo(forged, "tech")?.code).toBe("WRONG_ROLE");
    expect(forged.audit).toEqual([]);
  });

  it.each(["zoom", "control"] as const)(
    "keeps %s apart from viewing, each grant and withdrawal logged",
    (permission) => {
      const room = pair();
      dispatch(room, "cust", { type: "consent", permission: "view", isGiven: true }, T0);
      const given = dispatch(room, "cust", { type: "consent", permission, isGiven: true }, T0 + S);
      expect(given.audit).toEqual([
        { actor: "customer", session: room.code, type: "consent_given", data: { permission } },
      ]);
      const withdrawn = dispatch(room, "cust", { type: "consent", permission, isGiven: false }, T0 + 2 * S);
      expect(withdrawn.audit.map((a) => [a.type, a.data])).toEqual([["consent_withdrawn", { permission }]]);
      expect(room.consent).toEqual({ view: true, [permission]: false });
    },
  );
});

describe("a verification code mismatch", () => {
  it("is recorded when the customer or the owner ends the session for it, and never claimed by anyone else", () => {
    const byCustomer = pair();
    const ended = dispatch(byCustomer, "cust", { type: "end", why: "code_mismatch" }, T0);
    expect(ended.audit).toEqual([
      { actor: "customer", session: byCustomer.code, type: "verification_mismatch", data: {} },
    ]);
    expect(ended.ended).toBe("ended_by_customer");

    const byOwner = pair();
    const ownerEnd = dispatch(byOwner, "tech", { type: "end", why: "code_mismatch" }, T0);
    expect(ownerEnd.audit.map((a) => [a.actor, a.type])).toEqual([["technician:tech-owner", "verification_mismatch"]]);

    const trio = helpTrio();
    const stranger = dispatch(trio, "t2", { type: "end", why: "code_mismatch" }, T0);
    expect(errorTo(stranger, "t2")?.code).toBe("WRONG_ROLE");
    expect(stranger.audit).toEqual([]);
    expect(dispatch(pair(), "cust", { type: "end" }, T0).audit).toEqual([]);
  });
});
