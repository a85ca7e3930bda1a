import { describe, expect, it } from "vitest";
import { FINGERPRINT, pake } from "../helpers/handshake.ts";
import { emptyBucketOf, storedBucket, storedBucketOf, technicianKey } from "../helpers/workers/rate-buckets.ts";
import { rewriteRoom, storedRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import {
  connect,
  createSession,
  hello,
  joinRoom,
  openPair,
  randomIp,
  requestHelp,
  roomStub,
} from "../helpers/workers/ws.ts";

// The handshake as the room in workerd relays and charges it: real sockets, real storage, the real RateLimiter
// objects. Time is moved by rewriting the stored room, never by waiting.

const HOUR_S = 3_600;

describe("room: the handshake", () => {
  it("relays the four frames between the technician and the customer, to as from, and verifies the technician", async () => {
    const { stub, tech, customer } = await openPair({}, { isVerified: false });
    const techId = tech.welcome.participantId;
    const custId = customer.welcome.participantId;
    tech.client.send(pake.start(custId));
    expect(await customer.client.next("pakeStart")).toEqual({
      type: "pakeStart",
      from: techId,
      nonce: "N".repeat(22),
      fingerprint: FINGERPRINT,
    });
    customer.client.send(pake.reply(techId));
    expect(await tech.client.next("pakeReply")).toMatchObject({ from: custId, share: "S".repeat(43) });
    tech.client.send(pake.finish(custId));
    expect(await customer.client.next("pakeFinish")).toEqual({
      type: "pakeFinish",
      from: techId,
      share: "S".repeat(43),
      tag: "T".repeat(86),
    });
    customer.client.send(pake.result(techId));
    expect(await tech.client.next("pakeResult")).toEqual({
      type: "pakeResult",
      from: custId,
      ok: true,
      tag: "T".repeat(86),
    });
    const room = await storedRoom(stub);
    expect(room.seats.find((s) => s.id === techId)?.isVerified).toBe(true);
    expect(room.handshake).toMatchObject({ failures: 0, open: null });
  });

  it("refuses a start after a failed attempt with HANDSHAKE_WAIT and the seconds left, and accepts it once they passed", async () => {
    const limits = { backoffBaseS: HOUR_S, backoffCapS: 24 * HOUR_S, perMinute: 1_000 };
    const { stub, tech, customer } = await openPair({ handshake: limits }, { isVerified: false });
    const custId = customer.welcome.participantId;
    tech.client.send(pake.start(custId));
    await customer.client.next("pakeStart");
    customer.client.send(pake.result(tech.welcome.participantId, false));
    expect(await tech.client.next("pakeResult")).toMatchObject({ ok: false });

    const before = Date.now();
    tech.client.send(pake.start(custId));
    const refused = await tech.client.next("error");
    expect(refused).toMatchObject({ code: "HANDSHAKE_WAIT" });
    // An hour from the failed start, less the moments since.
    expect(refused.retryAfterS).toBeGreaterThan(HOUR_S - 60);
    expect(refused.retryAfterS).toBeLessThanOrEqual(HOUR_S);
    const throttled = await customer.client.next("handshakeThrottled");
    expect(throttled.failures).toBe(1);
    expect(throttled.retryAt).toBeGreaterThan(before + (HOUR_S - 60) * 1000);
    await customer.client.sync();
    expect(customer.client.received.filter((m) => m.type === "pakeStart")).toHaveLength(1);

    await rewriteRoom(stub, (room) => {
      if (room.handshake.lastStartAt !== null) room.handshake.lastStartAt -= HOUR_S * 1000;
    });
    tech.client.send(pake.start(custId));
    expect(await customer.client.next("pakeStart")).toMatchObject({ from: tech.welcome.participantId });
    expect((await storedRoom(stub)).handshake.failures).toBe(2);
  });

  it("keeps one attempt open at a time: HANDSHAKE_BUSY for another technician until it is 30 s old", async () => {
    const { code } = (await (await requestHelp()).json()) as { code: string };
    const customer = await joinRoom(code, "customer");
    const tina = await joinRoom(code, "technician", (await createTechnician("Tina First")).cookie);
    const sam = await joinRoom(code, "technician", (await createTechnician("Sam Second")).cookie);
    const custId = customer.welcome.participantId;
    tina.client.send(pake.start(custId));
    await customer.client.next("pakeStart");
    sam.client.send(pake.start(custId));
    const busy = await sam.client.next("error");
    expect(busy).toMatchObject({ code: "HANDSHAKE_BUSY" });
    expect(busy.retryAfterS).toBeGreaterThan(0);
    expect(busy.retryAfterS).toBeLessThanOrEqual(30);

    await rewriteRoom(roomStub(code), (room) => {
      room.handshake.lastStartAt = (room.handshake.lastStartAt ?? 0) - 31_000;
      if (room.handshake.open) room.handshake.open.startedAt -= 31_000;
    });
    sam.client.send(pake.start(custId));
    expect(await customer.client.next("pakeStart")).toMatchObject({ from: sam.welcome.participantId });
    // Tina's attempt is over: her next round is refused.
    tina.client.send(pake.finish(custId));
    expect(await tina.client.next("error")).toMatchObject({ code: "HANDSHAKE_REQUIRED" });
  });

  it("charges every start to the technician's and the address's handshake budget, and refuses it when either is spent", async () => {
    const { technician, cookie } = await createTechnician("Gina Guess");
    const { code } = (await (await createSession(cookie)).json()) as { code: string };
    const ip = randomIp();
    const tech = await connect(code, "technician", cookie, ip);
    tech.send(hello(code, "technician"));
    const { participantId: techId } = await tech.next("welcome");
    const customer = await joinRoom(code, "customer");
    const custId = customer.welcome.participantId;

    tech.send(pake.start(custId));
    await customer.client.next("pakeStart");
    // New buckets start full at RATE_HANDSHAKE_PER_MIN (10): one token each is gone.
    expect(await storedBucketOf(technicianKey(technician.id), "handshake")).toMatchObject({ tokens: 9 });
    expect(await storedBucket(ip, "handshake")).toMatchObject({ tokens: 9 });
    customer.client.send(pake.result(techId));
    await tech.next("pakeResult");

    await emptyBucketOf(technicianKey(technician.id), "handshake");
    tech.send(pake.start(custId));
    // An empty bucket of 10 a minute has its next token in 6 s.
    expect(await tech.next("error")).toMatchObject({ code: "RATE_LIMITED", retryAfterS: 6 });
    await customer.client.sync();
    expect(customer.client.received.filter((m) => m.type === "pakeStart")).toHaveLength(1);
  });
});
