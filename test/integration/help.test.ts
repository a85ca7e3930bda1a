import { runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HelpSession } from "#protocol/sessions.ts";
import type { SessionRoom } from "../../durable-objects/session/SessionRoom.ts";
import { purgeSessions, recordSessionOwner } from "../../worker/db/sessions.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { rewriteRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import {
  connect,
  customerKeyHashOf,
  hello,
  joinRoom,
  ORIGIN,
  randomIp,
  requestHelp,
  roomStub,
  seatProofOf,
  verify,
} from "../helpers/workers/ws.ts";

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

  // The deadline itself is unit-tested on the injected clock (room-unclaimed.test.ts); here, what only workerd shows:
  // the object's alarm ends it, D1 loses its row and the object its storage.
  it("ends unclaimed at HELP_CLAIM_TIMEOUT_S, then deletes its row and its room's storage", async () => {
    const res = await requestHelp();
    const { code } = HelpSession.parse(await res.json());
    const customer = await joinRoom(code, "customer");
    const stub = roomStub(code);
    await rewriteRoom(stub, (room, now) => {
      expect(room.claimBy).toBe(room.createdAt + 600_000);
      room.claimBy = now - 1;
    });
    await runDurableObjectAlarm(stub);
    expect(await customer.client.next("ended")).toEqual({ type: "ended", reason: "expired" });
    expect((await customer.client.waitClosed()).code).toBe(1000);
    // The purge is due at once: the next alarm run carries it out.
    await runDurableObjectAlarm(stub);
    expect(await technicianOf(code)).toBeNull();
    const stored = await runInDurableObject(stub, async (_room: SessionRoom, state) => ({
      alarm: await state.storage.getAlarm(),
      rows: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'room_record'").toArray().length,
    }));
    expect(stored.alarm).toBeNull();
    expect(stored.rows).toBe(0);
    expect(await stub.info(customerKeyHashOf(code))).toMatchObject({ ok: false, code: "SESSION_NOT_FOUND" });
  });
});

describe("the sessions table", () => {
  it("loses rows SESSION_RETENTION_S after they expired, a few at each creation", async () => {
    // Times near the epoch: no other test's row is this old.
    for (let i = 1; i <= 3; i++) {
      await env.DB.prepare("INSERT INTO sessions (code, created_at, expires_at) VALUES (?, ?, ?)")
        .bind(`90000000${i}`, i, 1_000 + i)
        .run();
    }
    expect(await purgeSessions(env.DB, 1_002.5, 10)).toBe(2);
    expect(await technicianOf("900000003")).toEqual({ technician_id: null });
    // Creating a session purges what is older than the retention (30 days by default).
    expect((await requestHelp()).status).toBe(201);
    expect(await technicianOf("900000003")).toBeNull();
  });

  it("takes the owner the room confirmed, whatever the row said before", async () => {
    const { code } = HelpSession.parse(await (await requestHelp()).json());
    const [tina, sam] = [await createTechnician("Tina First"), await createTechnician("Sam Second")];
    await recordSessionOwner(env.DB, code, tina.technician.id);
    expect(await technicianOf(code)).toEqual({ technician_id: tina.technician.id });
    // The room alone decides; a row that disagrees with it follows it.
    await recordSessionOwner(env.DB, code, sam.technician.id);
    expect(await technicianOf(code)).toEqual({ technician_id: sam.technician.id });
    // A technician removed meanwhile is not written, and the write does not fail (the alarm would retry for ever).
    await recordSessionOwner(env.DB, code, "removed-technician");
    expect(await technicianOf(code)).toEqual({ technician_id: sam.technician.id });
  });
});
