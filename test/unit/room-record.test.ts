import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatRoomRecord, parseRoomRecord } from "../../durable-objects/session/room-record.ts";
import { join } from "../../durable-objects/session/seats.ts";
import { createRoom, type Room } from "../../durable-objects/session/state.ts";
import { RoomStore } from "../../worker/deno/room-store.ts";
import { CUSTOMER_KEY_HASH, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

const settings = ROOM_SETTINGS;

/** A room with its owner and a customer seated, the customer's seat held after a drop. */
function pair(): Room {
  const room = createRoom(settings, T0);
  const owner = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" } as const;
  const proof = { resumeHash: null, seatKeyHash: CUSTOMER_KEY_HASH };
  join(room, owner, proof, { participantId: "tech", token: "t1", tokenHash: "a".repeat(64) }, T0);
  join(room, { role: "customer" }, proof, { participantId: "cust", token: "t2", tokenHash: "b".repeat(64) }, T0);
  const customer = room.seats.find((s) => s.id === "cust");
  if (customer) Object.assign(customer, { connected: false, heldUntil: T0 + 60_000 });
  room.lastActivityAt = T0 + 5_000;
  return room;
}

/** The stored record of `room` with one field rewritten, as a bug or a hand edit might leave it. */
function tampered(room: Room, edit: (record: Record<string, unknown>) => void): string {
  const record = JSON.parse(formatRoomRecord(room)) as Record<string, unknown>;
  edit(record);
  return JSON.stringify(record);
}

describe("the room record", () => {
  it("reads back what was written, with memory's persisted activity set to the stored one", () => {
    const room = pair();
    room.persistedActivityAt = T0;
    expect(parseRoomRecord(formatRoomRecord(room))).toEqual({
      ok: true,
      room: { ...room, persistedActivityAt: T0 + 5_000 },
    });
  });

  it("reads a record stored before handshakes and seat keys with their defaults", () => {
    const room = pair();
    const old = tampered(room, (r) => {
      for (const field of ["customerKeyHash", "ownerSyncDueAt", "handshakeLimits", "handshake"]) delete r[field];
      for (const seat of r.seats as Record<string, unknown>[]) delete seat.isVerified;
    });
    const result = parseRoomRecord(old);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.room).toMatchObject({
      customerKeyHash: null,
      ownerSyncDueAt: null,
      handshakeLimits: { backoffBaseS: 2, backoffCapS: 7_200, perMinute: 10 },
      handshake: { failures: 0, lastStartAt: null, open: null },
    });
    expect(result.room.seats.map((s) => s.isVerified)).toEqual([false, false]);
    // Each record gets its own defaults: changing one room's handshake state leaves the next record's alone.
    result.room.handshake.failures = 5;
    expect(parseRoomRecord(old)).toMatchObject({ ok: true, room: { handshake: { failures: 0 } } });
  });

  it("does not store what only memory tracks", () => {
    expect(JSON.parse(formatRoomRecord(pair()))).not.toHaveProperty("persistedActivityAt");
  });

  it.each([
    ["a state the room does not have", (r: Record<string, unknown>) => (r.state = "paused"), "state"],
    [
      "a seat whose connected flag is a number",
      (r: Record<string, unknown>) => set(r, "seats.0.connected", 1),
      "seats.0.connected",
    ],
    ["a missing end flag", (r: Record<string, unknown>) => delete r.isEndSynced, "isEndSynced"],
    ["a fractional expiry", (r: Record<string, unknown>) => (r.expiresAt = 1.5), "expiresAt"],
    [
      "more seats than a room has",
      (r: Record<string, unknown>) => (r.seats = Array(9).fill((r.seats as unknown[])[0])),
      "seats",
    ],
  ])("refuses %s, naming the field", (_label, edit, field) => {
    const result = parseRoomRecord(tampered(pair(), edit));
    expect(result).toEqual({ ok: false, error: expect.stringContaining(field), field, code: "123456789" });
  });

  it("refuses text that is not JSON", () => {
    expect(parseRoomRecord("{not json")).toEqual({
      ok: false,
      error: "The stored room is not valid JSON.",
      field: "",
      code: null,
    });
  });

  it("names no code when the record's own code is what fails", () => {
    const result = parseRoomRecord(tampered(pair(), (r) => (r.code = "12")));
    expect(result).toEqual({ ok: false, error: expect.stringContaining("code"), field: "code", code: null });
  });

  it("never echoes a stored value in the error (a token hash must not reach a log)", () => {
    const secret = "s".repeat(200);
    const result = parseRoomRecord(tampered(pair(), (r) => set(r, "seats.0.tokenHash", secret)));
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("sss");
  });
});

/** Sets a dotted path inside plain JSON data. */
function set(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  let at: Record<string, unknown> = target;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  at[last] = value;
}

describe("RoomStore (the Deno host's rooms in SQLite)", () => {
  let logs: string[];
  beforeEach(() => {
    logs = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => vi.restoreAllMocks());

  it("saves and loads a room as one record, activity included", () => {
    const storage = new RoomStore(new DatabaseSync(":memory:")).storage("123456789");
    const room = pair();
    storage.saveRoom(room);
    room.lastActivityAt = T0 + 9_000;
    storage.saveRoom(room);
    expect(storage.load()).toEqual({ ...room, persistedActivityAt: T0 + 9_000 });
  });

  it("treats a record that fails the schema as no session, and logs which field", () => {
    const sqlite = new DatabaseSync(":memory:");
    const storage = new RoomStore(sqlite).storage("123456789");
    storage.saveRoom(pair());
    sqlite.prepare("UPDATE rooms SET room = json_set(room, '$.state', 'paused')").run();
    expect(storage.load()).toBeNull();
    expect(logs.map((line) => JSON.parse(line))).toEqual([
      { ts: expect.any(String), event: "room_record_invalid", code: "123456789", field: "state" },
    ]);
  });

  it("carries a room stored before the record held its activity over, with that activity", () => {
    const sqlite = new DatabaseSync(":memory:");
    sqlite.exec(`CREATE TABLE rooms (code TEXT PRIMARY KEY, room TEXT NOT NULL, last_activity_at INTEGER NOT NULL,
      alarm_at INTEGER); PRAGMA user_version = 1`);
    const { lastActivityAt: _column, persistedActivityAt: _memory, ...old } = pair();
    sqlite
      .prepare("INSERT INTO rooms VALUES (?, ?, ?, ?)")
      .run("123456789", JSON.stringify(old), T0 + 42_000, T0 + 60_000);
    const store = new RoomStore(sqlite);
    expect(store.storage("123456789").load()).toEqual({
      ...pair(),
      lastActivityAt: T0 + 42_000,
      persistedActivityAt: T0 + 42_000,
    });
    expect(store.list()).toEqual([{ code: "123456789", alarmAt: T0 + 60_000 }]);
  });
});
