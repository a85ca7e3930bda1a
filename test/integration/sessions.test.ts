import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { parseConfig } from "../../worker/config.ts";
import { emptyBucket, emptyBucketOf, setBucketOf, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { storedRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import {
  connect,
  createSession,
  joinRoom,
  ORIGIN,
  randomIp,
  roomStub,
  seatProofOf,
  upgrade,
} from "../helpers/workers/ws.ts";

function config() {
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.config;
}

type Created = { code: string; url: string; expiresAt: number };

async function create(cookie: string, body: unknown = {}): Promise<Created> {
  const res = await createSession(cookie, body);
  expect(res.status).toBe(201);
  return res.json();
}

function get(path: string, init: RequestInit = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    ...init,
    headers: { "CF-Connecting-IP": randomIp(), ...(init.headers as Record<string, string>) },
  });
}

describe("POST /api/sessions", () => {
  it("requires a signed-in technician", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("creates a session with a nine-digit code, a join link and its expiry, and records it in D1", async () => {
    const { technician, cookie } = await createTechnician();
    const before = Date.now();
    const created = await create(cookie, { caseNumber: " INC-1234 " });
    expect(created.code).toMatch(/^\d{9}$/);
    expect(created.url).toBe(`${ORIGIN}/j/${created.code}`);
    expect(created.expiresAt).toBeGreaterThanOrEqual(before + config().SESSION_LIFETIME_S * 1000);
    const row = await env.DB.prepare("SELECT * FROM sessions WHERE code = ?").bind(created.code).first();
    expect(row).toMatchObject({
      technician_id: technician.id,
      case_number: "INC-1234",
      expires_at: created.expiresAt,
      ended_at: null,
    });
  });

  it("gives every session its own code", async () => {
    const { cookie } = await createTechnician();
    const a = await create(cookie);
    const b = await create(cookie);
    expect(a.code).not.toBe(b.code);
  });

  it("refuses a case number over 64 characters and unknown fields", async () => {
    const { cookie } = await createTechnician();
    for (const body of [{ caseNumber: "x".repeat(65) }, { caseNumber: "ok", admin: true }]) {
      const res = await createSession(cookie, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    }
  });

  it("refuses a body over 1 KiB with PAYLOAD_TOO_LARGE, and creates nothing", async () => {
    const { cookie } = await createTechnician();
    const res = await createSession(cookie, { customerKeyHash: "K".repeat(43), padding: "x".repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    const listed = await get("/api/sessions", { headers: { Cookie: cookie } });
    expect(await listed.json()).toEqual({ sessions: [] });
  });

  it("requires the hash of the customer's seat key, and stores it in the room", async () => {
    const { cookie } = await createTechnician();
    const missing = await SELF.fetch(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: cookie, "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ caseNumber: "A-1" }),
    });
    expect(missing.status).toBe(400);
    expect((await createSession(cookie, { customerKeyHash: "too-short" })).status).toBe(400);
    const customerKeyHash = "K".repeat(43);
    const { code } = await create(cookie, { customerKeyHash });
    expect((await storedRoom(roomStub(code))).customerKeyHash).toBe(customerKeyHash);
  });

  it("limits each technician to MAX_SESSIONS_PER_TECHNICIAN live sessions", async () => {
    const max = config().MAX_SESSIONS_PER_TECHNICIAN;
    const { cookie } = await createTechnician("Busy Tech");
    const codes: string[] = [];
    for (let i = 0; i < max; i++) codes.push((await create(cookie)).code);
    const refused = await createSession(cookie);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "SESSION_LIMIT" } });

    // Another technician is not affected.
    const other = await createTechnician("Other Tech");
    await create(other.cookie);

    // Ending one frees a place.
    const { client: customer } = await joinRoom(codes[0] as string, "customer");
    customer.send({ type: "end" });
    await customer.next("ended");
    await create(cookie);
  });
});

