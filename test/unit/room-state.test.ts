import { describe, expect, it } from "vitest";
import { MAX_SEATS, type ServerMessage } from "#protocol/room.ts";
import { dispatch } from "../../durable-objects/session/dispatch.ts";
import {
  type Fresh,
  type JoinRequest,
  join,
  leave,
  reconcile,
  type SeatProof,
} from "../../durable-objects/session/seats.ts";
import {
  ACTIVITY_PERSIST_MS,
  createRoom,
  type Effects,
  HELLO_TIMEOUT_MS,
  isPurgeDue,
  nextAlarmAt,
  noEffects,
  PURGE_AFTER_MS,
  type Room,
  sweep,
} from "../../durable-objects/session/state.ts";
import { pake } from "../helpers/handshake.ts";
import { CUSTOMER_KEY_HASH, HELP_SETTINGS, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

const S = 1_000;
const settings = ROOM_SETTINGS;

const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" };
const EXTRA: JoinRequest = { role: "technician", technicianId: "tech-extra", name: "Evan Extra" };
const CUSTOMER: JoinRequest = { role: "customer" };

let counter = 0;
/** Deterministic "randomness" for a join: the id, the token and its hash are derived from one label. */
function fresh(label = `p${++counter}`): Fresh {
  return { participantId: label, token: `token-${label}`, tokenHash: `hash-${label}` };
}

/** What a hello proved: the customer always holds the session's seat key here. */
function proof(resumeHash: string | null = null): SeatProof {
  return { resumeHash, seatKeyHash: CUSTOMER_KEY_HASH };
}

function seated(room: Room, request: JoinRequest, now: number, label?: string) {
  const result = join(room, request, proof(), fresh(label), now);
  if (!result.ok) throw new Error(result.message);
  return result;
}

/** Runs the handshake's four frames between a technician and the customer through the core, at `now`. */
function verify(room: Room, techId: string, custId: string, now: number): void {
  dispatch(room, techId, pake.start(custId), now);
  dispatch(room, custId, pake.reply(techId), now);
  dispatch(room, techId, pake.finish(custId), now);
  dispatch(room, custId, pake.result(techId), now);
  if (!room.seats.find((s) => s.id === techId)?.isVerified) throw new Error(`${techId} is not verified`);
}

/** A room with its owner ("tech") and a customer ("cust") seated at T0, the owner's handshake confirmed. */
function pair(): Room {
  const room = createRoom(settings, T0);
  seated(room, OWNER, T0, "tech");
  seated(room, CUSTOMER, T0, "cust");
  verify(room, "tech", "cust", T0);
  return room;
}

/** A help request with the customer ("cust") and two technicians ("tech", "extra") seated, none confirmed yet. */
function helpTrio(): Room {
  const room = createRoom(HELP_SETTINGS, T0);
  seated(room, CUSTOMER, T0, "cust");
  seated(room, OWNER, T0, "tech");
  seated(room, EXTRA, T0, "extra");
  return room;
}

function sentTo(effects: Effects, to: string): ServerMessage[] {
  return effects.send.filter((s) => s.to === to).map((s) => s.msg);
}

describe("createRoom", () => {
  it("starts in created with expiry from creation and the idle deadline as the first alarm", () => {
    const room = createRoom(settings, T0);
    expect(room.state).toBe("created");
    expect(room.expiresAt).toBe(T0 + 3_600 * S);
    expect(nextAlarmAt(room)).toBe(T0 + 900 * S);
    expect(nextAlarmAt({ ...room, idleMs: 7_200 * S })).toBe(T0 + 3_600 * S);
  });
});

describe("join", () => {
  it("seats the owner: waiting, a welcome with the session and no peers", () => {
    const room = createRoom(settings, T0);
    const result = seated(room, OWNER, T0 + S, "tech");
    expect(room.state).toBe("waiting");
    expect(result.seat).toMatchObject({ id: "tech", role: "technician", isOwner: true, connected: true });
    expect(result.effects.persist).toBe("room");
    expect(sentTo(result.effects, "tech")).toEqual([
      {
        type: "welcome",
        participantId: "tech",
        role: "technician",
        isOwner: true,
        resume: "token-tech",
        session: {
          code: "123456789",
          state: "waiting",
          expiresAt: T0 + 3_600 * S,
          technician: { name: "Olivia Owner", organisation: "Acme IT" },
          caseNumber: "INC-7",
        },
        peers: [],
      },
    ]);
  });

  it("connects once a customer joins a technician, telling the technician", () => {
    const room = createRoom(settings, T0);
    seated(room, OWNER, T0, "tech");
    const result = seated(room, CUSTOMER, T0 + S, "cust");
    expect(room.state).toBe("connected");
    const welcome = sentTo(result.effects, "cust")[0];
    expect(welcome).toMatchObject({
      type: "welcome",
      role: "customer",
      session: { state: "connected" },
      peers: [{ id: "tech", role: "technician", name: "Olivia Owner", isOwner: true, connected: true }],
    });
    expect(sentTo(result.effects, "tech")).toEqual([
      { type: "peerJoined", peer: { id: "cust", role: "customer", connected: true } },
      { type: "state", state: "connected" },
    ]);
  });

  it("shows the technicians what the customer's browser can share, as its latest hello said", () => {
    const room = createRoom(settings, T0);
    seated(room, OWNER, T0, "tech");
    const result = seated(room, { role: "customer", capture: "camera" }, T0 + S, "cust");
    expect(sentTo(result.effects, "tech")[0]).toEqual({
      type: "peerJoined",
      peer: { id: "cust", role: "customer", connected: true, capture: "camera" },
    });
    leave(room, "cust", T0 + 2 * S);
    const back = join(room, { role: "customer", capture: "screen" }, proof("hash-cust"), fresh(), T0 + 3 * S);
    if (!back.ok) throw new Error(back.message);
    expect(sentTo(back.effects, "tech")[0]).toMatchObject({ peer: { id: "cust", capture: "screen" } });
    // A technician's page that comes back hears it in its welcome.
    const again = seated(room, OWNER, T0 + 4 * S);
    expect(sentTo(again.effects, "tech")[0]).toMatchObject({
      type: "welcome",
      peers: [{ id: "cust", role: "customer", capture: "screen" }],
    });
  });

  it("waits, not connects, with only a customer", () => {
    const room = createRoom(settings, T0);
    seated(room, CUSTOMER, T0, "cust");
    expect(room.state).toBe("waiting");
  });

  it("refuses a second customer with SEAT_TAKEN and changes nothing", () => {
    const room = pair();
    const before = structuredClone(room);
    const result = join(room, CUSTOMER, proof(), fresh(), T0 + S);
    expect(result).toMatchObject({ ok: false, code: "SEAT_TAKEN" });
    expect(room).toEqual(before);
  });

  it("keeps the customer's seat for the customer while it is held", () => {
    const room = pair();
    leave(room, "cust", T0 + S);
    expect(join(room, CUSTOMER, proof(), fresh(), T0 + 2 * S)).toMatchObject({ ok: false, code: "SEAT_TAKEN" });
  });

  it("seats a customer only with the session's seat key: SEAT_KEY_INVALID without it or with another", () => {
    for (const seatKeyHash of [null, "another-hash", ""]) {
      const room = createRoom(settings, T0);
      const result = join(room, CUSTOMER, { resumeHash: null, seatKeyHash }, fresh(), T0);
      expect(result).toMatchObject({ ok: false, code: "SEAT_KEY_INVALID" });
      expect(room.seats).toEqual([]);
    }
  });

  it("does not let a resume token stand in for the seat key", () => {
    const room = pair();
    leave(room, "cust", T0 + S);
    const result = join(room, CUSTOMER, { resumeHash: "hash-cust", seatKeyHash: null }, fresh(), T0 + 2 * S);
    expect(result).toMatchObject({ ok: false, code: "SEAT_KEY_INVALID" });
    expect(room.seats.find((s) => s.id === "cust")).toMatchObject({ connected: false, tokenHash: "hash-cust" });
  });

  it("seats no customer in a room stored before seat keys (no hash registered)", () => {
    const room = createRoom(settings, T0);
    room.customerKeyHash = null;
    expect(join(room, CUSTOMER, proof(), fresh(), T0)).toMatchObject({ ok: false, code: "SEAT_KEY_INVALID" });
  });

  it("refuses a technician who is not the owner with NOT_OWNER, seating nobody", () => {
    const room = pair();
    const before = structuredClone(room);
    expect(join(room, EXTRA, proof(), fresh(), T0 + S)).toMatchObject({ ok: false, code: "NOT_OWNER" });
    expect(room).toEqual(before);
  });

  it("seats technicians of a help request as non-owners until one is confirmed, up to the seat limit", () => {
    const room = helpTrio();
    expect(room.seats.filter((s) => s.role === "technician").map((s) => s.isOwner)).toEqual([false, false]);
    for (let i = 3; i < MAX_SEATS; i++) seated(room, { ...EXTRA, technicianId: `t${i}` }, T0);
    expect(room.seats).toHaveLength(MAX_SEATS);
    expect(join(room, { ...EXTRA, technicianId: "one-too-many" }, proof(), fresh(), T0)).toMatchObject({
      ok: false,
      code: "SEAT_TAKEN",
    });
  });

  it("refuses joins to an ended room, or one past its expiry or idle deadline, with SESSION_ENDED", () => {
    const ended = pair();
    dispatch(ended, "cust", { type: "end" }, T0 + S);
    expect(join(ended, CUSTOMER, proof(), fresh(), T0 + 2 * S)).toMatchObject({ ok: false, code: "SESSION_ENDED" });
    const room = createRoom(settings, T0);
    expect(join(room, CUSTOMER, proof(), fresh(), T0 + 3_600 * S)).toMatchObject({ ok: false, code: "SESSION_ENDED" });
    expect(join(room, CUSTOMER, proof(), fresh(), T0 + 900 * S)).toMatchObject({ ok: false, code: "SESSION_ENDED" });
    expect(room.seats).toEqual([]);
  });

  it("gives a dropped customer its seat back with its token within the grace period, rotating the token", () => {
    const room = pair();
    leave(room, "cust", T0 + S);
    const result = join(room, CUSTOMER, proof("hash-cust"), fresh("ignored"), T0 + 30 * S);
    expect(result).toMatchObject({ ok: true, isResumed: true, replacesSocket: false, seat: { id: "cust" } });
    expect(room.seats.find((s) => s.id === "cust")).toMatchObject({ connected: true, heldUntil: null });
    if (!result.ok) return;
    expect(sentTo(result.effects, "cust")[0]).toMatchObject({
      type: "welcome",
      participantId: "cust",
      resume: "token-ignored",
    });
    expect(sentTo(result.effects, "tech")).toEqual([
      { type: "peerJoined", peer: { id: "cust", role: "customer", connected: true } },
    ]);
    // The old token is spent.
    leave(room, "cust", T0 + 31 * S);
    const reuse = join(room, CUSTOMER, proof("hash-cust"), fresh(), T0 + 32 * S);
    expect(reuse).toMatchObject({ ok: false, code: "SEAT_TAKEN" });
  });

  it("does not give a seat to a token of another role", () => {
    const room = helpTrio();
    leave(room, "cust", T0 + S);
    const result = join(room, { ...EXTRA, technicianId: "t3" }, proof("hash-cust"), fresh("t3"), T0 + 2 * S);
    expect(result).toMatchObject({ ok: true, isResumed: false, seat: { id: "t3", role: "technician" } });
    expect(room.seats.find((s) => s.id === "cust")).toMatchObject({ connected: false, tokenHash: "hash-cust" });
  });

  it("does not give a technician's seat to another technician's token", () => {
    const room = helpTrio();
    leave(room, "tech", T0 + S);
    const result = join(room, EXTRA, proof("hash-tech"), fresh("extra-again"), T0 + 2 * S);
    expect(result).toMatchObject({ ok: true, isResumed: true, seat: { id: "extra" } });
    expect(room.seats.find((s) => s.id === "tech")).toMatchObject({ connected: false, tokenHash: "hash-tech" });
  });

  it("seats a customer afresh once the old seat was released after the grace period", () => {
    const room = pair();
    leave(room, "cust", T0 + S);
    const swept = sweep(room, T0 + 61 * S);
    expect(sentTo(swept, "tech")).toEqual([
      { type: "peerGone", id: "cust" },
      { type: "state", state: "waiting" },
    ]);
    expect(room.state).toBe("waiting");
    const result = join(room, CUSTOMER, proof("hash-cust"), fresh("cust2"), T0 + 62 * S);
    expect(result).toMatchObject({ ok: true, isResumed: false, seat: { id: "cust2" } });
    expect(room.state).toBe("connected");
  });

  it("lets a technician reclaim their seat by identity, taking over a socket that is still open", () => {
    const room = pair();
    const result = join(room, OWNER, proof(), fresh("tech-again"), T0 + S);
    expect(result).toMatchObject({ ok: true, isResumed: true, replacesSocket: true, seat: { id: "tech" } });
    expect(room.seats.filter((s) => s.role === "technician")).toHaveLength(1);
  });
});

describe("leave", () => {
  it("holds the seat until now + grace and tells the others until when", () => {
    const room = pair();
    const effects = leave(room, "cust", T0 + 10 * S);
    expect(room.state).toBe("connected");
    expect(room.seats.find((s) => s.id === "cust")).toMatchObject({ connected: false, heldUntil: T0 + 70 * S });
    expect(effects.send).toEqual([{ to: "tech", msg: { type: "peerLeft", id: "cust", rejoinBy: T0 + 70 * S } }]);
    expect(effects.persist).toBe("room");
    expect(nextAlarmAt(room)).toBe(T0 + 70 * S);
  });

  it("does nothing for an unknown or already disconnected participant", () => {
    const room = pair();
    leave(room, "cust", T0);
    expect(leave(room, "cust", T0 + S).persist).toBe("none");
    expect(leave(room, "nobody", T0 + S).persist).toBe("none");
  });

  it("releases nothing before the grace deadline", () => {
    const room = pair();
    leave(room, "cust", T0);
    expect(sweep(room, T0 + 59 * S).send).toEqual([]);
    expect(room.seats).toHaveLength(2);
  });
});

describe("a customer's page that is leaving", () => {
  it("ends the session as the customer's end when its seat is released unclaimed (a closed tab)", () => {
    const room = pair();
    expect(dispatch(room, "cust", { type: "leaving" }, T0 + S).persist).toBe("room");
    leave(room, "cust", T0 + S);
    expect(sweep(room, T0 + 60 * S).send).toEqual([]);
    const swept = sweep(room, T0 + 61 * S);
    expect(swept.ended).toBe("ended_by_customer");
    expect(sentTo(swept, "tech")).toEqual([{ type: "ended", reason: "ended_by_customer" }]);
    expect(room.state).toBe("ended");
  });

  it("keeps the session when the page takes its seat back within the grace (a reload)", () => {
    const room = pair();
    dispatch(room, "cust", { type: "leaving" }, T0 + S);
    leave(room, "cust", T0 + S);
    expect(join(room, CUSTOMER, proof("hash-cust"), fresh("reloaded"), T0 + 5 * S)).toMatchObject({
      ok: true,
      isResumed: true,
      seat: { id: "cust", isLeaving: false },
    });
    // A later drop without a word (the network, not the person) only releases the seat, as before.
    leave(room, "cust", T0 + 10 * S);
    const swept = sweep(room, T0 + 71 * S);
    expect(swept.ended).toBeNull();
    expect(sentTo(swept, "tech")).toEqual([
      { type: "peerGone", id: "cust" },
      { type: "state", state: "waiting" },
    ]);
  });

  it("takes the word only from the customer", () => {
    const room = pair();
    expect(sentTo(dispatch(room, "tech", { type: "leaving" }, T0 + S), "tech")).toMatchObject([
      { type: "error", code: "WRONG_ROLE" },
    ]);
    expect(room.seats.every((s) => !s.isLeaving)).toBe(true);
  });
});

describe("reconcile", () => {
  it("treats seats without a live socket as dropped after a restart", () => {
    const room = helpTrio();
    const effects = reconcile(room, new Set(["tech"]), T0 + 5 * S);
    expect(room.seats.filter((s) => s.connected).map((s) => s.id)).toEqual(["tech"]);
    expect(effects.send).toEqual([
      { to: "tech", msg: { type: "peerLeft", id: "cust", rejoinBy: T0 + 65 * S } },
      { to: "tech", msg: { type: "peerLeft", id: "extra", rejoinBy: T0 + 65 * S } },
    ]);
    expect(reconcile(room, new Set(["tech"]), T0 + 6 * S).persist).toBe("none");
  });
});

describe("dispatch: signaling", () => {
  const offer = (to: string) => ({ type: "offer", to, sdp: "v=0" }) as const;

  it("relays customer → technician and technician → customer with from instead of to", () => {
    const room = pair();
    expect(dispatch(room, "cust", offer("tech"), T0 + S).send).toEqual([
      { to: "tech", msg: { type: "offer", from: "cust", sdp: "v=0" } },
    ]);
    expect(dispatch(room, "tech", { type: "answer", to: "cust", sdp: "v=1" }, T0 + S).send).toEqual([
      { to: "cust", msg: { type: "answer", from: "tech", sdp: "v=1" } },
    ]);
    expect(dispatch(room, "tech", { type: "candidate", to: "cust", candidate: null }, T0 + S).send).toEqual([
      { to: "cust", msg: { type: "candidate", from: "tech", candidate: null } },
    ]);
    // The connection's name passes both ways, as it was sent.
    expect(dispatch(room, "cust", { type: "offer", to: "tech", link: "L-2_b", sdp: "v=0" }, T0 + S).send).toEqual([
      { to: "tech", msg: { type: "offer", from: "cust", link: "L-2_b", sdp: "v=0" } },
    ]);
    expect(
      dispatch(room, "tech", { type: "candidate", to: "cust", link: "L-2_b", candidate: null }, T0 + S).send,
    ).toEqual([{ to: "cust", msg: { type: "candidate", from: "tech", link: "L-2_b", candidate: null } }]);
    expect(dispatch(room, "cust", { type: "keyExchange", to: "tech", payload: "QUJD" }, T0 + S).send).toEqual([
      { to: "tech", msg: { type: "keyExchange", from: "cust", payload: "QUJD" } },
    ]);
  });

  it("lets the customer signal whichever technician of a help request it confirmed", () => {
    const room = helpTrio();
    verify(room, "extra", "cust", T0);
    expect(dispatch(room, "cust", offer("extra"), T0 + S).send[0]?.to).toBe("extra");
  });

  it("refuses signals to self or to an unknown id with PEER_NOT_FOUND", () => {
    const room = pair();
    for (const to of ["cust", "ghost"]) {
      expect(dispatch(room, "cust", offer(to), T0 + S).send).toEqual([
        { to: "cust", msg: expect.objectContaining({ type: "error", code: "PEER_NOT_FOUND" }) },
      ]);
    }
  });

  it("refuses technician → technician with WRONG_ROLE", () => {
    const room = helpTrio();
    expect(dispatch(room, "extra", offer("tech"), T0 + S).send).toEqual([
      { to: "extra", msg: expect.objectContaining({ type: "error", code: "WRONG_ROLE" }) },
    ]);
  });

  it("refuses signals to a seat that is held but disconnected", () => {
    const room = pair();
    leave(room, "cust", T0);
    expect(dispatch(room, "tech", offer("cust"), T0 + S).send[0]?.msg).toMatchObject({ code: "PEER_NOT_FOUND" });
  });

  it("refuses a second hello", () => {
    const room = pair();
    expect(dispatch(room, "cust", { type: "hello", version: 1 }, T0).send[0]?.msg).toMatchObject({
      code: "MESSAGE_INVALID",
    });
  });

  it("writes activity to storage at most every few seconds, never the whole room for a relay", () => {
    const room = pair();
    const persisted = [1, 2, 3, 4, 6, 7, 11].map((s) => dispatch(room, "cust", offer("tech"), T0 + s * S).persist);
    expect(ACTIVITY_PERSIST_MS).toBe(5 * S);
    expect(persisted).toEqual(["none", "none", "none", "none", "activity", "none", "activity"]);
    expect(room.lastActivityAt).toBe(T0 + 11 * S);
  });
});

describe("dispatch: end", () => {
  it("lets the customer end: everyone gets ended, every socket closes, seats are dropped", () => {
    const room = pair();
    const effects = dispatch(room, "cust", { type: "end" }, T0 + S);
    expect(room.state).toBe("ended");
    expect(effects.ended).toBe("ended_by_customer");
    expect(effects.send).toEqual([
      { to: "tech", msg: { type: "ended", reason: "ended_by_customer" } },
      { to: "cust", msg: { type: "ended", reason: "ended_by_customer" } },
    ]);
    expect(effects.closeAll?.code).toBe(1000);
    expect(room.seats).toEqual([]);
    expect(room).toMatchObject({ endedAt: T0 + S, endReason: "ended_by_customer", isEndSynced: false });
  });

  it("tells everyone why when the customer ended over a verification code that did not match", () => {
    const room = pair();
    const effects = dispatch(room, "cust", { type: "end", why: "code_mismatch" }, T0 + S);
    expect(sentTo(effects, "tech")).toEqual([{ type: "ended", reason: "ended_by_customer", why: "code_mismatch" }]);
  });

  it("lets the owner end", () => {
    const room = pair();
    expect(dispatch(room, "tech", { type: "end" }, T0 + S).ended).toBe("ended_by_technician");
  });

  it("refuses a technician who does not own the session with WRONG_ROLE", () => {
    const room = helpTrio();
    const effects = dispatch(room, "extra", { type: "end" }, T0 + S);
    expect(effects.send).toEqual([{ to: "extra", msg: expect.objectContaining({ code: "WRONG_ROLE" }) }]);
    expect(room.state).toBe("connected");
  });

  it("answers anything after the end with SESSION_ENDED", () => {
    const room = pair();
    dispatch(room, "cust", { type: "end" }, T0 + S);
    expect(dispatch(room, "tech", { type: "end" }, T0 + 2 * S).send[0]?.msg).toMatchObject({ code: "SESSION_ENDED" });
    expect(room.endReason).toBe("ended_by_customer");
  });
});

describe("sweep and the alarm", () => {
  it("ends at the lifetime even with constant activity", () => {
    const room = pair();
    room.lastActivityAt = T0 + 3_599 * S;
    expect(sweep(room, T0 + 3_599 * S).ended).toBeNull();
    const effects = sweep(room, T0 + 3_600 * S);
    expect(effects.ended).toBe("expired");
    expect(sentTo(effects, "cust")).toEqual([{ type: "ended", reason: "expired" }]);
  });

  it("ends after the idle timeout from the last activity", () => {
    const room = pair();
    dispatch(room, "cust", { type: "offer", to: "tech", sdp: "v=0" }, T0 + 100 * S);
    expect(nextAlarmAt(room)).toBe(T0 + 1_000 * S);
    expect(sweep(room, T0 + 999 * S).ended).toBeNull();
    expect(sweep(room, T0 + 1_000 * S).ended).toBe("idle");
  });

  it("counts keep-alive pings as activity", () => {
    const room = pair();
    expect(sweep(room, T0 + 900 * S, T0 + 800 * S).ended).toBeNull();
    expect(room.lastActivityAt).toBe(T0 + 800 * S);
    expect(nextAlarmAt(room)).toBe(T0 + 1_700 * S);
  });

  it("ends idle once the latest keep-alive is a full idle timeout old", () => {
    const ping = T0 + 800 * S;
    const idleMs = 900 * S;
    expect(sweep(pair(), ping + idleMs - 1, ping).ended).toBeNull();
    const room = pair();
    const effects = sweep(room, ping + idleMs, ping);
    expect(effects.ended).toBe("idle");
    expect(room.state).toBe("ended");
    expect(sentTo(effects, "cust")).toEqual([{ type: "ended", reason: "idle" }]);
  });

  it("keeps a room alive past its stored activity deadline when a ping is recent", () => {
    const room = pair();
    expect(room.lastActivityAt + room.idleMs).toBe(T0 + 900 * S);
    expect(sweep(room, T0 + 1_000 * S, T0 + 990 * S).ended).toBeNull();
    expect(room.state).toBe("connected");
    expect(room.lastActivityAt).toBe(T0 + 990 * S);
  });

  it("does not let a ping older than the stored activity move activity back", () => {
    const room = pair();
    room.lastActivityAt = T0 + 500 * S;
    expect(sweep(room, T0 + 1_000 * S, T0 + 100 * S).ended).toBeNull();
    expect(room.lastActivityAt).toBe(T0 + 500 * S);
  });

  it("ignores a ping time later than now: it extends nothing beyond what now allows", () => {
    const room = pair();
    expect(sweep(room, T0 + 100 * S, T0 + 5_000 * S).ended).toBeNull();
    expect(room.lastActivityAt).toBe(T0);
    expect(nextAlarmAt(room)).toBe(T0 + 900 * S);
    expect(sweep(room, T0 + 900 * S, T0 + 5_000 * S).ended).toBe("idle");
  });

  it("arms for the earliest of expiry, idle deadline, seat grace and hello deadline", () => {
    const room = pair();
    expect(nextAlarmAt(room)).toBe(T0 + 900 * S);
    leave(room, "cust", T0 + 10 * S);
    expect(nextAlarmAt(room)).toBe(T0 + 70 * S);
    expect(nextAlarmAt(room, T0 + 5 * S)).toBe(T0 + 5 * S + HELLO_TIMEOUT_MS);
    room.expiresAt = T0 + 20 * S;
    expect(nextAlarmAt(room)).toBe(T0 + 20 * S);
  });

  it("after the end, arms at once until D1 has the end, then for the purge", () => {
    const room = pair();
    dispatch(room, "cust", { type: "end" }, T0 + S);
    expect(nextAlarmAt(room)).toBe(T0 + S);
    expect(isPurgeDue(room, T0 + S + PURGE_AFTER_MS)).toBe(false);
    room.isEndSynced = true;
    expect(nextAlarmAt(room)).toBe(T0 + S + PURGE_AFTER_MS);
    expect(isPurgeDue(room, T0 + S + PURGE_AFTER_MS - 1)).toBe(false);
    expect(isPurgeDue(room, T0 + S + PURGE_AFTER_MS)).toBe(true);
  });

  it("is idempotent: a second sweep at the same time decides nothing", () => {
    const room = pair();
    leave(room, "cust", T0);
    expect(sweep(room, T0 + 60 * S).send).toHaveLength(2);
    expect(sweep(room, T0 + 60 * S)).toEqual(noEffects());
    const ended = pair();
    sweep(ended, T0 + 3_600 * S);
    expect(sweep(ended, T0 + 3_601 * S).ended).toBeNull();
  });
});

describe("state machine", () => {
  it("walks created → waiting → connected → waiting → connected → ended, and ended is terminal", () => {
    const room = createRoom(settings, T0);
    const states = [room.state];
    seated(room, OWNER, T0, "tech");
    states.push(room.state);
    seated(room, CUSTOMER, T0, "cust");
    states.push(room.state);
    leave(room, "cust", T0 + S);
    states.push(room.state); // a held seat still counts
    sweep(room, T0 + 61 * S);
    states.push(room.state);
    seated(room, CUSTOMER, T0 + 62 * S, "cust2");
    states.push(room.state);
    dispatch(room, "tech", { type: "end" }, T0 + 63 * S);
    states.push(room.state);
    expect(states).toEqual(["created", "waiting", "connected", "connected", "waiting", "connected", "ended"]);
    expect(join(room, OWNER, proof(), fresh(), T0 + 64 * S)).toMatchObject({ ok: false, code: "SESSION_ENDED" });
    expect(sweep(room, T0 + 10_000 * S).send).toEqual([]);
    expect(room.state).toBe("ended");
  });

  it("goes back to waiting when the last technician's seat is released", () => {
    const room = pair();
    leave(room, "tech", T0);
    const effects = sweep(room, T0 + 60 * S);
    expect(room.state).toBe("waiting");
    expect(sentTo(effects, "cust")).toEqual([
      { type: "peerGone", id: "tech" },
      { type: "state", state: "waiting" },
    ]);
  });
});
