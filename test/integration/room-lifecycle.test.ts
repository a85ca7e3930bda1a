import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SessionRoom } from "../../durable-objects/session/SessionRoom.ts";
import { rewriteRoom, storedRoom } from "../helpers/workers/stored-room.ts";
import { connect, customerKeyHashOf, hello, joinRoom, openPair, openRoom } from "../helpers/workers/ws.ts";

async function endedAt(code: string): Promise<number | null | undefined> {
  const row = await env.DB.prepare("SELECT ended_at FROM sessions WHERE code = ?")
    .bind(code)
    .first<{ ended_at: number | null }>();
  return row?.ended_at;
}

describe("room: hibernation and eviction", () => {
  it("keeps relaying on the same sockets after hibernating, with seats and state rebuilt from storage", async () => {
    const { code, stub, tech, customer } = await openPair();
    const techId = tech.welcome.participantId;
    const custId = customer.welcome.participantId;
    await evictDurableObject(stub, { webSockets: "hibernate" });

    customer.client.send({ type: "offer", to: techId, sdp: "v=0 after hibernation" });
    expect(await tech.client.next("offer")).toEqual({ type: "offer", from: custId, sdp: "v=0 after hibernation" });
    tech.client.send({ type: "answer", to: custId, sdp: "v=0 answer" });
    expect(await customer.client.next("answer")).toEqual({ type: "answer", from: techId, sdp: "v=0 answer" });

    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: true, session: { code, state: "connected" } });
    const intruder = await connect(code, "customer");
    intruder.send(hello(code, "customer"));
    expect(await intruder.next("error")).toMatchObject({ code: "SEAT_TAKEN" });
    await tech.client.sync();
    expect(tech.client.isClosed || customer.client.isClosed).toBe(false);
    expect(tech.client.received.some((m) => m.type === "peerLeft")).toBe(false);
  });

  it("hibernates again and again without losing a seat", async () => {
    const { stub, tech, customer } = await openPair();
    for (let i = 0; i < 3; i++) {
      await evictDurableObject(stub);
      customer.client.send({ type: "keyExchange", to: tech.welcome.participantId, payload: `round${i}` });
      expect(await tech.client.next("keyExchange")).toMatchObject({ payload: `round${i}` });
    }
  });

  it("after an eviction that closes the sockets, both sides resume their seats with their tokens", async () => {
    const { code, owner, stub, tech, customer } = await openPair();
    await evictDurableObject(stub, { webSockets: "close" });
    await tech.client.waitClosed();
    await customer.client.waitClosed();

    const techBack = await joinRoom(code, "technician", owner.cookie, tech.welcome.resume);
    expect(techBack.welcome.participantId).toBe(tech.welcome.participantId);
    // The customer's seat is held for it, not handed to someone else.
    expect(techBack.welcome.peers).toEqual([
      { id: customer.welcome.participantId, role: "customer", connected: false },
    ]);
    const intruder = await connect(code, "customer");
    intruder.send(hello(code, "customer"));
    expect(await intruder.next("error")).toMatchObject({ code: "SEAT_TAKEN" });

    const custBack = await joinRoom(code, "customer", undefined, customer.welcome.resume);
    expect(custBack.welcome.participantId).toBe(customer.welcome.participantId);
    expect(custBack.welcome.session.state).toBe("connected");
    expect(await techBack.client.next("peerJoined")).toMatchObject({ peer: { id: custBack.welcome.participantId } });
    custBack.client.send({ type: "offer", to: techBack.welcome.participantId, sdp: "v=0 resumed" });
    expect(await techBack.client.next("offer")).toMatchObject({ from: customer.welcome.participantId });
  });
});

describe("room: alarm", () => {
  it("ends a session at its lifetime: both sides get ended, sockets close, D1 records it, joins are refused", async () => {
    const { code, stub, tech, customer } = await openPair();
    await rewriteRoom(stub, (room, now) => {
      room.expiresAt = now - 1;
    });
    await runDurableObjectAlarm(stub);
    expect(await tech.client.next("ended")).toEqual({ type: "ended", reason: "expired" });
    expect(await customer.client.next("ended")).toEqual({ type: "ended", reason: "expired" });
    expect((await tech.client.waitClosed()).code).toBe(1000);
    expect((await customer.client.waitClosed()).code).toBe(1000);
    expect(await endedAt(code)).toEqual(expect.any(Number));

    const late = await connect(code, "customer");
    expect(await late.next("error")).toMatchObject({ code: "SESSION_ENDED" });
    expect((await late.waitClosed()).code).toBe(1008);
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: false, code: "SESSION_ENDED" });
  });

  it("ends a session after the idle timeout", async () => {
    const { code, stub, tech, customer } = await openPair();
    await rewriteRoom(stub, (room, now) => {
      room.lastActivityAt = now - room.idleMs - 1;
    });
    await runDurableObjectAlarm(stub);
    expect(await tech.client.next("ended")).toEqual({ type: "ended", reason: "idle" });
    expect(await customer.client.next("ended")).toEqual({ type: "ended", reason: "idle" });
    await customer.client.waitClosed();
    expect(await endedAt(code)).toEqual(expect.any(Number));
    const late = await connect(code, "customer");
    expect(await late.next("error")).toMatchObject({ code: "SESSION_ENDED" });
  });

  // What only workerd shows: its keep-alive answer (given without waking the room) and the time it records for it
  // reach the room's idle check. The rule itself (idle counts from the latest ping) is unit-tested on sweep().
  it("answers ping with pong, and counts keep-alives as activity so a quiet call is not idle", async () => {
    const { code, stub, tech, customer } = await openPair();
    // By its own record the room has been quiet for longer than the idle timeout...
    let staleAt = 0;
    await rewriteRoom(stub, (room, now) => {
      staleAt = now - room.idleMs - 1;
      room.lastActivityAt = staleAt;
    });
    // ...but the customer's keep-alive has just been answered.
    await customer.client.sync();
    expect(customer.client.pongs).toBe(1);
    await runDurableObjectAlarm(stub);
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: true, session: { state: "connected" } });
    expect((await storedRoom(stub)).lastActivityAt).toBeGreaterThan(staleAt);
    await tech.client.sync();
    expect(tech.client.received.some((m) => m.type === "ended")).toBe(false);
  });

  it("closes a socket that never says hello", async () => {
    const { code, stub } = await openRoom();
    const silent = await connect(code, "customer");
    // Pretend it connected 11 s ago, then let a fresh instance read that from the attachment.
    await runInDurableObject(stub, (_room: SessionRoom, state) => {
      for (const ws of state.getWebSockets()) {
        const attachment = ws.deserializeAttachment() as { acceptedAt: number };
        ws.serializeAttachment({ ...attachment, acceptedAt: attachment.acceptedAt - 11_000 });
      }
    });
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    expect(await silent.next("error")).toMatchObject({
      code: "MESSAGE_INVALID",
      message: "No hello received in time.",
    });
    expect((await silent.waitClosed()).code).toBe(1008);
  });

  it("does nothing before any deadline and re-arms for the next one", async () => {
    const { stub, tech } = await openPair();
    const before = await runInDurableObject(stub, (_room: SessionRoom, state) => state.storage.getAlarm());
    expect(before).toEqual(expect.any(Number));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, (_room: SessionRoom, state) => state.storage.getAlarm());
    expect(after).toBe(before);
    await tech.client.sync();
    expect(tech.client.pending()).toEqual([]);
    expect(tech.client.isClosed).toBe(false);
  });
});
