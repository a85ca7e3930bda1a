import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AUDIT_RETRY_MS } from "../../durable-objects/session/RoomHost.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { HELLO_TIMEOUT_MS, PURGE_AFTER_MS } from "../../durable-objects/session/state.ts";
import { ALARM_RETRY_MS, MemoryRoom } from "../helpers/memory-runtime.ts";
import { CUSTOMER_KEY_HASH, ROOM_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// RoomHost on an in-memory runtime with a clock the test moves: the deadlines, takeovers and retries that the
// integration suites can only reach by sleeping or rewriting storage.

const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const OWNER: JoinRequest = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" };
const CUSTOMER: JoinRequest = { role: "customer" };

let logs: Record<string, unknown>[];
beforeEach(() => {
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(JSON.parse(line)));
});
afterEach(() => vi.restoreAllMocks());

async function openRoom(settings = ROOM_SETTINGS) {
  const room = new MemoryRoom(T0);
  expect(await room.create(settings)).toEqual({ ok: true, expiresAt: T0 + settings.lifetimeS * S });
  return room;
}

/** A room with its owner and a customer seated at T0, the owner's handshake confirmed, and their frames cleared. */
async function openPair(settings = ROOM_SETTINGS) {
  const room = await openRoom(settings);
  const tech = await room.join(OWNER);
  const customer = await room.join(CUSTOMER);
  await room.handshake(tech, customer);
  tech.ws.take();
  customer.ws.take();
  return { room, tech, customer };
}

describe("RoomHost: hello deadline", () => {
  it("closes a socket that stays silent, at the alarm HELLO_TIMEOUT_MS after it was accepted", async () => {
    const room = await openRoom();
    await room.advance(3 * S);
    const silent = await room.connect(CUSTOMER);
    const talker = await room.join(OWNER);
    expect(room.runtime.alarm.at).toBe(T0 + 3 * S + HELLO_TIMEOUT_MS);

    await room.advance(HELLO_TIMEOUT_MS - 1);
    expect(silent?.closedWith).toBeNull();

    await room.advance(1);
    expect(silent?.frames).toEqual([{ type: "error", code: "MESSAGE_INVALID", message: "No hello received in time." }]);
    expect(silent?.closedWith).toEqual({ code: 1008, reason: "No hello received in time." });
    expect(talker.ws.closedWith).toBeNull();
    // No socket waits for hello any more: the next alarm is the idle deadline, counted from the owner's join.
    expect(room.runtime.alarm.at).toBe(T0 + 3 * S + 15 * MIN);
  });

  it("stops counting a refused socket whose peer never answers the close (workerd keeps listing it)", async () => {
    const room = await openRoom();
    room.runtime.peersAnswerCloses = false;
    const silent = await room.connect(CUSTOMER);
    const later = await room.advance(2 * S).then(() => room.connect(CUSTOMER));
    // Before, the alarm was set for the refused socket's past deadline again and again: it kept firing.
    await room.advance(HELLO_TIMEOUT_MS - 2 * S);
    expect(silent?.closedWith?.code).toBe(1008);
    expect(silent?.frames).toHaveLength(1);
    expect(room.runtime.open.has(silent as NonNullable<typeof silent>)).toBe(true);
    expect(room.runtime.alarm.at).toBe(T0 + 2 * S + HELLO_TIMEOUT_MS);
    await room.advance(2 * S);
    expect(later?.closedWith?.code).toBe(1008);
    expect(silent?.frames).toHaveLength(1);
    expect(room.runtime.alarm.at).toBe(T0 + 15 * MIN);
  });
});

