import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HelpSession } from "#protocol/sessions.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { joinRoom, ORIGIN, randomIp } from "../helpers/workers/ws.ts";

function getHelp(ip = randomIp()) {
  return SELF.fetch(`${ORIGIN}/api/help`, { method: "POST", headers: { Origin: ORIGIN, "CF-Connecting-IP": ip } });
}

describe("POST /api/help", () => {
  it("creates an anonymous session the first technician to join takes over", async () => {
    const res = await getHelp();
    expect(res.status).toBe(201);
    const { code } = HelpSession.parse(await res.json());
    expect(code).toMatch(/^\d{9}$/);

    const before = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, { headers: { "CF-Connecting-IP": randomIp() } });
    expect(await before.json()).toMatchObject({ code, technician: null, state: "created" });

    const customer = await joinRoom(code, "customer");
    expect(customer.welcome.session.technician).toBeNull();
    expect(customer.welcome.peers).toEqual([]);

    const first = await createTechnician("Tina First");
    const tech = await joinRoom(code, "technician", first.cookie);
    const joined = await customer.client.next("peerJoined");
    expect(joined.peer).toEqual({
      id: tech.welcome.participantId,
      role: "technician",
      name: "Tina First",
      isOwner: true,
      connected: true,
    });
    expect(tech.welcome.session.technician).toMatchObject({ name: "Tina First" });

    const row = await env.DB.prepare("SELECT technician_id FROM sessions WHERE code = ?").bind(code).first();
    expect(row).toEqual({ technician_id: first.technician.id });
    const listed = await SELF.fetch(`${ORIGIN}/api/sessions`, { headers: { Cookie: first.cookie } });
    expect(((await listed.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code)).toContain(code);

    const second = await createTechnician("Sam Second");
    const other = await joinRoom(code, "technician", second.cookie);
    expect(other.welcome.peers.find((p) => p.role === "technician")).toMatchObject({
      name: "Tina First",
      isOwner: true,
    });
    const rowAfter = await env.DB.prepare("SELECT technician_id FROM sessions WHERE code = ?").bind(code).first();
    expect(rowAfter).toEqual({ technician_id: first.technician.id });

    const after = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, { headers: { "CF-Connecting-IP": randomIp() } });
    expect(await after.json()).toMatchObject({ technician: { name: "Tina First" }, state: "connected" });
    for (const c of [customer, tech, other]) c.client.close();
  });

  it("needs no sign-in but is rate-limited per address", async () => {
    const ip = randomIp();
    expect((await getHelp(ip)).status).toBe(201);
    // The address's create bucket, new and so full, has lost exactly one token.
    expect(await storedBucket(ip, "create")).toMatchObject({ tokens: Number(env.RATE_CREATE_PER_MIN) - 1 });
    await emptyBucket(ip, "create");
    const refused = await getHelp(ip);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });

  it("refuses a request from another site", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/help`, { method: "POST", headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
