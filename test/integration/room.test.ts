import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSeatKey } from "../helpers/handshake.ts";
import { rewriteRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import {
  connect,
  customerKeyHashOf,
  hello,
  joinRoom,
  openPair,
  openRoom,
  requestHelp,
  upgrade,
  verify,
} from "../helpers/workers/ws.ts";

/** A help request with its customer and two technicians seated, none of them confirmed yet. */
async function openHelpTrio() {
  const res = await requestHelp();
  const { code } = (await res.json()) as { code: string };
  const customer = await joinRoom(code, "customer");
  const tina = await joinRoom(code, "technician", (await createTechnician("Tina First")).cookie);
  const sam = await joinRoom(code, "technician", (await createTechnician("Sam Second")).cookie);
  return { code, customer, tina, sam };
}

describe("room: relay", () => {
  it("relays offer, answer, candidate and keyExchange both ways with the sender as from", async () => {
    const { tech, customer } = await openPair();
    const techId = tech.welcome.participantId;
    const custId = customer.welcome.participantId;
    expect(customer.welcome.peers).toEqual([
      { id: techId, role: "technician", name: "Olivia Owner", isOwner: true, connected: true },
    ]);
    expect(customer.welcome.session).toMatchObject({ state: "connected", caseNumber: "CASE-1" });

    const candidate = {
      candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
    };
    customer.client.send({ type: "keyExchange", to: techId, payload: "Y3VzdG9tZXI" });
    customer.client.send({ type: "offer", to: techId, sdp: "v=0 customer" });
    customer.client.send({ type: "candidate", to: techId, candidate });
    customer.client.send({ type: "candidate", to: techId, candidate: null });
    tech.client.send({ type: "keyExchange", to: custId, payload: "dGVjaA" });
    tech.client.send({ type: "answer", to: custId, sdp: "v=0 tech" });
    tech.client.send({ type: "offer", to: custId, sdp: "v=0 renegotiate" });
    tech.client.send({ type: "candidate", to: custId, candidate });

    expect(await tech.client.next("keyExchange")).toEqual({
      type: "keyExchange",
      from: custId,
      payload: "Y3VzdG9tZXI",
    });
    expect(await tech.client.next("offer")).toEqual({ type: "offer", from: custId, sdp: "v=0 customer" });
    expect(await tech.client.take("candidate", 2)).toEqual([
      { type: "candidate", from: custId, candidate },
      { type: "candidate", from: custId, candidate: null },
    ]);
    expect(await customer.client.next("keyExchange")).toEqual({ type: "keyExchange", from: techId, payload: "dGVjaA" });
    expect(await customer.client.next("answer")).toEqual({ type: "answer", from: techId, sdp: "v=0 tech" });
    expect(await customer.client.next("offer")).toEqual({ type: "offer", from: techId, sdp: "v=0 renegotiate" });
    expect(await customer.client.next("candidate")).toEqual({ type: "candidate", from: techId, candidate });
  });

  it("takes binary frames that hold UTF-8 JSON", async () => {
    const { tech, customer } = await openPair();
    const frame = JSON.stringify({ type: "offer", to: tech.welcome.participantId, sdp: "v=0 binary" });
    customer.client.sendRaw(new TextEncoder().encode(frame).buffer as ArrayBuffer);
    expect(await tech.client.next("offer")).toMatchObject({ sdp: "v=0 binary" });
  });

  it("relays no signal either way before the customer confirmed the technician: HANDSHAKE_REQUIRED", async () => {
    const { tech, customer } = await openPair({}, { isVerified: false });
    const techId = tech.welcome.participantId;
    const custId = customer.welcome.participantId;
    customer.client.send({ type: "offer", to: techId, sdp: "v=0 too early" });
    customer.client.send({
      type: "candidate",
      to: techId,
      candidate: { candidate: "candidate:1 1 udp 1 192.0.2.1 1 typ host" },
    });
    tech.client.send({ type: "keyExchange", to: custId, payload: "dGVjaA" });
    expect((await customer.client.take("error", 2)).map((e) => e.code)).toEqual([
      "HANDSHAKE_REQUIRED",
      "HANDSHAKE_REQUIRED",
    ]);
    expect(await tech.client.next("error")).toMatchObject({ code: "HANDSHAKE_REQUIRED" });
    await tech.client.sync();
    await customer.client.sync();
    expect(tech.client.received.some((m) => m.type === "offer" || m.type === "candidate")).toBe(false);
    expect(customer.client.received.some((m) => m.type === "keyExchange")).toBe(false);

    await verify(tech, customer);
    customer.client.send({ type: "offer", to: techId, sdp: "v=0 now" });
    expect(await tech.client.next("offer")).toEqual({ type: "offer", from: custId, sdp: "v=0 now" });
  });
});

describe("room: roles", () => {
  it("refuses end from a technician who does not own the session with WRONG_ROLE and keeps the session", async () => {
    const { customer, tina, sam } = await openHelpTrio();
    sam.client.send({ type: "end" });
    expect(await sam.client.next("error")).toMatchObject({ code: "WRONG_ROLE" });
    await verify(tina, customer);
    customer.client.send({ type: "offer", to: tina.welcome.participantId, sdp: "v=0" });
    expect(await tina.client.next("offer")).toMatchObject({ sdp: "v=0" });
    expect(tina.client.received.some((m) => m.type === "ended")).toBe(false);
  });

  it("refuses signals to self and to unknown ids with PEER_NOT_FOUND, and technician to technician with WRONG_ROLE", async () => {
    const { tech, customer } = await openPair();
    customer.client.send({ type: "offer", to: customer.welcome.participantId, sdp: "v=0" });
    expect(await customer.client.next("error")).toMatchObject({ code: "PEER_NOT_FOUND" });
    tech.client.send({ type: "candidate", to: "nobody123", candidate: null });
    expect(await tech.client.next("error")).toMatchObject({ code: "PEER_NOT_FOUND" });
    const { tina, sam } = await openHelpTrio();
    sam.client.send({ type: "offer", to: tina.welcome.participantId, sdp: "v=0" });
    expect(await sam.client.next("error")).toMatchObject({ code: "WRONG_ROLE" });
    await tina.client.sync();
    expect(tina.client.received.some((m) => m.type === "offer")).toBe(false);
  });

  it("refuses a technician who does not own the session with NOT_OWNER and closes it with 1008", async () => {
    const { code, tech, customer } = await openPair();
    const other = await createTechnician("Evan Extra");
    const extra = await connect(code, "technician", other.cookie);
    extra.send(hello(code, "technician"));
    expect(await extra.next("error")).toMatchObject({
      code: "NOT_OWNER",
      message: "This session belongs to another technician; only its owner may join it.",
    });
    expect((await extra.waitClosed()).code).toBe(1008);
    await customer.client.sync();
    expect(customer.client.received.filter((m) => m.type === "peerJoined")).toEqual([]);
    expect(tech.client.isClosed).toBe(false);
  });

  it("refuses a customer without the session's seat key with SEAT_KEY_INVALID, before anyone hears of it", async () => {
    const { code, owner } = await openRoom();
    const tech = await joinRoom(code, "technician", owner.cookie);
    const another = (await newSeatKey()).seatKey;
    for (const seatKey of [undefined, another]) {
      const stranger = await connect(code, "customer");
      stranger.send({ type: "hello", version: 1, ...(seatKey ? { seatKey } : {}) });
      expect(await stranger.next("error")).toMatchObject({ code: "SEAT_KEY_INVALID" });
      expect((await stranger.waitClosed()).code).toBe(1008);
    }
    await tech.client.sync();
    expect(tech.client.received.some((m) => m.type === "peerJoined")).toBe(false);
    // The page that holds the key is seated.
    expect((await joinRoom(code, "customer")).welcome.role).toBe("customer");
  });

  it("refuses a second customer with SEAT_TAKEN and closes it with 1008", async () => {
    const { code, tech } = await openPair();
    const intruder = await connect(code, "customer");
    intruder.send(hello(code, "customer"));
    expect(await intruder.next("error")).toMatchObject({ code: "SEAT_TAKEN" });
    expect((await intruder.waitClosed()).code).toBe(1008);
    await tech.client.sync();
    expect(tech.client.received.filter((m) => m.type === "peerJoined")).toHaveLength(1);
  });

  it("ignores role headers a client sends itself", async () => {
    const { code, stub } = await openRoom();
    const res = await upgrade(code, "customer", undefined, {
      "X-Tether-Role": "technician",
      "X-Tether-Technician-Id": "someone-else",
      "X-Tether-Technician-Name": "Spoofed",
    });
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.send(JSON.stringify(hello(code, "customer")));
    const welcome = await new Promise<string>((resolve) =>
      res.webSocket?.addEventListener("message", (e) => resolve(e.data as string)),
    );
    expect(JSON.parse(welcome)).toMatchObject({ type: "welcome", role: "customer" });
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: true, session: { state: "waiting" } });
  });

  it("refuses an upgrade without the address key the Worker always sends, rather than share a stand-in budget", async () => {
    const { stub } = await openRoom();
    const bare = await stub.fetch("https://room/ws", {
      headers: { Upgrade: "websocket", "X-Tether-Role": "customer" },
    });
    expect(bare.status).toBe(400);
    expect(bare.webSocket).toBeNull();
  });
});

