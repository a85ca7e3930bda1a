import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IceConfig } from "#protocol/ice.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { createSession, ORIGIN, randomIp } from "../helpers/workers/ws.ts";

function getIce(code: string, ip = randomIp()) {
  return SELF.fetch(`${ORIGIN}/api/sessions/${code}/ice`, { headers: { "CF-Connecting-IP": ip } });
}

describe("GET /api/sessions/:code/ice", () => {
  it("without a relay configured, offers direct connections only, until the session ends", async () => {
    const { cookie } = await createTechnician();
    const { code, expiresAt } = (await (await createSession(cookie)).json()) as { code: string; expiresAt: number };
    const res = await getIce(code);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(IceConfig.parse(await res.json())).toEqual({
      iceServers: [],
      iceTransportPolicy: "all",
      relay: "none",
      expiresAt,
    });
  });

  it("answers unknown, ended and malformed codes with clear errors", async () => {
    expect(await (await getIce("000000001")).json()).toMatchObject({ error: { code: "SESSION_NOT_FOUND" } });
    const { cookie } = await createTechnician();
    const { code } = (await (await createSession(cookie)).json()) as { code: string };
    await env.DB.prepare("UPDATE sessions SET ended_at = ? WHERE code = ?").bind(Date.now(), code).run();
    const ended = await getIce(code);
    expect(ended.status).toBe(410);
    expect(await ended.json()).toMatchObject({ error: { code: "SESSION_ENDED" } });
    expect((await getIce("12ab")).status).toBe(400);
  });

  it("is rate-limited per address, in the one bucket of every code lookup", async () => {
    const ip = randomIp();
    expect((await getIce("000000002", ip)).status).toBe(404);
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: Number(env.RATE_JOIN_PER_MIN) - 1 });
    await emptyBucket(ip, "lookup");
    const res = await getIce("000000002", ip);
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });
});
