import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IceConfig } from "#protocol/ice.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { createSession, ORIGIN, randomIp, seatProofOf } from "../helpers/workers/ws.ts";

function getIce(code: string, headers: Record<string, string> = {}, ip = randomIp()) {
  return SELF.fetch(`${ORIGIN}/api/sessions/${code}/ice`, { headers: { "CF-Connecting-IP": ip, ...headers } });
}

async function newSession() {
  const { cookie } = await createTechnician();
  const created = (await (await createSession(cookie)).json()) as { code: string; expiresAt: number };
  return { cookie, ...created };
}

describe("GET /api/sessions/:code/ice", () => {
  it("without a relay configured, offers direct connections only, to the customer's page and to technicians", async () => {
    const { code, expiresAt } = await newSession();
    // With the largest file the session lets either side send (FILE_MAX_BYTES, its default here).
    const direct = { iceServers: [], iceTransportPolicy: "all", relay: "none", expiresAt, maxFileBytes: 104_857_600 };
    const customer = await getIce(code, seatProofOf(code));
    expect(customer.status).toBe(200);
    expect(customer.headers.get("cache-control")).toBe("no-store");
    expect(IceConfig.parse(await customer.json())).toEqual(direct);
    // Any signed-in technician: a Get-help session is joined by its code, before anyone owns it.
    const { cookie: other } = await createTechnician();
    const technician = await getIce(code, { Cookie: other });
    expect(technician.status).toBe(200);
    expect(IceConfig.parse(await technician.json())).toEqual(direct);
  });

  it("answers a live code without a right to it exactly as an unknown one", async () => {
    const { code } = await newSession();
    const answers: { status: number; body: string }[] = [];
    const stranger: Record<string, string>[] = [
      {},
      { [SEAT_PROOF_HEADER]: "A".repeat(43) },
      { Cookie: "tether_session=forged.token.value" },
    ];
    for (const target of [code, "000000001"]) {
      for (const headers of stranger) {
        const res = await getIce(target, headers);
        answers.push({ status: res.status, body: await res.text() });
      }
    }
    expect(answers[0]?.status).toBe(403);
    expect(JSON.parse(answers[0]?.body ?? "")).toEqual({
      error: { code: "SEAT_KEY_INVALID", message: expect.any(String) },
    });
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
  });

  it("tells an ended session only to those with a right to it; a malformed code is a 400", async () => {
    const { code, cookie } = await newSession();
    await env.DB.prepare("UPDATE sessions SET ended_at = ? WHERE code = ?").bind(Date.now(), code).run();
    for (const headers of [seatProofOf(code), { Cookie: cookie }]) {
      const ended = await getIce(code, headers);
      expect(ended.status).toBe(410);
      expect(await ended.json()).toMatchObject({ error: { code: "SESSION_ENDED" } });
    }
    expect((await getIce(code)).status).toBe(403);
    const unknown = await getIce("000000001", { Cookie: cookie });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "SESSION_NOT_FOUND" } });
    expect((await getIce("12ab")).status).toBe(400);
  });

  it("is rate-limited per address, in the one bucket of every code lookup, with or without a proof", async () => {
    const ip = randomIp();
    expect((await getIce("000000002", {}, ip)).status).toBe(403);
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: Number(env.RATE_JOIN_PER_MIN) - 1 });
    await emptyBucket(ip, "lookup");
    const { code } = await newSession();
    const res = await getIce(code, seatProofOf(code), ip);
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });
});
