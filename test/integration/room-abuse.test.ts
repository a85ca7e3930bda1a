import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ServerMessage } from "#protocol/room.ts";
import { ABUSE_BURST } from "../../durable-objects/session/flood.ts";
import { parseConfig } from "../../worker/config.ts";
import { FRAME_WAIT_MS } from "../helpers/frame-queue.ts";
import { storedRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { createSession, customerKeyHashOf, openPair, roomStub } from "../helpers/workers/ws.ts";

const GENEROUS = { maxMessageBytes: 4_096, messagesPerS: 100_000, messageBurst: 100_000 };

function config() {
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.config;
}

/**
 * Limits under which refill cannot decide a flood's verdict: the slowest rate a room accepts (one token a second)
 * against a bucket of 10. The customer's hello and its two handshake frames (pakeReply, pakeResult) spend three
 * tokens, so the first seven candidates always pass; after that a refill may let one through now and then, never in
 * a way that changes what the tests below check.
 */
const TINY = { maxMessageBytes: 4_096, messagesPerS: 1, messageBurst: 10 };
const FIRST_PASSED = TINY.messageBurst - 3;

/** The numbers `i` of the candidates `c<i>` relayed to `received`, in arrival order. */
function relayedIndexes(received: ServerMessage[]): number[] {
  return received.flatMap((m) =>
    m.type === "candidate" && m.candidate ? [Number(m.candidate.candidate.slice(1))] : [],
  );
}

function rateLimited(received: ServerMessage[]): number {
  return received.filter((m) => m.type === "error" && m.code === "RATE_LIMITED").length;
}

/** Sends candidates `c0` .. `c<count - 1>` from `from` to the participant `to`. */
function sendCandidates(from: { send(msg: Record<string, unknown>): void }, to: string, count: number): void {
  for (let i = 0; i < count; i++) from.send({ type: "candidate", to, candidate: { candidate: `c${i}` } });
}

/** What a relay in order looks like: every burst starts with the same prefix, and the numbers only rise. */
function expectRelayedInOrder(indexes: number[]): void {
  expect(indexes.slice(0, FIRST_PASSED)).toEqual(Array.from({ length: FIRST_PASSED }, (_, i) => i));
  expect(indexes).toEqual([...new Set(indexes)].sort((a, b) => a - b));
}

/** 1,000 frames that are each wrong in one of ten ways. */
function malformedFrames(techId: string): (string | ArrayBuffer)[] {
  const kinds: ((i: number) => string | ArrayBuffer)[] = [
    (i) => `{not json ${i}`,
    (i) => JSON.stringify({ type: `nope${i}` }),
    (i) => JSON.stringify({ type: "offer", to: techId, sdp: "x".repeat(5_000 + i) }),
    () => JSON.stringify({ type: "offer", to: techId }),
    () => JSON.stringify({ type: "candidate", to: techId, candidate: "bogus" }),
    () => JSON.stringify({ type: "keyExchange", to: techId, payload: "not base64url!" }),
    () => JSON.stringify({ type: "end", now: true }),
    () => JSON.stringify([1, 2, 3]),
    () => new Uint8Array([0xff, 0xfe, 0x00]).buffer as ArrayBuffer,
    () => JSON.stringify({ type: "answer", to: "x".repeat(40), sdp: "v=0" }),
  ];
  return Array.from({ length: 1_000 }, (_, i) => (kinds[i % kinds.length] as (i: number) => string | ArrayBuffer)(i));
}

describe("room: malformed and excessive traffic", () => {
  it("answers 1,000 malformed frames with 1,000 error frames, changes nothing, and still relays", async () => {
    const { code, stub, tech, customer } = await openPair({ limits: GENEROUS });
    const techId = tech.welcome.participantId;
    for (const frame of malformedFrames(techId)) customer.client.sendRaw(frame);
    const errors = await customer.client.take("error", 1_000);
    const codes = new Set(errors.map((e) => e.code));
    expect(codes).toEqual(new Set(["MESSAGE_INVALID", "MESSAGE_TOO_LARGE"]));
    expect(errors.filter((e) => e.code === "MESSAGE_TOO_LARGE")).toHaveLength(100);

    customer.client.send({ type: "offer", to: techId, sdp: "v=0 still works" });
    expect(await tech.client.next("offer")).toEqual({
      type: "offer",
      from: customer.welcome.participantId,
      sdp: "v=0 still works",
    });
    expect(tech.client.pending()).toEqual([]);
    expect(customer.client.isClosed).toBe(false);
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: true, session: { state: "connected" } });
  });

  it("gives a session created through the Worker the configured per-socket and handshake limits", async () => {
    const { cookie } = await createTechnician();
    const { code } = (await (await createSession(cookie)).json()) as { code: string };
    const { WS_MAX_MESSAGE_BYTES, WS_MESSAGES_PER_S, WS_MESSAGE_BURST } = config();
    const stored = await storedRoom(roomStub(code));
    expect(stored.limits).toEqual({
      maxMessageBytes: WS_MAX_MESSAGE_BYTES,
      messagesPerS: WS_MESSAGES_PER_S,
      messageBurst: WS_MESSAGE_BURST,
    });
    const { HANDSHAKE_BACKOFF_BASE_S, HANDSHAKE_BACKOFF_CAP_S, RATE_HANDSHAKE_PER_MIN } = config();
    expect(stored.handshakeLimits).toEqual({
      backoffBaseS: HANDSHAKE_BACKOFF_BASE_S,
      backoffCapS: HANDSHAKE_BACKOFF_CAP_S,
      perMinute: RATE_HANDSHAKE_PER_MIN,
    });
  });

  it("refuses a burst beyond the bucket with RATE_LIMITED without closing, relaying the rest in order", async () => {
    const { tech, customer } = await openPair({ limits: TINY });
    const sent = 50;
    sendCandidates(customer.client, tech.welcome.participantId, sent);
    // Each frame is either relayed to the technician or refused to the customer; wait until all are accounted for.
    await expect
      .poll(() => relayedIndexes(tech.client.received).length + rateLimited(customer.client.received), {
        timeout: FRAME_WAIT_MS,
      })
      .toBe(sent);
    const relayed = relayedIndexes(tech.client.received);
    expectRelayedInOrder(relayed);
    // Refill lets through one frame a second at most: nowhere near all 41 beyond the bucket.
    expect(relayed.length).toBeLessThan(sent);
    // At most 41 refusals, fewer than the ABUSE_BURST that would close the socket.
    await customer.client.sync();
    expect(customer.client.isClosed).toBe(false);
    expect(customer.client.pending().every((m) => m.type === "error" && m.code === "RATE_LIMITED")).toBe(true);
  });

  it("closes a socket that keeps flooding with 1008, having relayed only what its bucket allowed", async () => {
    const { tech, customer } = await openPair({ limits: TINY });
    // Refused frames spend the socket's tolerated refusals (ABUSE_BURST, refilled at 5/s) far faster than refill
    // gives them back, so 1,000 frames exhaust them unless the room takes over two minutes over them.
    sendCandidates(customer.client, tech.welcome.participantId, 1_000);
    expect((await customer.client.waitClosed()).code).toBe(1008);
    expect(rateLimited(customer.client.received)).toBeGreaterThan(ABUSE_BURST);
    expect((await tech.client.next("peerLeft")).id).toBe(customer.welcome.participantId);
    expectRelayedInOrder(relayedIndexes(tech.client.received));
  });

  it("refuses an oversized frame with MESSAGE_TOO_LARGE without closing", async () => {
    const { tech, customer } = await openPair({ limits: { ...GENEROUS, maxMessageBytes: 1_024 } });
    customer.client.send({ type: "offer", to: tech.welcome.participantId, sdp: "x".repeat(2_000) });
    expect(await customer.client.next("error")).toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    customer.client.send({ type: "offer", to: tech.welcome.participantId, sdp: "x".repeat(900) });
    expect((await tech.client.next("offer")).sdp).toHaveLength(900);
  });
});