describe("RoomHost: idle and lifetime", () => {
  it("ends a room nobody touches at the idle deadline, telling everyone and recording the end", async () => {
    const { room, tech, customer } = await openPair();
    await room.advance(15 * MIN - 1);
    expect(tech.ws.frames).toEqual([]);

    await room.advance(1);
    for (const { ws } of [tech, customer]) {
      expect(ws.frames).toEqual([{ type: "ended", reason: "idle" }]);
      expect(ws.closedWith?.code).toBe(1000);
    }
    expect(room.runtime.ends).toEqual([{ code: "123456789", endedAt: T0 + 15 * MIN }]);
    expect(await room.host.admit()).toMatchObject({ ok: false, code: "SESSION_ENDED" });
  });

  it("counts relayed signals as activity, pushing the idle deadline back", async () => {
    const { room, tech, customer } = await openPair();
    await room.advance(10 * MIN);
    await room.send(customer.ws, { type: "keyExchange", to: tech.welcome.participantId, payload: "abc" });
    await room.advance(14 * MIN);
    expect(tech.ws.received("ended")).toEqual([]);
    await room.advance(1 * MIN);
    expect(tech.ws.received("ended")).toEqual([{ type: "ended", reason: "idle" }]);
    expect(room.runtime.ends[0]?.endedAt).toBe(T0 + 25 * MIN);
  });

  it("keeps a quiet call alive on keep-alives alone for hours, until its lifetime ends it as expired", async () => {
    const { room, tech, customer } = await openPair({ ...ROOM_SETTINGS, lifetimeS: 4 * 3_600 });
    while (room.now < T0 + 4 * HOUR - 10 * MIN) {
      await room.advance(10 * MIN);
      room.ping(customer.ws);
    }
    expect(tech.ws.received("ended")).toEqual([]);
    await room.advance(10 * MIN);
    expect(tech.ws.received("ended")).toEqual([{ type: "ended", reason: "expired" }]);
    expect(customer.ws.closedWith).toEqual({ code: 1000, reason: "The session reached its time limit." });
    expect(room.runtime.ends).toEqual([{ code: "123456789", endedAt: T0 + 4 * HOUR }]);
  });

  it("takes a call for idle once its last keep-alive is older than the idle time", async () => {
    const { room, tech } = await openPair();
    for (let i = 0; i < 4; i++) {
      await room.advance(10 * MIN);
      room.ping(tech.ws);
    }
    const lastPing = room.now;
    expect(lastPing).toBe(T0 + 40 * MIN);
    await room.advance(15 * MIN - 1);
    expect(tech.ws.received("ended")).toEqual([]);
    await room.advance(1);
    expect(tech.ws.received("ended")).toEqual([{ type: "ended", reason: "idle" }]);
    expect(room.runtime.ends[0]?.endedAt).toBe(lastPing + 15 * MIN);
  });
});

describe("RoomHost: info", () => {
  it("describes the session only to the holder of its seat key's hash", async () => {
    const { room } = await openPair();
    expect(await room.host.info("A".repeat(43))).toEqual({
      ok: false,
      code: "SEAT_KEY_INVALID",
      message: expect.any(String),
    });
    expect(await room.host.info(CUSTOMER_KEY_HASH)).toMatchObject({ ok: true, session: { caseNumber: "INC-7" } });
  });
});