describe("room: joining", () => {
  it("answers a hello from another protocol version with UNSUPPORTED_VERSION and 1008", async () => {
    const { code } = await openRoom();
    const client = await connect(code, "customer");
    client.send({ type: "hello", version: 99 });
    expect(await client.next("error")).toMatchObject({ code: "UNSUPPORTED_VERSION" });
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it("asks for hello before anything else, without seating the socket", async () => {
    const { code, tech } = await openPair();
    const client = await connect(code, "customer");
    client.send({ type: "offer", to: tech.welcome.participantId, sdp: "v=0" });
    expect(await client.next("error")).toMatchObject({ code: "MESSAGE_INVALID", message: "Send hello first." });
    await tech.client.sync();
    expect(tech.client.received.some((m) => m.type === "offer")).toBe(false);
  });

  it("refuses a join after the customer ended the session: SESSION_ENDED and 1008", async () => {
    const { code, stub, tech, customer } = await openPair();
    customer.client.send({ type: "end" });
    expect(await tech.client.next("ended")).toEqual({ type: "ended", reason: "ended_by_customer" });
    expect(await customer.client.next("ended")).toEqual({ type: "ended", reason: "ended_by_customer" });
    expect((await tech.client.waitClosed()).code).toBe(1000);
    expect((await customer.client.waitClosed()).code).toBe(1000);
    const row = await env.DB.prepare("SELECT ended_at FROM sessions WHERE code = ?")
      .bind(code)
      .first<{ ended_at: number | null }>();
    expect(row?.ended_at).toEqual(expect.any(Number));

    const late = await connect(code, "customer");
    expect(await late.next("error")).toMatchObject({ code: "SESSION_ENDED" });
    expect((await late.waitClosed()).code).toBe(1008);
    // The room refuses too, should D1 lag behind.
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: false, code: "SESSION_ENDED" });
    const direct = await stub.fetch("https://room/ws", {
      headers: { Upgrade: "websocket", "X-Tether-Role": "customer", "X-Tether-Client-Key": "192.0.2.1" },
    });
    direct.webSocket?.accept();
    const refused = await new Promise<string>((resolve) =>
      direct.webSocket?.addEventListener("message", (e) => resolve(e.data as string)),
    );
    expect(JSON.parse(refused)).toMatchObject({ type: "error", code: "SESSION_ENDED" });
  });

  it("lets the owner end the session", async () => {
    const { tech, customer } = await openPair();
    tech.client.send({ type: "end" });
    expect(await customer.client.next("ended")).toEqual({ type: "ended", reason: "ended_by_technician" });
    expect((await customer.client.waitClosed()).code).toBe(1000);
  });
});

