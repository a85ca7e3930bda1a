import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HelpSession } from "#protocol/sessions.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { connect, hello, joinRoom, ORIGIN, randomIp, requestHelp, seatProofOf, verify } from "../helpers/workers/ws.ts";

async function technicianOf(code: string): Promise<unknown> {
  return env.DB.prepare("SELECT technician_id FROM sessions WHERE code = ?").bind(code).first();
}

async function liveCodes(cookie: string): Promise<string[]> {
  const res = await SELF.fetch(`${ORIGIN}/api/sessions`, { headers: { Cookie: cookie } });
  return ((await res.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code);
}

describe("POST /api/help", () => {
  it("creates an anonymous session that belongs to the technician whose handshake the customer confirms", async () => {
    const res = await requestHelp();
    expect(res.status).toBe(201);
    const { code } = HelpSession.parse(await res.json());
    expect(code).toMatch(/^\d{9}$/);

    // Whether a help request is still unclaimed is for its own page to know, not for whoever has the code.
    const guessed = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, { headers: { "CF-Connecting-IP": randomIp() } });
    expect(guessed.status).toBe(403);
    expect(await guessed.text()).not.toMatch(/technician|state|created/);
    const before = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, {
      headers: { "CF-Connecting-IP": randomIp(), ...seatProofOf(code) },
    });
    expect(await before.json()).toMatchObject({ code, technician: null, state: "created" });

    const customer = await joinRoom(code, "customer");
    expect(customer.welcome.session.technician).toBeNull();
    expect(customer.welcome.peers).toEqual([]);

    // Technicians who join are only candidates: no owner, nothing in D1, until the customer's page confirms one.
    const first = await createTechnician("Tina First");
    const tina = await joinRoom(code, "technician", first.cookie);
    expect((await customer.client.next("peerJoined")).peer).toEqual({
      id: tina.welcome.participantId,
      role: "technician",
      name: "Tina First",
      isOwner: false,
      connected: true,
    });
    const second = await createTechnician("Sam Second");
    const sam = await joinRoom(code, "technician", second.cookie);
    await customer.client.next("peerJoined");
    expect(await technicianOf(code)).toEqual({ technician_id: null });
    expect(tina.welcome.session.technician).toBeNull();

    expect(await verify(tina, customer)).toMatchObject({ type: "pakeResult", ok: true });
    expect(await customer.client.next("peerJoined")).toEqual({
      type: "peerJoined",
      peer: { id: tina.welcome.participantId, role: "technician", name: "Tina First", isOwner: true, connected: true },
    });
    expect(await sam.client.next("error")).toMatchObject({ code: "NOT_OWNER" });
    expect((await sam.client.waitClosed()).code).toBe(1008);
    expect(await customer.client.next("peerGone")).toEqual({ type: "peerGone", id: sam.welcome.participantId });

    expect(await technicianOf(code)).toEqual({ technician_id: first.technician.id });
    expect(await liveCodes(first.cookie)).toContain(code);
    expect(await liveCodes(second.cookie)).not.toContain(code);

    const late = await connect(code, "technician", second.cookie);
    late.send(hello(code, "technician"));
    expect(await late.next("error")).toMatchObject({ code: "NOT_OWNER" });

    const after = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, {
      headers: { "CF-Connecting-IP": randomIp(), ...seatProofOf(code) },
    });
    expect(await after.json()).toMatchObject({ technician: { name: "Tina First" }, state: "connected" });
    for (const c of [customer, tina]) c.client.close();
  });

  it("requires the page's seat key hash", async () => {
    for (const body of [{}, { customerKeyHash: "short" }, { customerKeyHash: "h".repeat(43), extra: 1 }]) {
      const res = await SELF.fetch(`${ORIGIN}/api/help`, {
        method: "POST",
        headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    }
  });

  it("refuses a body over 1 KiB with PAYLOAD_TOO_LARGE", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/help`, {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ customerKeyHash: "h".repeat(43), padding: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("needs no sign-in but is rate-limited per address", async () => {
    const ip = randomIp();
    expect((await requestHelp({}, ip)).status).toBe(201);
    // The address's create bucket, new and so full, has lost exactly one token.
    expect(await storedBucket(ip, "create")).toMatchObject({ tokens: Number(env.RATE_CREATE_PER_MIN) - 1 });
    await emptyBucket(ip, "create");
    const refused = await requestHelp({}, ip);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });

  it("refuses a request from another site", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/help`, { method: "POST", headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
