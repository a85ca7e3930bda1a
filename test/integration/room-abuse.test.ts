import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../worker/config.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { createSession, joinRoom, openPair } from "../helpers/workers/ws.ts";

const GENEROUS = { maxMessageBytes: 4_096, messagesPerS: 100_000, messageBurst: 100_000 };

function config() {
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.config;
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
    const { stub, tech, customer } = await openPair({ limits: GENEROUS });
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
    expect(await stub.info()).toMatchObject({ ok: true, session: { state: "connected" } });
  });

  it("refuses a burst over WS_MESSAGE_BURST with RATE_LIMITED, relaying only what the bucket allowed", async () => {
    const { cookie } = await createTechnician();
    const res = await createSession(cookie);
    const { code } = (await res.json()) as { code: string };
    const tech = await joinRoom(code, "technician", cookie);
    const customer = await joinRoom(code, "customer");
    const burst = config().WS_MESSAGE_BURST;
    const sent = burst + 45;
    for (let i = 0; i < sent; i++) {
      customer.client.send({ type: "candidate", to: tech.welcome.participantId, candidate: { candidate: `c${i}` } });
    }
    customer.client.send({ type: "keyExchange", to: tech.welcome.participantId, payload: "done" });
    const firstLimited = await customer.client.next("error");
    expect(firstLimited).toMatchObject({ code: "RATE_LIMITED" });
    // Refill during the burst may let a few more through, but never all of them.
    const relayed = await tech.client.take("candidate", burst);
    expect(relayed.at(-1)).toMatchObject({ candidate: { candidate: `c${burst - 1}` } });
    const limited = customer.client.received.filter((m) => m.type === "error" && m.code === "RATE_LIMITED").length;
    expect(limited).toBeGreaterThan(0);
    expect(customer.client.isClosed).toBe(false);
  });

  it("closes a socket that keeps flooding with 1008", async () => {
    const { tech, customer } = await openPair({
      limits: { maxMessageBytes: 65_536, messagesPerS: 5, messageBurst: 10 },
    });
    for (let i = 0; i < 300; i++)
      customer.client.send({ type: "candidate", to: tech.welcome.participantId, candidate: null });
    expect((await customer.client.waitClosed()).code).toBe(1008);
    expect(
      customer.client.received.filter((m) => m.type === "error" && m.code === "RATE_LIMITED").length,
    ).toBeGreaterThan(10);
    expect((await tech.client.next("peerLeft")).id).toBe(customer.welcome.participantId);
    expect(tech.client.received.filter((m) => m.type === "candidate").length).toBeLessThanOrEqual(12);
  });

  it("refuses an oversized frame with MESSAGE_TOO_LARGE without closing", async () => {
    const { tech, customer } = await openPair({ limits: { ...GENEROUS, maxMessageBytes: 1_024 } });
    customer.client.send({ type: "offer", to: tech.welcome.participantId, sdp: "x".repeat(2_000) });
    expect(await customer.client.next("error")).toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    customer.client.send({ type: "offer", to: tech.welcome.participantId, sdp: "x".repeat(900) });
    expect((await tech.client.next("offer")).sdp).toHaveLength(900);
  });
});
