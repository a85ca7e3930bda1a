import { describe, expect, it } from "vitest";
import type { ServerMessage } from "#protocol/room.ts";
import { dispatch } from "../../durable-objects/session/dispatch.ts";
import { type Fresh, type JoinRequest, join, leave } from "../../durable-objects/session/seats.ts";
import { createRoom, type Effects, nextAlarmAt, type Room, summarize } from "../../durable-objects/session/state.ts";
import { pake } from "../helpers/handshake.ts";
import { CUSTOMER_KEY_HASH, HELP_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// A customer's help request has no owner until the customer's page confirms a technician's handshake: the room
// learns who owns it from the customer, never from a technician.

const TINA: JoinRequest = { role: "technician", technicianId: "t1", name: "Tina First" };
const SAM: JoinRequest = { role: "technician", technicianId: "t2", name: "Sam Second" };
const PROOF = { resumeHash: null, seatKeyHash: CUSTOMER_KEY_HASH };

function fresh(label: string): Fresh {
  return { participantId: label, token: `token-${label}`, tokenHash: `hash-${label}` };
}

function seat(room: Room, request: JoinRequest, label: string, now = T0) {
  const result = join(room, request, PROOF, fresh(label), now);
  if (!result.ok) throw new Error(result.message);
  return result;
}

function sentTo(effects: Effects, to: string): ServerMessage[] {
  return effects.send.filter((s) => s.to === to).map((s) => s.msg);
}

/** A help request with the customer, Tina ("t1") and Sam ("t2") seated; nobody owns it. */
function helpRoom(): Room {
  const room = createRoom(HELP_SETTINGS, T0);
  seat(room, { role: "customer" }, "cust");
  seat(room, TINA, "t1");
  seat(room, SAM, "t2");
  return room;
}

/** Tina's handshake up to the customer's verdict; returns the effects of that verdict. */
function tinaHandshake(room: Room, ok: boolean, now = T0 + 1_000): Effects {
  dispatch(room, "t1", pake.start("cust"), now);
  dispatch(room, "cust", pake.reply("t1"), now);
  dispatch(room, "t1", pake.finish("cust"), now);
  return dispatch(room, "cust", pake.result("t1", ok), now);
}

describe("a customer's help request", () => {
  it("names no technician and makes none its owner when technicians join", () => {
    const room = helpRoom();
    expect(room.owner).toBeNull();
    expect(summarize(room).technician).toBeNull();
    expect(room.seats.map((s) => s.isOwner)).toEqual([false, false, false]);
    expect(room.state).toBe("connected");
  });

  it("makes the technician whose handshake the customer confirmed its owner, and tells the others", () => {
    const room = helpRoom();
    const effects = tinaHandshake(room, true);
    expect(room.owner).toEqual({ id: "t1", name: "Tina First" });
    expect(room.seats.find((s) => s.id === "t1")).toMatchObject({ isOwner: true, isVerified: true });
    expect(summarize(room).technician).toEqual({ name: "Tina First", organisation: "Acme IT" });
    expect(sentTo(effects, "cust")).toEqual([
      { type: "peerGone", id: "t2" },
      {
        type: "peerJoined",
        peer: { id: "t1", role: "technician", name: "Tina First", isOwner: true, connected: true },
      },
    ]);
    // Tina hears the customer's verdict and that Sam has gone, not a peerJoined about herself.
    expect(sentTo(effects, "t1")).toEqual([
      { type: "pakeResult", from: "cust", ok: true, tag: "T".repeat(86) },
      { type: "peerGone", id: "t2" },
    ]);
    expect(effects).toMatchObject({ isOwnerConfirmed: true, persist: "room" });
    expect(room.ownerSyncDueAt).toBe(T0 + 1_000);
    expect(nextAlarmAt(room)).toBe(T0 + 1_000);
    expect(effects.logs).toContainEqual({ event: "session_owner_confirmed", code: "987654321", technicianId: "t1" });
  });

  it("removes every other technician with NOT_OWNER, held seats included, and seats none afterwards", () => {
    const room = helpRoom();
    seat(room, { ...SAM, technicianId: "t3" }, "t3");
    leave(room, "t3", T0 + 500);
    const effects = tinaHandshake(room, true);
    expect(room.seats.map((s) => s.id)).toEqual(["cust", "t1"]);
    // Only Sam still has a socket to refuse; t3's held seat simply goes.
    expect(effects.refuse).toEqual([
      { to: "t2", code: "NOT_OWNER", message: "The customer confirmed another technician, who now owns this session." },
    ]);
    expect(sentTo(effects, "t2")).toEqual([]);
    expect(sentTo(effects, "cust").filter((m) => m.type === "peerGone")).toEqual([
      { type: "peerGone", id: "t2" },
      { type: "peerGone", id: "t3" },
    ]);
    expect(join(room, SAM, PROOF, fresh("t2-again"), T0 + 2_000)).toMatchObject({ ok: false, code: "NOT_OWNER" });
    expect(seat(room, TINA, "t1-again", T0 + 2_000).seat).toMatchObject({ id: "t1", isOwner: true });
  });

  it("gets no owner from a refused handshake, nor from a technician's own say", () => {
    const room = helpRoom();
    const effects = tinaHandshake(room, false);
    expect(room.owner).toBeNull();
    expect(effects.isOwnerConfirmed).toBe(false);
    expect(effects.refuse).toEqual([]);
    // A technician cannot send the verdict, whatever it says.
    const forged = dispatch(room, "t2", pake.result("cust"), T0 + 2_000);
    expect(forged.send).toEqual([{ to: "t2", msg: expect.objectContaining({ code: "WRONG_ROLE" }) }]);
    expect(room.owner).toBeNull();
    expect(room.seats.map((s) => s.id)).toEqual(["cust", "t1", "t2"]);
  });

  it("keeps its owner when the owner verifies again later", () => {
    const room = helpRoom();
    tinaHandshake(room, true);
    room.ownerSyncDueAt = null;
    const again = tinaHandshake(room, true, T0 + 60_000);
    expect(again.isOwnerConfirmed).toBe(false);
    expect(again.send.map((s) => s.msg.type)).toEqual(["pakeResult"]);
    expect(room.ownerSyncDueAt).toBeNull();
  });

  it("is not claimed by a customer", () => {
    const room = createRoom(HELP_SETTINGS, T0);
    seat(room, { role: "customer" }, "cust");
    expect(room.owner).toBeNull();
  });
});
