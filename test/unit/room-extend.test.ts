import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { MemoryRoom, type MemorySocket } from "../helpers/memory-runtime.ts";
import { ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// Extending a session's lifetime, on RoomHost with an in-memory runtime and a clock the test moves: the owner alone
// may, each extension adds one lifetime up to the admin's SESSION_MAX_LIFETIME_S, everyone hears the new end, the
// audit log records it, the sessions table follows (retried by the alarm), and the room then ends at the new time.

const S = 1_000;
const MIN = 60 * S;
const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" };
const CUSTOMER: JoinRequest = { role: "customer" };
/** An hour's lifetime, extendable to two and a half hours: two extensions, the second cut to the limit. */
const SETTINGS = { ...ROOM_SETTINGS, lifetimeS: 3_600, maxLifetimeS: 9_000 };

beforeEach(() => {
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

/** Moves the clock `ms` on while `ws` sends keep-alives, so that the room does not go idle. */
async function pass(room: MemoryRoom, ws: MemorySocket, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 10 * MIN) {
    room.ping(ws);
    await room.advance(Math.min(left, 10 * MIN));
  }
}

function openPair(settings = SETTINGS) {
  return MemoryRoom.withPair(T0, settings, OWNER, CUSTOMER);
}

describe("extending a session", () => {
  it("adds one lifetime per extension up to the limit, tells everyone, audits it and writes the sessions table", async () => {
    const { room, tech, customer } = await openPair();
    await pass(room, customer.ws, 56 * MIN);
    await room.send(tech.ws, { type: "extend" });
    const extended = { type: "extended", expiresAt: T0 + 120 * MIN, canExtend: true };
    expect(tech.ws.take()).toEqual([extended]);
    expect(customer.ws.take()).toEqual([extended]);
    expect(room.runtime.expiries).toEqual([{ code: SETTINGS.code, expiresAt: T0 + 120 * MIN }]);
    expect(room.runtime.audits.filter((a) => a.type === "session_extended")).toEqual([
      {
        actor: "technician:tech-owner",
        session: SETTINGS.code,
        type: "session_extended",
        data: { expiresAt: T0 + 120 * MIN },
      },
    ]);
    expect(room.runtime.storage.load()?.expiresAt).toBe(T0 + 120 * MIN);

    // The second stops at the admin's limit, and says no more are possible; a third is refused.
    await room.send(tech.ws, { type: "extend" });
    expect(customer.ws.take()).toEqual([{ type: "extended", expiresAt: T0 + 150 * MIN, canExtend: false }]);
    tech.ws.take();
    await room.send(tech.ws, { type: "extend" });
    expect(tech.ws.take()).toMatchObject([{ type: "error", code: "EXTEND_LIMIT" }]);
    expect(customer.ws.take()).toEqual([]);
  });

  it("keeps the room open past its first lifetime, then ends it at the extended time", async () => {
    const { room, tech, customer } = await openPair();
    await pass(room, customer.ws, 50 * MIN);
    await room.send(tech.ws, { type: "extend" });
    await pass(room, customer.ws, 69 * MIN);
    expect(customer.ws.received("ended")).toEqual([]);
    await pass(room, customer.ws, 1 * MIN);
    expect(customer.ws.received("ended")).toEqual([{ type: "ended", reason: "expired" }]);
    expect(room.runtime.ends).toEqual([{ code: SETTINGS.code, endedAt: T0 + 120 * MIN }]);
  });

  it("lets only the owner extend: the customer is refused with WRONG_ROLE", async () => {
    const { room, customer } = await openPair();
    await room.send(customer.ws, { type: "extend" });
    expect(customer.ws.take()).toMatchObject([{ type: "error", code: "WRONG_ROLE" }]);
    expect(room.runtime.storage.load()?.expiresAt).toBe(T0 + 60 * MIN);
  });

  it("refuses every extension when the limit is the lifetime itself", async () => {
    const { room, tech } = await openPair({ ...SETTINGS, maxLifetimeS: 3_600 });
    await room.send(tech.ws, { type: "extend" });
    expect(tech.ws.take()).toMatchObject([{ type: "error", code: "EXTEND_LIMIT" }]);
  });

  it("retries writing the new expiry through the alarm when the sessions table cannot be reached", async () => {
    const { room, tech } = await openPair();
    room.runtime.expiryFailures = 2;
    await room.advance(5 * S);
    await room.send(tech.ws, { type: "extend" });
    expect(room.runtime.expiries).toEqual([]);
    expect(room.runtime.alarm.at).toBe(T0 + 5 * S);
    await room.advance(0);
    expect(room.alarmErrors).toHaveLength(1);
    await room.advance(10 * S);
    expect(room.runtime.expiries).toEqual([{ code: SETTINGS.code, expiresAt: T0 + 120 * MIN }]);
    expect(room.runtime.storage.load()?.expirySyncDueAt).toBeNull();
  });
});
