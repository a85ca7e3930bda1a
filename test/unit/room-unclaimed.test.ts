import { describe, expect, it } from "vitest";
import { HELLO_TIMEOUT_MS, nextAlarmAt, PURGE_AFTER_MS } from "../../durable-objects/session/state.ts";
import { MemoryRoom } from "../helpers/memory-runtime.ts";
import { HELP_SETTINGS, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// Nothing anonymous outlives its use: a help request that no technician was confirmed for within claimTimeoutS ends,
// and since it has no owner, its storage and its sessions row go as soon as the end is recorded.

const CLAIM_MS = HELP_SETTINGS.claimTimeoutS * 1000;
const TINA = { role: "technician", technicianId: "t1", name: "Tina First" } as const;

/** A help request with its customer seated, kept busy with keep-alives so that idleness never ends it first. */
async function waitingCustomer() {
  const room = new MemoryRoom(T0);
  await room.create(HELP_SETTINGS);
  const customer = await room.join({ role: "customer" });
  return { room, customer };
}

/** Moves the clock `ms` ahead in 30 s steps, the customer's page pinging at each. */
async function wait(room: MemoryRoom, ws: { lastPingAt: number | null }, ms: number) {
  for (let left = ms; left > 0; left -= Math.min(left, 30_000)) {
    await room.advance(Math.min(left, 30_000));
    ws.lastPingAt = room.now;
  }
}

describe("a help request no technician claims", () => {
  it("ends at claimTimeoutS after it was made, then deletes its row and its storage", async () => {
    const { room, customer } = await waitingCustomer();
    expect(room.runtime.alarm.at).toBeLessThanOrEqual(T0 + CLAIM_MS);
    await wait(room, customer.ws, CLAIM_MS - 1);
    expect(customer.ws.closedWith).toBeNull();
    expect(room.runtime.forgotten).toEqual([]);

    await room.advance(1);
    expect(customer.ws.received("ended")).toEqual([{ type: "ended", reason: "expired" }]);
    expect(customer.ws.closedWith?.code).toBe(1000);
    expect(room.runtime.ends).toEqual([{ code: HELP_SETTINGS.code, endedAt: T0 + CLAIM_MS }]);
    // Nothing is kept for a day: the end is recorded, then the row and the room's storage go.
    expect(room.runtime.forgotten).toEqual([HELP_SETTINGS.code]);
    expect(room.runtime.storage.record).toBeNull();
    expect(room.runtime.alarm.at).toBeNull();
    expect(room.host.hasSession).toBe(false);
  });

  it("ends with technicians seated but none confirmed", async () => {
    const { room, customer } = await waitingCustomer();
    const tina = await room.join(TINA);
    await room.handshake(tina, customer, false);
    await wait(room, customer.ws, CLAIM_MS);
    expect(tina.ws.received("ended")).toEqual([{ type: "ended", reason: "expired" }]);
    expect(room.runtime.forgotten).toEqual([HELP_SETTINGS.code]);
  });

  it("keeps the end and the room when deleting the row fails, and tries again", async () => {
    const { room, customer } = await waitingCustomer();
    room.runtime.forgetFailures = 2;
    await wait(room, customer.ws, CLAIM_MS);
    expect(room.runtime.ends).toHaveLength(1);
    expect(room.alarmErrors).toHaveLength(2);
    expect(room.runtime.forgotten).toEqual([]);
    expect(room.runtime.storage.record).not.toBeNull();
    await room.advance(60_000);
    expect(room.runtime.forgotten).toEqual([HELP_SETTINGS.code]);
    expect(room.runtime.storage.record).toBeNull();
  });

  it("goes at once when the customer ends it before anyone claimed it", async () => {
    const { room, customer } = await waitingCustomer();
    await room.advance(5_000);
    await room.send(customer.ws, { type: "end" });
    expect(room.runtime.ends).toEqual([{ code: HELP_SETTINGS.code, endedAt: T0 + 5_000 }]);
    await room.advance(0);
    expect(room.runtime.forgotten).toEqual([HELP_SETTINGS.code]);
    expect(room.runtime.storage.record).toBeNull();
  });

  it("goes when nobody ever joined it", async () => {
    const room = new MemoryRoom(T0);
    await room.create(HELP_SETTINGS);
    // Idleness (15 minutes) comes after the claim deadline (10 minutes).
    await room.advance(CLAIM_MS);
    expect(room.runtime.ends).toEqual([{ code: HELP_SETTINGS.code, endedAt: T0 + CLAIM_MS }]);
    expect(room.runtime.forgotten).toEqual([HELP_SETTINGS.code]);
    expect(room.host.hasSession).toBe(false);
  });
});

describe("a claimed help request", () => {
  it("runs past the claim deadline and is kept a day after its end like any session", async () => {
    const { room, customer } = await waitingCustomer();
    const tina = await room.join(TINA);
    await room.advance(60_000);
    await room.handshake(tina, customer);
    await wait(room, customer.ws, CLAIM_MS);
    expect(customer.ws.received("ended")).toEqual([]);
    await room.send(tina.ws, { type: "end" });
    expect(room.runtime.owners).toEqual([{ code: HELP_SETTINGS.code, technicianId: "t1" }]);
    await room.advance(PURGE_AFTER_MS - 1);
    expect(room.runtime.storage.record).not.toBeNull();
    await room.advance(1);
    expect(room.runtime.storage.record).toBeNull();
    expect(room.runtime.forgotten).toEqual([]);
  });
});

describe("a technician's session", () => {
  it("has no claim deadline", async () => {
    const room = new MemoryRoom(T0);
    await room.create(ROOM_SETTINGS);
    const stored = room.runtime.storage.load();
    expect(stored?.claimBy).toBeNull();
    if (!stored) throw new Error("no room");
    expect(nextAlarmAt(stored)).toBe(T0 + ROOM_SETTINGS.idleS * 1000);
    expect(nextAlarmAt(stored, T0)).toBe(T0 + HELLO_TIMEOUT_MS);
  });
});
