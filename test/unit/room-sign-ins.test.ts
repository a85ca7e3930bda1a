import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { MemoryRoom } from "../helpers/memory-runtime.ts";
import { HELP_SETTINGS, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// A room checks its technicians' sign-ins every signInCheckMs while any holds a seat, on the test's clock: a sign-in
// taken back (signed out, passkey or technician removed) loses its seat within that time, on any host.

const S = 1_000;
const MIN = 60 * S;
const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner", signInId: "si-1" };
const CUSTOMER: JoinRequest = { role: "customer" };

beforeEach(() => {
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function openPair(settings = ROOM_SETTINGS) {
  return MemoryRoom.withPair(T0, settings, OWNER, CUSTOMER);
}

describe("room: sign-in checks", () => {
  it("checks the seated technician's sign-in a minute after the join, then every minute", async () => {
    const { room } = await openPair();
    expect(room.runtime.alarm.at).toBe(T0 + MIN);
    await room.advance(MIN - 1);
    expect(room.runtime.signInChecks).toEqual([]);
    await room.advance(1);
    expect(room.runtime.signInChecks).toEqual([["si-1"]]);
    await room.advance(MIN);
    expect(room.runtime.signInChecks).toEqual([["si-1"], ["si-1"]]);
    expect(room.runtime.alarm.at).toBe(T0 + 3 * MIN);
  });

  it("closes a revoked technician's socket at the next check, within a minute, and keeps the customer", async () => {
    const { room, tech, customer } = await openPair();
    await room.advance(20 * S);
    room.runtime.revokedSignIns.add("si-1");
    await room.advance(40 * S - 1);
    expect(tech.ws.closedWith).toBeNull();

    await room.advance(1);
    expect(tech.ws.frames).toEqual([
      {
        type: "error",
        code: "SIGN_IN_REVOKED",
        message: "Your sign-in has ended (signed out, or your passkey or account was removed); sign in again.",
      },
    ]);
    expect(tech.ws.closedWith?.code).toBe(1008);
    expect(customer.ws.frames).toEqual([
      { type: "peerGone", id: tech.welcome.participantId },
      { type: "state", state: "waiting" },
    ]);
    expect(customer.ws.closedWith).toBeNull();
    // No technician holds a seat any more: no more checks.
    await room.advance(5 * MIN);
    expect(room.runtime.signInChecks).toHaveLength(1);
  });

  it("drops a held seat whose sign-in was revoked, so it cannot be resumed by its seat token", async () => {
    const { room, tech, customer } = await openPair({ ...ROOM_SETTINGS, graceS: 600 });
    await room.drop(tech.ws);
    customer.ws.take();
    room.runtime.revokedSignIns.add("si-1");
    await room.advance(MIN);
    expect(customer.ws.frames).toContainEqual({ type: "peerGone", id: tech.welcome.participantId });
    const again = await room.join({ ...OWNER, signInId: "si-2" }, tech.welcome.resume);
    expect(again.welcome.participantId).not.toBe(tech.welcome.participantId);
  });

  it("checks only the sign-in a seat holds now: a rejoin with a new sign-in replaces the revoked one", async () => {
    const { room, tech } = await openPair();
    room.runtime.revokedSignIns.add("si-1");
    const again = await room.join({ ...OWNER, signInId: "si-2" }, tech.welcome.resume);
    await room.advance(MIN);
    expect(room.runtime.signInChecks).toEqual([["si-2"]]);
    expect(again.ws.closedWith).toBeNull();
  });

  it("checks every technician of a help request and drops only the revoked one", async () => {
    const room = new MemoryRoom(T0);
    await room.create(HELP_SETTINGS);
    const tina = await room.join({ role: "technician", technicianId: "t1", name: "Tina", signInId: "si-t" });
    const sam = await room.join({ role: "technician", technicianId: "t2", name: "Sam", signInId: "si-s" });
    room.runtime.revokedSignIns.add("si-s");
    await room.advance(MIN);
    expect(room.runtime.signInChecks).toEqual([["si-t", "si-s"]]);
    expect(sam.ws.received("error")).toMatchObject([{ code: "SIGN_IN_REVOKED" }]);
    expect(tina.ws.closedWith).toBeNull();
    expect(tina.ws.received("peerGone")).toEqual([{ type: "peerGone", id: sam.welcome.participantId }]);
  });

  it("keeps everyone when the sign-ins cannot be read, and tries again a check interval later", async () => {
    const { room, tech } = await openPair();
    room.runtime.signInCheckFailures = 1;
    room.runtime.revokedSignIns.add("si-1");
    await room.advance(MIN);
    expect(tech.ws.closedWith).toBeNull();
    expect(room.runtime.alarm.at).toBe(T0 + 2 * MIN);
    await room.advance(MIN);
    expect(tech.ws.closedWith?.code).toBe(1008);
  });

  it("survives a restart: the check time and each seat's sign-in come back from storage", async () => {
    const { room, tech } = await openPair();
    await room.advance(30 * S);
    await room.restart();
    room.runtime.revokedSignIns.add("si-1");
    await room.advance(30 * S);
    expect(tech.ws.closedWith?.code).toBe(1008);
  });

  it("follows a shorter SIGN_IN_CHECK_S", async () => {
    const { room, tech } = await openPair({ ...ROOM_SETTINGS, signInCheckS: 5 });
    room.runtime.revokedSignIns.add("si-1");
    await room.advance(5 * S);
    expect(tech.ws.closedWith?.code).toBe(1008);
  });
});
