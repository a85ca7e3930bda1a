import { describe, expect, it } from "vitest";
import type { ServerMessage } from "#protocol/room.ts";
import { dispatch } from "../../durable-objects/session/dispatch.ts";
import { formatRoomRecord, parseRoomRecord } from "../../durable-objects/session/room-record.ts";
import { type Fresh, type JoinRequest, join, type SeatProof } from "../../durable-objects/session/seats.ts";
import { createRoom, type Effects, type Room } from "../../durable-objects/session/state.ts";
import { pake } from "../helpers/handshake.ts";
import { CUSTOMER_KEY_HASH, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// Colleagues: the owner invites, the invited technician is seated but receives nothing until the customer lets them
// in, and the customer takes them out for good.

const S = 1_000;
const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" };
const COLLEAGUE: JoinRequest = { role: "technician", technicianId: "tech-col", name: "Carla Colleague" };
const STRANGER: JoinRequest = { role: "technician", technicianId: "tech-other", name: "Sid Stranger" };
const CUSTOMER: JoinRequest = { role: "customer" };
/** The hash of an invite key, as the owner's viewer registers it (43 base64url characters). */
const INVITE_HASH = "I".repeat(43);

function fresh(label: string): Fresh {
  return { participantId: label, token: `token-${label}`, tokenHash: `hash-${label}` };
}

function proof(inviteKeyHash: string | null = null): SeatProof {
  return { resumeHash: null, seatKeyHash: CUSTOMER_KEY_HASH, inviteKeyHash };
}

function seat(room: Room, request: JoinRequest, label: string, now: number, inviteKeyHash: string | null = null) {
  const result = join(room, request, proof(inviteKeyHash), fresh(label), now);
  if (!result.ok) throw new Error(result.message);
  return result;
}

function verify(room: Room, techId: string, now: number): void {
  dispatch(room, techId, pake.start("cust"), now);
  dispatch(room, "cust", pake.reply(techId), now);
  dispatch(room, techId, pake.finish("cust"), now);
  dispatch(room, "cust", pake.result(techId), now);
}

function sentTo(effects: Effects, to: string): ServerMessage[] {
  return effects.send.filter((s) => s.to === to).map((s) => s.msg);
}

/** A room with its owner and customer seated and verified, and the owner's invite registered. */
function invitedRoom(): Room {
  const room = createRoom(ROOM_SETTINGS, T0);
  seat(room, OWNER, "tech", T0);
  seat(room, CUSTOMER, "cust", T0);
  verify(room, "tech", T0);
  const effects = dispatch(room, "tech", { type: "invite", keyHash: INVITE_HASH }, T0 + S);
  expect(effects.audit).toEqual([
    { actor: "technician:tech-owner", session: room.code, type: "colleague_invited", data: {} },
  ]);
  return room;
}

describe("inviting", () => {
  it("seats no other technician before the owner invites, nor one without the invite's key", () => {
    const room = createRoom(ROOM_SETTINGS, T0);
    seat(room, OWNER, "tech", T0);
    expect(join(room, COLLEAGUE, proof(INVITE_HASH), fresh("col"), T0)).toMatchObject({ ok: false, code: "NOT_OWNER" });
    dispatch(room, "tech", { type: "invite", keyHash: INVITE_HASH }, T0);
    expect(join(room, STRANGER, proof("x".repeat(43)), fresh("x"), T0)).toMatchObject({ ok: false, code: "NOT_OWNER" });
    expect(join(room, STRANGER, proof(), fresh("x"), T0)).toMatchObject({ ok: false, code: "NOT_OWNER" });
  });

  it("accepts an invite from the owner only", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    const effects = dispatch(room, "col", { type: "invite", keyHash: "J".repeat(43) }, T0 + 3 * S);
    expect(sentTo(effects, "col")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    const fromCustomer = dispatch(room, "cust", { type: "invite", keyHash: "J".repeat(43) }, T0 + 3 * S);
    expect(sentTo(fromCustomer, "cust")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    expect(room.inviteKeyHash).toBe(INVITE_HASH);
  });

  it("seats an invited colleague as a technician who is not the owner, and tells the others", () => {
    const room = invitedRoom();
    const joined = seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    expect(joined.seat).toMatchObject({ role: "technician", isOwner: false, isAdmitted: false, isVerified: false });
    expect(sentTo(joined.effects, "cust")).toEqual([
      {
        type: "peerJoined",
        peer: { id: "col", role: "technician", name: "Carla Colleague", isOwner: false, connected: true },
      },
    ]);
    // A colleague's reload takes back the seat by identity, with or without the key.
    expect(join(room, COLLEAGUE, proof(), fresh("col-again"), T0 + 3 * S)).toMatchObject({
      ok: true,
      seat: { id: "col" },
    });
  });
});

describe("letting a colleague in", () => {
  it("passes no signal to or from a verified colleague until the customer admits them", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    verify(room, "col", T0 + 3 * S);
    expect(room.seats.find((s) => s.id === "col")?.isVerified).toBe(true);
    const offer = dispatch(room, "cust", { type: "offer", to: "col", sdp: "v=0" }, T0 + 4 * S);
    expect(sentTo(offer, "col")).toEqual([]);
    expect(sentTo(offer, "cust")).toMatchObject([{ type: "error", code: "HANDSHAKE_REQUIRED" }]);
    const candidate = dispatch(room, "col", { type: "candidate", to: "cust", candidate: null }, T0 + 4 * S);
    expect(sentTo(candidate, "cust")).toEqual([]);

    const admitted = dispatch(room, "cust", { type: "admit", id: "col" }, T0 + 5 * S);
    expect(admitted.audit).toEqual([
      { actor: "customer", session: room.code, type: "colleague_admitted", data: { technician: "tech-col" } },
    ]);
    expect(sentTo(admitted, "tech")).toMatchObject([{ type: "peerJoined", peer: { id: "col", isAdmitted: true } }]);
    expect(admitted.persist).toBe("room");
    const after = dispatch(room, "cust", { type: "offer", to: "col", sdp: "v=0" }, T0 + 6 * S);
    expect(sentTo(after, "col")).toEqual([{ type: "offer", from: "cust", sdp: "v=0" }]);
  });

  it("admits only a colleague whose handshake the customer's page confirmed, and only at the customer's word", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    const early = dispatch(room, "cust", { type: "admit", id: "col" }, T0 + 3 * S);
    expect(sentTo(early, "cust")).toMatchObject([{ type: "error", code: "HANDSHAKE_REQUIRED" }]);
    verify(room, "col", T0 + 3 * S);
    const byOwner = dispatch(room, "tech", { type: "admit", id: "col" }, T0 + 4 * S);
    expect(sentTo(byOwner, "tech")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    const byThemselves = dispatch(room, "col", { type: "admit", id: "col" }, T0 + 4 * S);
    expect(sentTo(byThemselves, "col")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    expect(room.seats.find((s) => s.id === "col")?.isAdmitted).toBe(false);
    const owner = dispatch(room, "cust", { type: "admit", id: "tech" }, T0 + 4 * S);
    expect(sentTo(owner, "cust")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
  });
});

describe("taking a colleague out", () => {
  it("drops the seat, refuses its socket, tells everyone and never seats them again", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    verify(room, "col", T0 + 3 * S);
    dispatch(room, "cust", { type: "admit", id: "col" }, T0 + 4 * S);
    const removed = dispatch(room, "cust", { type: "remove", id: "col" }, T0 + 5 * S);
    expect(removed.refuse).toEqual([
      { to: "col", code: "REMOVED_BY_CUSTOMER", message: "The customer took you out of this session." },
    ]);
    expect(sentTo(removed, "tech")).toEqual([{ type: "peerGone", id: "col" }]);
    expect(sentTo(removed, "cust")).toEqual([{ type: "peerGone", id: "col" }]);
    expect(removed.audit).toEqual([
      { actor: "customer", session: room.code, type: "colleague_removed", data: { technician: "tech-col" } },
    ]);
    expect(room.seats.map((s) => s.id)).toEqual(["tech", "cust"]);
    expect(join(room, COLLEAGUE, proof(INVITE_HASH), fresh("col-2"), T0 + 6 * S)).toMatchObject({
      ok: false,
      code: "REMOVED_BY_CUSTOMER",
    });
    // What the room remembers survives a restart.
    const reread = parseRoomRecord(formatRoomRecord(room));
    expect(reread.ok && reread.room.removed).toEqual(["tech-col"]);
    expect(reread.ok && reread.room.inviteKeyHash).toBe(INVITE_HASH);
  });

  it("refuses to take out the owner, and anyone's request but the customer's", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    const owner = dispatch(room, "cust", { type: "remove", id: "tech" }, T0 + 3 * S);
    expect(sentTo(owner, "cust")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    const byOwner = dispatch(room, "tech", { type: "remove", id: "col" }, T0 + 3 * S);
    expect(sentTo(byOwner, "tech")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    expect(room.seats.map((s) => s.id)).toEqual(["tech", "cust", "col"]);
  });

  it("closes a handshake the removed colleague had open, so the owner can start one at once", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    dispatch(room, "col", pake.start("cust"), T0 + 3 * S);
    dispatch(room, "cust", { type: "remove", id: "col" }, T0 + 4 * S);
    expect(room.handshake.open).toBeNull();
  });
});

describe("handing the session over", () => {
  /** The invited room with the colleague seated, verified and let in. */
  function admittedRoom(): Room {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    verify(room, "col", T0 + 3 * S);
    dispatch(room, "cust", { type: "admit", id: "col" }, T0 + 4 * S);
    return room;
  }

  it("makes a let-in colleague the owner, in one frame to everyone, audited and written to the sessions table", () => {
    const room = admittedRoom();
    const effects = dispatch(room, "tech", { type: "handOver", id: "col" }, T0 + 5 * S);
    for (const id of ["tech", "cust", "col"])
      expect(sentTo(effects, id)).toEqual([{ type: "ownerChanged", id: "col" }]);
    expect(room.owner).toEqual({ id: "tech-col", name: "Carla Colleague" });
    expect(room.seats.find((s) => s.id === "col")).toMatchObject({ isOwner: true });
    expect(room.seats.find((s) => s.id === "tech")).toMatchObject({ isOwner: false, isAdmitted: true });
    expect(effects.isOwnerConfirmed).toBe(true);
    expect(room.ownerSyncDueAt).toBe(T0 + 5 * S);
    expect(effects.audit).toEqual([
      {
        actor: "technician:tech-owner",
        session: room.code,
        type: "session_handed_over",
        data: { technician: "tech-col" },
      },
    ]);
    // The new owner ends and extends; the former owner no longer does, and may leave.
    expect(sentTo(dispatch(room, "tech", { type: "end" }, T0 + 6 * S), "tech")).toMatchObject([
      { type: "error", code: "WRONG_ROLE" },
    ]);
    // Signals keep passing to the former owner: the customer had let them in.
    expect(sentTo(dispatch(room, "cust", { type: "offer", to: "tech", sdp: "v=0" }, T0 + 6 * S), "tech")).toEqual([
      { type: "offer", from: "cust", sdp: "v=0" },
    ]);
    expect(dispatch(room, "col", { type: "end" }, T0 + 7 * S).ended).toBe("ended_by_technician");
  });

  it("hands over only from the owner, and only to a colleague the customer let in", () => {
    const room = invitedRoom();
    seat(room, COLLEAGUE, "col", T0 + 2 * S, INVITE_HASH);
    verify(room, "col", T0 + 3 * S);
    const early = dispatch(room, "tech", { type: "handOver", id: "col" }, T0 + 4 * S);
    expect(sentTo(early, "tech")).toMatchObject([{ type: "error", code: "HANDSHAKE_REQUIRED" }]);
    dispatch(room, "cust", { type: "admit", id: "col" }, T0 + 4 * S);
    const byColleague = dispatch(room, "col", { type: "handOver", id: "col" }, T0 + 5 * S);
    expect(sentTo(byColleague, "col")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    const byCustomer = dispatch(room, "cust", { type: "handOver", id: "col" }, T0 + 5 * S);
    expect(sentTo(byCustomer, "cust")).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    const toCustomer = dispatch(room, "tech", { type: "handOver", id: "cust" }, T0 + 5 * S);
    expect(sentTo(toCustomer, "tech")).toMatchObject([{ type: "error", code: "PEER_NOT_FOUND" }]);
    expect(room.owner?.id).toBe("tech-owner");
  });
});