describe("GET /api/sessions", () => {
  it("lists the technician's own live sessions only", async () => {
    const me = await createTechnician();
    const other = await createTechnician("Someone Else");
    const live = await create(me.cookie, { caseNumber: "A-1" });
    const ended = await create(me.cookie);
    await create(other.cookie);
    const { client } = await joinRoom(ended.code, "technician", me.cookie);
    client.send({ type: "end" });
    await client.next("ended");

    const res = await get("/api/sessions", { headers: { Cookie: me.cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sessions: unknown[] };
    expect(body.sessions).toEqual([
      {
        code: live.code,
        url: live.url,
        caseNumber: "A-1",
        reference: null,
        createdAt: expect.any(Number),
        expiresAt: live.expiresAt,
      },
    ]);
  });

  it("requires a signed-in technician", async () => {
    expect((await get("/api/sessions")).status).toBe(401);
  });
});

describe("GET /api/sessions/:code", () => {
  it("tells the customer's page who is asking, without signing in", async () => {
    const { cookie } = await createTechnician("Grace Hopper");
    const created = await create(cookie, { caseNumber: "C-42" });
    const res = await get(`/api/sessions/${created.code}`, { headers: seatProofOf(created.code) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      code: created.code,
      state: "created",
      technician: { name: "Grace Hopper", organisation: config().ORGANISATION },
      caseNumber: "C-42",
      expiresAt: created.expiresAt,
      // The consent screen states the organisation's recording policy ("ask" in vitest.config.ts).
      recording: "ask",
    });
  });

  it("tells someone who has only the code nothing about the session, not even that it exists", async () => {
    const { cookie } = await createTechnician("Grace Hopper");
    const { code } = await create(cookie, { caseNumber: "C-42" });
    const proofs: Record<string, string>[] = [
      {},
      { [SEAT_PROOF_HEADER]: "A".repeat(43) },
      { [SEAT_PROOF_HEADER]: "x" },
    ];
    const answers = new Set<string>();
    for (const target of [code, "000000001"]) {
      for (const proof of proofs) {
        const res = await get(`/api/sessions/${target}`, { headers: proof });
        const text = await res.text();
        expect(res.status).toBe(403);
        expect(text).toMatch(/SEAT_KEY_INVALID/);
        expect(text).not.toMatch(/Grace|C-42|created|expiresAt/);
        answers.add(`${res.status} ${text}`);
      }
    }
    // A live code and an unknown one, with no proof or a wrong one, get the very same answer.
    expect(answers.size).toBe(1);
  });

  it("answers 410 for an ended session to its customer's page only, and 400 for a malformed code", async () => {
    const { cookie } = await createTechnician();
    const created = await create(cookie);
    const { client } = await joinRoom(created.code, "customer");
    client.send({ type: "end" });
    await client.next("ended");
    const ended = await get(`/api/sessions/${created.code}`, { headers: seatProofOf(created.code) });
    expect(ended.status).toBe(410);
    expect(await ended.json()).toMatchObject({ error: { code: "SESSION_ENDED" } });
    const stranger = await get(`/api/sessions/${created.code}`, { headers: { [SEAT_PROOF_HEADER]: "A".repeat(43) } });
    expect(stranger.status).toBe(403);

    for (const bad of ["12345678", "1234567890", "abcdefghi"]) {
      expect((await get(`/api/sessions/${bad}`)).status).toBe(400);
    }
  });
});

describe("GET /api/sessions/:code/ws", () => {
  it("needs the technician's cookie to join as a technician", async () => {
    const { cookie } = await createTechnician();
    const { code } = await create(cookie);
    const res = await upgrade(code, "technician");
    expect(res.status).toBe(401);
    expect(res.webSocket).toBeNull();
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    expect((await upgrade(code, "technician", "tether_session=forged.token.value")).status).toBe(401);
  });

  it("refuses malformed codes and roles with 400 and plain requests with 426", async () => {
    const { cookie } = await createTechnician();
    const { code } = await create(cookie);
    expect((await upgrade("12345", "customer")).status).toBe(400);
    expect((await upgrade(code, "admin")).status).toBe(400);
    const plain = await get(`/api/sessions/${code}/ws?role=customer`, { headers: { Origin: ORIGIN } });
    expect(plain.status).toBe(426);
  });

  it("refuses an upgrade from a foreign origin", async () => {
    const { cookie } = await createTechnician();
    const { code } = await create(cookie);
    const res = await upgrade(code, "customer", undefined, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("answers an unknown code with SESSION_NOT_FOUND and 1008", async () => {
    const client = await connect("999999998", "customer");
    expect(await client.next("error")).toMatchObject({ code: "SESSION_NOT_FOUND" });
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it("counts joins against the per-address limit, before anything else is checked", async () => {
    const { cookie } = await createTechnician();
    const { code } = await create(cookie);
    const ip = randomIp();
    expect((await upgrade(code, "nobody", undefined, { "CF-Connecting-IP": ip })).status).toBe(400);
    // Charged though refused: the address's join bucket, new and so full, has lost exactly one token.
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: config().RATE_JOIN_PER_MIN - 1 });
    await emptyBucket(ip, "lookup");
    const refused = await upgrade(code, "customer", undefined, { "CF-Connecting-IP": ip });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });
});

describe("code lookups: one budget per client", () => {
  it("charges the session's info, its WebSocket and its ICE servers to the same bucket", async () => {
    const { cookie } = await createTechnician();
    const { code } = await create(cookie);
    const ip = randomIp();
    const from = { "CF-Connecting-IP": ip };
    await setBucketOf(ip, "lookup", 3);
    expect((await get(`/api/sessions/${code}`, { headers: { ...from, ...seatProofOf(code) } })).status).toBe(200);
    expect((await get(`/api/sessions/${code}/ice`, { headers: { ...from, ...seatProofOf(code) } })).status).toBe(200);
    (await connect(code, "customer", undefined, ip)).close();
    // Three lookups of three kinds took the three tokens: a fourth of any kind is refused.
    expect((await get(`/api/sessions/${code}/ice`, { headers: { ...from, ...seatProofOf(code) } })).status).toBe(429);
  });

  it("counts an IPv6 client at its /48 too, so a fresh /64 of a drained /48 is refused", async () => {
    // A /48 of its own per test: the third group is random.
    const group = crypto.getRandomValues(new Uint16Array(1))[0]?.toString(16) ?? "0";
    await emptyBucketOf(`2001:db8:${group}::/48`, "lookup");
    const res = await get("/api/sessions/000000001/ice", {
      headers: { "CF-Connecting-IP": `2001:db8:${group}:77::1` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).not.toBeNull();
  });

  it("keys an IPv4-mapped IPv6 address as the IPv4 address", async () => {
    const ip = randomIp();
    await get("/api/sessions/000000001/ice", { headers: { "CF-Connecting-IP": `::ffff:${ip}` } });
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: config().RATE_JOIN_PER_MIN - 1 });
  });

  it("refuses a request without a client address instead of pooling all of them in one bucket", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/sessions/000000001/ice`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
  });
});