describe("room: dropped participants", () => {
  it("gives a dropped customer its seat back with its resume token within the grace period", async () => {
    const { code, tech, customer } = await openPair();
    const custId = customer.welcome.participantId;
    const closedAt = Date.now();
    customer.client.close();
    const left = await tech.client.next("peerLeft");
    expect(left.id).toBe(custId);
    // The grace period (60 s) counts from the moment the room saw the close.
    expect(left.rejoinBy).toBeGreaterThanOrEqual(closedAt + 60_000);
    expect(left.rejoinBy).toBeLessThanOrEqual(Date.now() + 60_000);

    const back = await joinRoom(code, "customer", undefined, customer.welcome.resume);
    expect(back.welcome.participantId).toBe(custId);
    expect(back.welcome.resume).not.toBe(customer.welcome.resume);
    expect(await tech.client.next("peerJoined")).toEqual({
      type: "peerJoined",
      peer: { id: custId, role: "customer", connected: true },
    });
    tech.client.send({ type: "offer", to: custId, sdp: "v=0 again" });
    expect(await back.client.next("offer")).toMatchObject({ from: tech.welcome.participantId, sdp: "v=0 again" });
  });

  it("lets a technician take their seat back by identity, closing the old socket", async () => {
    const { code, owner, tech, customer } = await openPair();
    const again = await joinRoom(code, "technician", owner.cookie);
    expect(again.welcome.participantId).toBe(tech.welcome.participantId);
    expect((await tech.client.waitClosed()).code).toBe(1000);
    customer.client.send({ type: "offer", to: again.welcome.participantId, sdp: "v=0" });
    expect(await again.client.next("offer")).toMatchObject({ sdp: "v=0" });
    // The replaced socket's close did not release the seat.
    await customer.client.sync();
    expect(customer.client.received.some((m) => m.type === "peerLeft")).toBe(false);
  });

  it("releases the seat after the grace period: peerGone, back to waiting, and the old token no longer resumes", async () => {
    const { code, stub, tech, customer } = await openPair();
    customer.client.close();
    await tech.client.next("peerLeft");
    await rewriteRoom(stub, (room, now) => {
      for (const seat of room.seats) if (seat.id === customer.welcome.participantId) seat.heldUntil = now - 1;
    });
    await runDurableObjectAlarm(stub);
    expect(await tech.client.next("peerGone")).toEqual({ type: "peerGone", id: customer.welcome.participantId });
    expect(await tech.client.next("state")).toEqual({ type: "state", state: "waiting" });

    const fresh = await joinRoom(code, "customer", undefined, customer.welcome.resume);
    expect(fresh.welcome.participantId).not.toBe(customer.welcome.participantId);
    expect(fresh.welcome.session.state).toBe("connected");
  });
});