describe("RoomHost: seats", () => {
  it("lets a new socket take over a seat: the old one closes, the seat is never released", async () => {
    const { room, tech, customer } = await openPair();
    const again = await room.join(OWNER, tech.welcome.resume);
    expect(again.welcome.participantId).toBe(tech.welcome.participantId);
    expect(tech.ws.closedWith).toEqual({ code: 1000, reason: "Replaced by a newer connection" });

    // The old socket's close has been reported to the room; a grace period later the seat still stands.
    await room.advance(ROOM_SETTINGS.graceS * S + 1);
    expect(customer.ws.frames.map((f) => f.type)).not.toContain("peerLeft");
    expect(customer.ws.frames.map((f) => f.type)).not.toContain("peerGone");
    expect(await room.host.info(CUSTOMER_KEY_HASH)).toMatchObject({ ok: true, session: { state: "connected" } });

    await room.send(customer.ws, { type: "offer", to: tech.welcome.participantId, sdp: "v=0" });
    expect(again.ws.received("offer")).toEqual([{ type: "offer", from: customer.welcome.participantId, sdp: "v=0" }]);
    expect(tech.ws.received("offer")).toEqual([]);
  });

  it("holds a dropped seat for the grace period, then releases it and tells the others", async () => {
    const { room, tech, customer } = await openPair();
    await room.drop(customer.ws);
    const id = customer.welcome.participantId;
    expect(tech.ws.take()).toEqual([{ type: "peerLeft", id, rejoinBy: T0 + 60 * S }]);

    await room.advance(60 * S - 1);
    expect(tech.ws.frames).toEqual([]);
    await room.advance(1);
    expect(tech.ws.frames).toEqual([
      { type: "peerGone", id },
      { type: "state", state: "waiting" },
    ]);
    // The seat is free again: a new customer is seated.
    expect((await room.join(CUSTOMER)).welcome.participantId).not.toBe(id);
  });

  it("gives the seat back to a customer who resumes within the grace period", async () => {
    const { room, tech, customer } = await openPair();
    await room.drop(customer.ws);
    await room.advance(59 * S);
    const back = await room.join(CUSTOMER, customer.welcome.resume);
    expect(back.welcome.participantId).toBe(customer.welcome.participantId);
    await room.advance(1 * MIN);
    expect(tech.ws.received("peerGone")).toEqual([]);
  });

  it("tells the technicians what the customer's browser can share, from its hello, and keeps it across a restart", async () => {
    const room = await openRoom();
    const tech = await room.join(OWNER);
    const customer = await room.join({ role: "customer", capture: "camera" });
    expect(tech.ws.received("peerJoined")).toEqual([
      {
        type: "peerJoined",
        peer: { id: customer.welcome.participantId, role: "customer", connected: true, capture: "camera" },
      },
    ]);
    await room.restart();
    const again = await room.join(OWNER, tech.welcome.resume);
    expect(again.welcome.peers).toEqual([
      { id: customer.welcome.participantId, role: "customer", connected: true, capture: "camera" },
    ]);
  });

  it("rebuilds seats from storage and attachments after memory is lost", async () => {
    const { room, tech, customer } = await openPair();
    await room.restart();
    await room.send(customer.ws, { type: "answer", to: tech.welcome.participantId, sdp: "v=0 a" });
    expect(tech.ws.received("answer")).toEqual([
      { type: "answer", from: customer.welcome.participantId, sdp: "v=0 a" },
    ]);
  });
});

describe("RoomHost: audit entries", () => {
  it("keeps the entries the log cannot take in the room's record, and the alarm appends them in order", async () => {
    const { room, customer } = await openPair();
    expect(room.runtime.audits.map((a) => a.type)).toEqual(["technician_admitted", "handshake_succeeded"]);
    room.runtime.auditFailures = 2;
    await room.advance(5 * S);
    await room.send(customer.ws, { type: "end" });
    expect(room.runtime.audits).toHaveLength(2);
    expect(room.runtime.storage.record).toContain('"pendingAudit":[{');
    expect(room.runtime.alarm.at).toBe(T0 + 5 * S + AUDIT_RETRY_MS);

    // The first retry fails too; the second appends the end, stamped with when it happened.
    await room.advance(AUDIT_RETRY_MS);
    expect(room.runtime.audits).toHaveLength(2);
    await room.advance(AUDIT_RETRY_MS);
    expect(room.runtime.audits.at(-1)).toEqual({
      actor: "customer",
      session: "123456789",
      type: "session_ended",
      data: { reason: "ended_by_customer", occurredAt: T0 + 5 * S },
    });
    expect(room.runtime.storage.record).toContain('"pendingAudit":[]');
    expect(logs.filter((l) => l.event === "audit_append_failed")).toHaveLength(2);
  });
});

