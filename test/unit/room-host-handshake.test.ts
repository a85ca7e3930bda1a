import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Bucket } from "../../durable-objects/rate-limit/bucket.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { hashSeatKey } from "../../worker/auth/tokens.ts";
import { pake } from "../helpers/handshake.ts";
import { MemoryRoom } from "../helpers/memory-runtime.ts";
import { CUSTOMER_KEY_HASH, HELP_SETTINGS, ROOM_SETTINGS, SEAT_KEY, T0 } from "../helpers/room-fixtures.ts";

// RoomHost's side of the handshake on an in-memory runtime with a test clock: the per-technician and per-address
// budgets it takes through runtime.hit before the room charges a start, the owner it records once the customer
// confirms one, and the seat key it checks at hello.

const S = 1_000;
const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" };
const TINA: JoinRequest = { role: "technician", technicianId: "t1", name: "Tina First" };
const SAM: JoinRequest = { role: "technician", technicianId: "t2", name: "Sam Second" };
const CUSTOMER: JoinRequest = { role: "customer" };

let logs: Record<string, unknown>[];
beforeEach(() => {
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(JSON.parse(line)));
});
afterEach(() => vi.restoreAllMocks());

async function openRoom(settings = ROOM_SETTINGS, buckets?: Map<string, Bucket>) {
  const room = new MemoryRoom(T0, buckets);
  await room.create(settings);
  return room;
}

describe("the seat key fixture", () => {
  it("is the SHA-256 of the key's 32 bytes, as hashSeatKey computes it", async () => {
    expect(await hashSeatKey(SEAT_KEY)).toBe(CUSTOMER_KEY_HASH);
    expect(await hashSeatKey("not base64url!")).toBeNull();
  });
});

describe("RoomHost: the customer's seat key", () => {
  it("seats a customer whose key hashes to the registered hash", async () => {
    const room = await openRoom();
    const { welcome } = await room.join(CUSTOMER);
    expect(welcome.role).toBe("customer");
  });

  it.each([
    ["without a key", undefined],
    ["with another key", "BBECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"],
  ])("refuses a customer %s with SEAT_KEY_INVALID and closes with 1008", async (_label, seatKey) => {
    const room = await openRoom();
    const ws = await room.connect(CUSTOMER);
    if (!ws) throw new Error("refused");
    await room.send(ws, { type: "hello", version: 1, ...(seatKey ? { seatKey } : {}) });
    expect(ws.frames).toEqual([{ type: "error", code: "SEAT_KEY_INVALID", message: expect.any(String) }]);
    expect(ws.closedWith?.code).toBe(1008);
    expect(logs).toContainEqual(expect.objectContaining({ event: "room_join_refused", reason: "SEAT_KEY_INVALID" }));
    expect(JSON.stringify(logs)).not.toContain(SEAT_KEY);
  });

  it("gives a resume token only its own seat", async () => {
    const room = await openRoom(HELP_SETTINGS);
    const customer = await room.join(CUSTOMER);
    const tina = await room.join(TINA);
    const sam = await room.join(SAM);
    await room.drop(tina.ws);
    // Sam presenting Tina's token gets his own seat back (by identity), not hers.
    const samAgain = await room.join(SAM, tina.welcome.resume);
    expect(samAgain.welcome.participantId).toBe(sam.welcome.participantId);
    // The customer presenting a technician's token is still the customer, whose seat is taken.
    const intruder = await room.connect(CUSTOMER);
    if (!intruder) throw new Error("refused");
    await room.send(intruder, { type: "hello", version: 1, resume: samAgain.welcome.resume, seatKey: SEAT_KEY });
    expect(intruder.received("error")[0]?.code).toBe("SEAT_TAKEN");
    // Tina's own token still gives Tina her seat.
    expect((await room.join(TINA, tina.welcome.resume)).welcome.participantId).toBe(tina.welcome.participantId);
    expect(customer.ws.closedWith).toBeNull();
  });
});