describe("RoomHost: recording the end", () => {
  it("retries a failed end through the alarm: the alarm throws, the next one records it", async () => {
    const { room, customer } = await openPair();
    room.runtime.endFailures = 2;
    await room.send(customer.ws, { type: "end" });
    // Outside the alarm the failure is only logged, and the alarm is set to retry at once.
    expect(room.runtime.ends).toEqual([]);
    expect(room.runtime.alarm.at).toBe(T0);

    await room.advance(0);
    expect(room.alarmErrors).toHaveLength(1);
    expect(room.runtime.ends).toEqual([]);

    await room.advance(ALARM_RETRY_MS);
    expect(room.alarmErrors).toHaveLength(1);
    expect(room.runtime.ends).toEqual([{ code: "123456789", endedAt: T0 }]);
    expect(logs.filter((l) => l.event === "session_end_sync_failed")).toHaveLength(2);
    // Synced: what is left is the purge, a day after the end.
    expect(room.runtime.alarm.at).toBe(T0 + PURGE_AFTER_MS);
  });

  it("does not purge an ended room whose end is not recorded yet", async () => {
    const { room, customer } = await openPair();
    room.runtime.endFailures = Number.POSITIVE_INFINITY;
    await room.send(customer.ws, { type: "end" });
    await room.advance(PURGE_AFTER_MS + MIN);
    expect(room.alarmErrors.length).toBeGreaterThan(PURGE_AFTER_MS / ALARM_RETRY_MS);
    expect(room.runtime.storage.record).not.toBeNull();
    expect(room.host.hasSession).toBe(true);
  });
});

describe("RoomHost: the alarm", () => {
  it("stays armed while the room is live, and is set to the earliest deadline", async () => {
    const { room, customer } = await openPair();
    expect(room.runtime.alarm.at).toBe(T0 + 15 * MIN);
    await room.drop(customer.ws);
    expect(room.runtime.alarm.at).toBe(T0 + 60 * S);
    await room.advance(60 * S);
    expect(room.runtime.alarm.at).toBe(T0 + 15 * MIN);
  });

  it("purges storage a day after the end and then stays unarmed", async () => {
    const { room, tech } = await openPair();
    await room.send(tech.ws, { type: "end" });
    expect(room.runtime.ends).toEqual([{ code: "123456789", endedAt: T0 }]);
    expect(room.runtime.alarm.at).toBe(T0 + PURGE_AFTER_MS);

    await room.advance(PURGE_AFTER_MS - 1);
    expect(room.runtime.storage.record).not.toBeNull();
    await room.advance(1);
    expect(room.runtime.storage.record).toBeNull();
    expect(room.runtime.alarm.at).toBeNull();
    expect(room.host.hasSession).toBe(false);
    expect(await room.host.admit()).toMatchObject({ ok: false, code: "SESSION_NOT_FOUND" });
  });
});

describe("RoomHost: a stored record that fails the schema", () => {
  it("ends the room's sockets, refuses new ones, and drops the record at the next alarm", async () => {
    const { room, tech } = await openPair();
    const record = JSON.parse(room.runtime.storage.record ?? "") as Record<string, unknown>;
    room.runtime.storage.record = JSON.stringify({ ...record, state: "paused" });

    await room.restart();
    expect(tech.ws.frames).toEqual([
      { type: "error", code: "INTERNAL", message: "This session's state could not be read; it has ended." },
    ]);
    expect(tech.ws.closedWith).toEqual({ code: 1011, reason: "Session state unreadable" });
    expect(logs).toContainEqual(expect.objectContaining({ event: "room_record_invalid", field: "state" }));
    expect(await room.host.admit()).toMatchObject({ ok: false, code: "SESSION_NOT_FOUND" });

    await room.advance(15 * MIN);
    expect(room.runtime.storage.record).toBeNull();
    expect(room.runtime.alarm.at).toBeNull();
  });
});