describe("RoomHost: per-technician and per-address handshake budgets", () => {
  it("takes a token from the technician's and the address's bucket before each start", async () => {
    const room = await openRoom();
    const tech = await room.join(OWNER, undefined, { clientKey: "198.51.100.7" });
    const customer = await room.join(CUSTOMER);
    await room.send(tech.ws, pake.start(customer.welcome.participantId));
    expect(room.runtime.hits).toEqual([
      { key: "technician:tech-owner", scope: "handshake", limitPerMinute: 10, allowed: true },
      { key: "198.51.100.7", scope: "handshake", limitPerMinute: 10, allowed: true },
    ]);
    // The customer's frames are not the technicians' budget.
    await room.send(customer.ws, pake.reply(tech.welcome.participantId));
    expect(room.runtime.hits).toHaveLength(2);
  });

  it("refuses the start beyond RATE_HANDSHAKE_PER_MIN with RATE_LIMITED and the wait, charging the room nothing", async () => {
    const room = await openRoom();
    const tech = await room.join(OWNER);
    const customer = await room.join(CUSTOMER);
    const custId = customer.welcome.participantId;
    // Ten starts, each confirmed so that the room's own backoff never refuses one.
    for (let i = 0; i < 10; i++) await room.handshake(tech, customer);
    expect(room.runtime.hits.every((h) => h.allowed)).toBe(true);
    const started = customer.ws.received("pakeStart").length;
    tech.ws.take();

    await room.send(tech.ws, pake.start(custId));
    // A bucket of 10 a minute refills one token every 6 s.
    expect(tech.ws.take()).toEqual([
      { type: "error", code: "RATE_LIMITED", message: expect.stringContaining("6 s"), retryAfterS: 6 },
    ]);
    expect(customer.ws.received("pakeStart")).toHaveLength(started);
    expect(room.runtime.storage.load()?.handshake.failures).toBe(0);
    expect(logs).toContainEqual(expect.objectContaining({ event: "handshake_charged", outcome: "rate_limited" }));

    await room.advance(6 * S - 1);
    await room.send(tech.ws, pake.start(custId));
    expect(tech.ws.take()[0]).toMatchObject({ code: "RATE_LIMITED", retryAfterS: 1 });
    await room.advance(6 * S);
    await room.send(tech.ws, pake.start(custId));
    expect(customer.ws.received("pakeStart")).toHaveLength(started + 1);
  });

  it("counts a technician's starts across sessions and addresses, and an address's across technicians", async () => {
    const buckets = new Map<string, Bucket>();
    const first = await openRoom(HELP_SETTINGS, buckets);
    const tina = await first.join(TINA, undefined, { clientKey: "203.0.113.1" });
    const customer = await first.join(CUSTOMER);
    for (let i = 0; i < 10; i++) await first.handshake(tina, customer);

    // Tina from another address in another session: her own bucket is empty.
    const second = await openRoom(HELP_SETTINGS, buckets);
    const tinaElsewhere = await second.join(TINA, undefined, { clientKey: "2001:db8:1:2::/64" });
    const secondCustomer = await second.join(CUSTOMER);
    await second.send(tinaElsewhere.ws, pake.start(secondCustomer.welcome.participantId));
    expect(tinaElsewhere.ws.received("error").at(-1)).toMatchObject({ code: "RATE_LIMITED" });

    // Sam from Tina's first address: the address's bucket is empty.
    const sam = await second.join(SAM, undefined, { clientKey: "203.0.113.1" });
    await second.send(sam.ws, pake.start(secondCustomer.welcome.participantId));
    expect(sam.ws.received("error").at(-1)).toMatchObject({ code: "RATE_LIMITED" });
    expect(secondCustomer.ws.received("pakeStart")).toEqual([]);
  });
});

describe("RoomHost: the owner the customer confirms", () => {
  it("records the owner in the sessions table, removes the other technicians and refuses them afterwards", async () => {
    const room = await openRoom(HELP_SETTINGS);
    const customer = await room.join(CUSTOMER);
    const tina = await room.join(TINA);
    const sam = await room.join(SAM);
    expect(room.runtime.owners).toEqual([]);

    await room.handshake(tina, customer);
    expect(room.runtime.owners).toEqual([{ code: "987654321", technicianId: "t1" }]);
    expect(customer.ws.received("peerJoined").at(-1)).toEqual({
      type: "peerJoined",
      peer: { id: tina.welcome.participantId, role: "technician", name: "Tina First", isOwner: true, connected: true },
    });
    expect(sam.ws.received("error")).toEqual([
      {
        type: "error",
        code: "NOT_OWNER",
        message: "The customer confirmed another technician, who now owns this session.",
      },
    ]);
    expect(sam.ws.closedWith?.code).toBe(1008);
    // Sam's seat was dropped, not held: nobody hears peerLeft for him, and he is not let back in.
    expect(customer.ws.received("peerLeft")).toEqual([]);
    expect(customer.ws.received("peerGone")).toEqual([{ type: "peerGone", id: sam.welcome.participantId }]);
    const again = await room.connect(SAM);
    if (!again) throw new Error("refused");
    await room.send(again, { type: "hello", version: 1 });
    expect(again.received("error")[0]?.code).toBe("NOT_OWNER");
    expect(await room.host.info(CUSTOMER_KEY_HASH)).toMatchObject({
      ok: true,
      session: { technician: { name: "Tina First" } },
    });
    expect(room.runtime.storage.load()?.ownerSyncDueAt).toBeNull();
  });

  it("retries recording the owner through the alarm when the sessions table cannot be reached", async () => {
    const room = await openRoom(HELP_SETTINGS);
    const customer = await room.join(CUSTOMER);
    const tina = await room.join(TINA);
    room.runtime.ownerFailures = 2;
    await room.advance(5 * S);
    await room.handshake(tina, customer);
    expect(room.runtime.owners).toEqual([]);
    expect(room.runtime.alarm.at).toBe(T0 + 5 * S);

    await room.advance(0);
    expect(room.alarmErrors).toHaveLength(1);
    await room.advance(10 * S);
    expect(room.runtime.owners).toEqual([{ code: "987654321", technicianId: "t1" }]);
    expect(logs.filter((l) => l.event === "session_owner_sync_failed")).toHaveLength(2);
    expect(room.runtime.storage.load()?.ownerSyncDueAt).toBeNull();
    // Nothing left to retry: the alarm is back at the idle deadline.
    expect(room.runtime.alarm.at).toBe(T0 + 5 * S + 15 * 60 * S);
  });

  it("does not record an owner for a link session, whose owner D1 has from the start", async () => {
    const room = await openRoom();
    const tech = await room.join(OWNER);
    const customer = await room.join(CUSTOMER);
    await room.handshake(tech, customer);
    expect(room.runtime.owners).toEqual([]);
    expect(customer.ws.received("peerJoined")).toEqual([]);
  });
});
