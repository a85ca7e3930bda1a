import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionSummary } from "#protocol/room.ts";
import { type CreatedSession, SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { HELLO_TIMEOUT_MS } from "../../durable-objects/session/state.ts";
import { completeHandshake, newSeatKey, pake } from "../helpers/handshake.ts";
import { type RoomSocket, upgrade } from "../helpers/node/room-socket.ts";
import {
  DENO_RUN_FLAGS,
  SERVER_NAMES,
  type ServerName,
  startServer,
  type TestServer,
} from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// The same rendezvous over real sockets against both hosts: `wrangler dev` (Workers, Durable Objects, D1) and the
// Deno host (in-process rooms on the same RoomHost, SQLite). Every block below runs once per server.

const startups: { name: ServerName; startupMs: number }[] = [];

// Generous limits: these tests come from one address and open many sessions; the limits have their own tests.
const VARS = {
  MAX_SESSIONS_PER_TECHNICIAN: "100",
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  RATE_HANDSHAKE_PER_MIN: "1000",
  REJOIN_GRACE_S: "60",
  // A failed handshake makes the next wait an hour, so that a refusal never depends on how fast the machine is.
  HANDSHAKE_BACKOFF_BASE_S: "3600",
  HANDSHAKE_BACKOFF_CAP_S: "86400",
};

afterAll(() => {
  for (const { name, startupMs } of startups) console.log(`${name} answered /health ${startupMs} ms after spawn`);
});

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  let owner: SignedIn;

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
    startups.push({ name, startupMs: server.startupMs });
    owner = await enrolTechnician(server, "Olivia Owner");
  });

  afterAll(async () => {
    await server?.stop();
  });

  function wsUrl(code: string, role: "customer" | "technician"): string {
    return `${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=${role}`;
  }

  async function connect(code: string, role: "customer" | "technician", cookie?: string): Promise<RoomSocket> {
    const result = await upgrade(wsUrl(code, role), { Origin: server.origin, ...(cookie ? { Cookie: cookie } : {}) });
    if (!result.ok) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
    return result.socket;
  }

  /** The customer's seat key of each session these helpers created: what the page holding the secret presents. */
  const seatKeys = new Map<string, string>();
  /** And its hash, with which the customer's page reads GET /api/sessions/:code. */
  const seatProofs = new Map<string, string>();

  /** GET /api/sessions/:code as the customer's page of `code`. */
  function describeSession(code: string) {
    return fetch(`${server.origin}/api/sessions/${code}`, {
      headers: { [SEAT_PROOF_HEADER]: seatProofs.get(code) ?? "A".repeat(43) },
    });
  }

  /** The hello a participant sends; a customer presents the session's seat key. */
  function hello(code: string, role: "customer" | "technician", resume?: string) {
    const seatKey = role === "customer" ? seatKeys.get(code) : undefined;
    return { type: "hello", version: 1, ...(resume ? { resume } : {}), ...(seatKey ? { seatKey } : {}) } as const;
  }

  async function join(code: string, role: "customer" | "technician", cookie?: string, resume?: string) {
    const socket = await connect(code, role, cookie);
    socket.send(hello(code, role, resume));
    return { socket, welcome: await socket.next("welcome") };
  }

  /** POST /api/sessions as the owner, registering a fresh seat key's hash. */
  async function createSession(body: Record<string, unknown> = {}): Promise<CreatedSession> {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/sessions", { ...body, customerKeyHash }, owner.cookie);
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreatedSession;
    seatKeys.set(created.code, seatKey);
    seatProofs.set(created.code, customerKeyHash);
    return created;
  }

  /** POST /api/help as a customer's page, registering a fresh seat key's hash. */
  async function requestHelp(): Promise<string> {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/help", { customerKeyHash });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    seatKeys.set(code, seatKey);
    seatProofs.set(code, customerKeyHash);
    return code;
  }

  type Seated = Awaited<ReturnType<typeof join>>;

  /** The handshake's four frames between a seated technician and the customer (made up, well formed). */
  function verify(tech: Seated, customer: Seated, ok = true) {
    return completeHandshake(
      { side: tech.socket, id: tech.welcome.participantId },
      { side: customer.socket, id: customer.welcome.participantId },
      ok,
    );
  }

  /** A fresh session with its owner and a customer both seated, the owner's handshake confirmed. */
  async function openPair({ isVerified = true } = {}) {
    const { code } = await createSession({ caseNumber: "CASE-9" });
    const tech = await join(code, "technician", owner.cookie);
    const customer = await join(code, "customer");
    expect(await tech.socket.next("peerJoined")).toMatchObject({ peer: { role: "customer", connected: true } });
    expect(await tech.socket.next("state")).toEqual({ type: "state", state: "connected" });
    if (isVerified) await verify(tech, customer);
    return { code, tech, customer };
  }

  describe("HTTP", () => {
    it("answers /health with the security headers", async () => {
      const res = await fetch(`${server.origin}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    });

    it("answers unknown API paths with a JSON error", async () => {
      const res = await fetch(`${server.origin}/api/nope`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    });

    it("serves the client's pages with the CSP, redirects .html, and 404s what is not there", async () => {
      const page = await fetch(`${server.origin}/sign-in`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(await page.text()).toContain("<html");
      const join = await fetch(`${server.origin}/j/123456789`);
      expect(join.status).toBe(200);
      const scriptPath = /<script type="module" src="(\/assets\/join-\w{8}\.js)">/.exec(await join.text())?.[1];
      const script = await fetch(`${server.origin}${scriptPath}`);
      expect(script.headers.get("content-type")).toContain("javascript");
      const redirect = await fetch(`${server.origin}/console.html`, { redirect: "manual" });
      expect(redirect.status).toBe(307);
      expect(redirect.headers.get("location")).toBe("/console");
      for (const path of ["/j/12345", "/j/ABC", "/j/"]) {
        // A damaged link gets the customer's page, which says how to get a working one, as a 404.
        const damaged = await fetch(`${server.origin}${path}`);
        expect(damaged.status, path).toBe(404);
        expect(await damaged.text(), path).toContain(`src="${scriptPath}"`);
      }
      expect((await fetch(`${server.origin}/nope.js`)).status).toBe(404);
    });

    it("answers a large body sent to a page's path with 404 or 405, never a server error", async () => {
      // Forwarded unread to the asset fetch, such a body made about one in three of these end in a 500 under wrangler.
      const paths = ["/sign-in", "/j/123456789", "/nope.js"];
      const answers = await Promise.all(
        [...paths, ...paths, ...paths].map(async (path) => {
          const res = await fetch(`${server.origin}${path}`, { method: "DELETE", body: "x".repeat(2_000_000) });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      for (const status of answers) expect([404, 405]).toContain(status);
    });
  });

  describe("sessions", () => {
    it("refuses to create a session without a sign-in, or from another origin", async () => {
      const anonymous = await postJson(server, "/api/sessions", { customerKeyHash: "h".repeat(43) });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
      const foreign = await fetch(`${server.origin}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example", cookie: owner.cookie },
        body: "{}",
      });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toMatchObject({ error: { code: "ORIGIN_NOT_ALLOWED" } });
    });

    it("lets a technician enrolled with a passkey create a session the customer's page can describe", async () => {
      const me = await fetch(`${server.origin}/api/me`, { headers: { cookie: owner.cookie } });
      expect(await me.json()).toMatchObject({ technician: { name: "Olivia Owner", isAdmin: true } });
      const created = await createSession({ caseNumber: "INC-42" });
      expect(created.code).toMatch(/^\d{9}$/);
      expect(created.url).toBe(`${server.origin}/j/${created.code}`);
      const described = await describeSession(created.code);
      expect(described.status).toBe(200);
      expect((await described.json()) as SessionSummary).toMatchObject({
        code: created.code,
        state: "created",
        technician: { name: "Olivia Owner" },
        caseNumber: "INC-42",
        expiresAt: created.expiresAt,
      });
      const listed = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: owner.cookie } });
      expect(((await listed.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code)).toContain(
        created.code,
      );
    });
  });

  describe("rendezvous", () => {
    it("seats the technician and the customer: welcome, peers, and the state both see", async () => {
      const { code } = await createSession({ caseNumber: "CASE-1" });
      const tech = await join(code, "technician", owner.cookie);
      expect(tech.welcome).toMatchObject({ role: "technician", peers: [], session: { code, state: "waiting" } });
      const customer = await join(code, "customer");
      expect(customer.welcome).toMatchObject({
        role: "customer",
        session: { state: "connected", caseNumber: "CASE-1" },
      });
      expect(customer.welcome.peers).toEqual([
        { id: tech.welcome.participantId, role: "technician", name: "Olivia Owner", isOwner: true, connected: true },
      ]);
      expect(await tech.socket.next("peerJoined")).toEqual({
        type: "peerJoined",
        peer: { id: customer.welcome.participantId, role: "customer", connected: true },
      });
      expect(await tech.socket.next("state")).toEqual({ type: "state", state: "connected" });
    });

    it("relays offer, answer, candidate and keyExchange both ways with the sender as from", async () => {
      const { tech, customer } = await openPair();
      const techId = tech.welcome.participantId;
      const custId = customer.welcome.participantId;
      const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", sdpMid: "0" };
      customer.socket.send({ type: "keyExchange", to: techId, payload: "Y3VzdG9tZXI" });
      customer.socket.send({ type: "offer", to: techId, sdp: "v=0 customer" });
      customer.socket.send({ type: "candidate", to: techId, candidate });
      customer.socket.send({ type: "candidate", to: techId, candidate: null });
      tech.socket.send({ type: "keyExchange", to: custId, payload: "dGVjaA" });
      tech.socket.send({ type: "answer", to: custId, sdp: "v=0 tech" });
      tech.socket.send({ type: "candidate", to: custId, candidate });

      expect(await tech.socket.next("keyExchange")).toEqual({
        type: "keyExchange",
        from: custId,
        payload: "Y3VzdG9tZXI",
      });
      expect(await tech.socket.next("offer")).toEqual({ type: "offer", from: custId, sdp: "v=0 customer" });
      expect(await tech.socket.take("candidate", 2)).toEqual([
        { type: "candidate", from: custId, candidate },
        { type: "candidate", from: custId, candidate: null },
      ]);
      expect(await customer.socket.next("keyExchange")).toEqual({
        type: "keyExchange",
        from: techId,
        payload: "dGVjaA",
      });
      expect(await customer.socket.next("answer")).toEqual({ type: "answer", from: techId, sdp: "v=0 tech" });
      expect(await customer.socket.next("candidate")).toEqual({ type: "candidate", from: techId, candidate });
    });

    it("takes binary frames that hold UTF-8 JSON", async () => {
      const { tech, customer } = await openPair();
      const frame = JSON.stringify({ type: "offer", to: tech.welcome.participantId, sdp: "v=0 binary" });
      customer.socket.sendRaw(new TextEncoder().encode(frame));
      expect(await tech.socket.next("offer")).toMatchObject({ sdp: "v=0 binary" });
    });

    it("refuses a second customer with SEAT_TAKEN and closes it with 1008", async () => {
      const { code, tech } = await openPair();
      const intruder = await connect(code, "customer");
      intruder.send(hello(code, "customer"));
      expect(await intruder.next("error")).toMatchObject({ code: "SEAT_TAKEN" });
      expect((await intruder.waitClosed()).code).toBe(1008);
      await tech.socket.sync();
      expect(tech.socket.received.filter((m) => m.type === "peerJoined")).toHaveLength(1);
    });

    it("answers malformed frames with error frames and keeps relaying", async () => {
      const { tech, customer } = await openPair();
      const techId = tech.welcome.participantId;
      const frames: (string | Uint8Array)[] = [
        "{not json",
        JSON.stringify({ type: "nope" }),
        JSON.stringify({ type: "offer", to: techId }),
        JSON.stringify({ type: "offer", to: techId, sdp: "v=0", extra: true }),
        JSON.stringify({ type: "keyExchange", to: techId, payload: "not base64url!" }),
        JSON.stringify([1, 2, 3]),
        new Uint8Array([0xff, 0xfe, 0x00]),
        JSON.stringify({ type: "offer", to: techId, sdp: "x".repeat(70_000) }),
      ];
      for (const frame of frames) customer.socket.sendRaw(frame);
      const errors = await customer.socket.take("error", frames.length);
      expect(errors.map((e) => e.code)).toEqual([
        ...Array(frames.length - 1).fill("MESSAGE_INVALID"),
        "MESSAGE_TOO_LARGE",
      ]);
      customer.socket.send({ type: "offer", to: techId, sdp: "v=0 still works" });
      expect(await tech.socket.next("offer")).toEqual({
        type: "offer",
        from: customer.welcome.participantId,
        sdp: "v=0 still works",
      });
      expect(tech.socket.pending()).toEqual([]);
      expect(customer.socket.isClosed).toBe(false);
    });

    it("refuses a customer without the session's seat key with SEAT_KEY_INVALID and 1008", async () => {
      const { code } = await createSession();
      const tech = await join(code, "technician", owner.cookie);
      for (const seatKey of [undefined, (await newSeatKey()).seatKey]) {
        const stranger = await connect(code, "customer");
        stranger.send({ type: "hello", version: 1, ...(seatKey ? { seatKey } : {}) });
        expect(await stranger.next("error")).toMatchObject({ code: "SEAT_KEY_INVALID" });
        expect((await stranger.waitClosed()).code).toBe(1008);
      }
      await tech.socket.sync();
      expect(tech.socket.received.some((m) => m.type === "peerJoined")).toBe(false);
    });

    it("refuses a technician who does not own the session with NOT_OWNER and 1008", async () => {
      const { code } = await openPair();
      const other = await enrolTechnician(server, "Evan Extra", false);
      const extra = await connect(code, "technician", other.cookie);
      extra.send(hello(code, "technician"));
      expect(await extra.next("error")).toMatchObject({ code: "NOT_OWNER" });
      expect((await extra.waitClosed()).code).toBe(1008);
    });

    it("relays no offer before the customer confirmed the technician: HANDSHAKE_REQUIRED", async () => {
      const { tech, customer } = await openPair({ isVerified: false });
      customer.socket.send({ type: "offer", to: tech.welcome.participantId, sdp: "v=0 too early" });
      expect(await customer.socket.next("error")).toMatchObject({ code: "HANDSHAKE_REQUIRED" });
      await tech.socket.sync();
      expect(tech.socket.received.some((m) => m.type === "offer")).toBe(false);
    });

    it("refuses a start after a failed handshake with HANDSHAKE_WAIT and the seconds to wait, and tells the customer", async () => {
      const { tech, customer } = await openPair({ isVerified: false });
      expect(await verify(tech, customer, false)).toMatchObject({ type: "pakeResult", ok: false });
      const before = Date.now();
      tech.socket.send(pake.start(customer.welcome.participantId));
      const refused = await tech.socket.next("error");
      expect(refused.code).toBe("HANDSHAKE_WAIT");
      // HANDSHAKE_BACKOFF_BASE_S is an hour here: an hour from the failed start, less the moments since.
      expect(refused.retryAfterS).toBeGreaterThan(3_600 - 60);
      expect(refused.retryAfterS).toBeLessThanOrEqual(3_600);
      const throttled = await customer.socket.next("handshakeThrottled");
      expect(throttled.failures).toBe(1);
      expect(throttled.retryAt).toBeGreaterThan(before + (3_600 - 60) * 1_000);
      await customer.socket.sync();
      expect(customer.socket.received.filter((m) => m.type === "pakeStart")).toHaveLength(1);
    });

    it("gives a help request to the technician the customer confirmed, in D1 too, and removes the others", async () => {
      const code = await requestHelp();
      const customer = await join(code, "customer");
      const other = await enrolTechnician(server, "Sam Second", false);
      const tina = await join(code, "technician", owner.cookie);
      const sam = await join(code, "technician", other.cookie);
      expect(tina.welcome.session.technician).toBeNull();
      expect(await customer.socket.take("peerJoined", 2)).toMatchObject([
        { peer: { name: "Olivia Owner", isOwner: false } },
        { peer: { name: "Sam Second", isOwner: false } },
      ]);

      expect(await verify(tina, customer)).toMatchObject({ ok: true });
      expect(await customer.socket.next("peerJoined")).toEqual({
        type: "peerJoined",
        peer: {
          id: tina.welcome.participantId,
          role: "technician",
          name: "Olivia Owner",
          isOwner: true,
          connected: true,
        },
      });
      expect(await sam.socket.next("error")).toMatchObject({ code: "NOT_OWNER" });
      expect((await sam.socket.waitClosed()).code).toBe(1008);
      expect(await customer.socket.next("peerGone")).toEqual({ type: "peerGone", id: sam.welcome.participantId });

      // The sessions table lists it as the owner's now (recorded by the room, not by a join).
      const listed = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: owner.cookie } });
      expect(((await listed.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code)).toContain(code);
      const described = await describeSession(code);
      expect(await described.json()).toMatchObject({ technician: { name: "Olivia Owner" } });
      const late = await connect(code, "technician", other.cookie);
      late.send(hello(code, "technician"));
      expect(await late.next("error")).toMatchObject({ code: "NOT_OWNER" });

      customer.socket.send({ type: "offer", to: tina.welcome.participantId, sdp: "v=0 help" });
      expect(await tina.socket.next("offer")).toMatchObject({ from: customer.welcome.participantId });
    });

    it("gives a help request that two technicians claim at once to one of them, in the room and in D1 alike", async () => {
      const code = await requestHelp();
      const customer = await join(code, "customer");
      const other = await enrolTechnician(server, "Sam Second", false);
      const [tina, sam] = await Promise.all([
        join(code, "technician", owner.cookie),
        join(code, "technician", other.cookie),
      ]);
      await customer.socket.take("peerJoined", 2);
      // Both start at once; one start reaches the customer, the other is told to wait.
      tina.socket.send(pake.start(customer.welcome.participantId));
      sam.socket.send(pake.start(customer.welcome.participantId));
      const start = await customer.socket.next("pakeStart");
      const [winner, loser, winnerName, loserCookie, winnerCookie] =
        start.from === tina.welcome.participantId
          ? [tina, sam, "Olivia Owner", other.cookie, owner.cookie]
          : [sam, tina, "Sam Second", owner.cookie, other.cookie];
      expect(await loser.socket.next("error")).toMatchObject({ code: "HANDSHAKE_BUSY" });
      customer.socket.send(pake.reply(winner.welcome.participantId));
      await winner.socket.next("pakeReply");
      winner.socket.send(pake.finish(customer.welcome.participantId));
      await customer.socket.next("pakeFinish");
      // The confirmation and the loser's second try race.
      customer.socket.send(pake.result(winner.welcome.participantId));
      loser.socket.send(pake.start(customer.welcome.participantId));
      expect(await winner.socket.next("pakeResult")).toMatchObject({ ok: true });
      expect((await loser.socket.waitClosed()).code).toBe(1008);
      expect(
        loser.socket.received.filter((m) => m.type === "error").map((m) => m.type === "error" && m.code),
      ).toContain("NOT_OWNER");
      await customer.socket.sync();
      expect(customer.socket.received.filter((m) => m.type === "pakeStart")).toHaveLength(1);

      const listed = async (cookie: string) => {
        const res = await fetch(`${server.origin}/api/sessions`, { headers: { cookie } });
        return ((await res.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code);
      };
      expect(await listed(winnerCookie)).toContain(code);
      expect(await listed(loserCookie)).not.toContain(code);
      const described = await describeSession(code);
      expect(await described.json()).toMatchObject({ technician: { name: winnerName } });
    });

    // The deadline itself is tested on the room's injected clock (room-host.test.ts); here, that each host's alarm
    // carries it out on a real socket. wrangler dev holds the TCP connection of a socket that never sent a frame until
    // its object hibernates (about 10 s after the close frame), so the close may take that much longer to complete.
    it("tells a socket that never says hello why, and closes it at the hello deadline", async () => {
      const code = await requestHelp();
      const silent = await connect(code, "customer");
      const openedAt = performance.now();
      expect(await silent.next("error")).toEqual({
        type: "error",
        code: "MESSAGE_INVALID",
        message: "No hello received in time.",
      });
      // Never early (the server accepted it a little before this side saw it open).
      expect(performance.now() - openedAt).toBeGreaterThan(HELLO_TIMEOUT_MS - 1_000);
      expect(await silent.waitClosed()).toEqual({ code: 1008, reason: "No hello received in time." });
    });

    it("does not pass a reconnect storm on to the others: beyond RATE_REJOIN_PER_MIN the hello is refused", async () => {
      const { code, tech, customer } = await openPair();
      await tech.socket.sync();
      const from = tech.socket.received.length;
      let resume = customer.welcome.resume;
      let current = customer.socket;
      const started = performance.now();
      let refused = 0;
      for (let i = 0; i < 20; i++) {
        current.close();
        await current.waitClosed();
        const next = await connect(code, "customer");
        next.send(hello(code, "customer", resume));
        const answer = await next.next();
        if (answer.type === "welcome") {
          resume = answer.resume;
          current = next;
        } else {
          expect(answer).toMatchObject({ type: "error", code: "RATE_LIMITED", retryAfterS: expect.any(Number) });
          expect((await next.waitClosed()).code).toBe(1008);
          refused++;
          current = next;
        }
      }
      await tech.socket.sync();
      const presence = tech.socket.received.slice(from).filter((m) => m.type === "peerJoined" || m.type === "peerLeft");
      // 6 at once, then one every 10 s: whatever this machine's speed, no more than the budget allowed.
      const allowed = 6 + Math.ceil((performance.now() - started) / 10_000);
      expect(refused).toBeGreaterThan(0);
      expect(presence.filter((m) => m.type === "peerJoined").length).toBeLessThanOrEqual(allowed);
      expect(presence.filter((m) => m.type === "peerLeft").length).toBeLessThanOrEqual(allowed + 1);
    });

    it("answers an unsupported protocol version with UNSUPPORTED_VERSION and 1008", async () => {
      const { code } = await createSession();
      const socket = await connect(code, "customer");
      socket.send({ type: "hello", version: 99 });
      expect(await socket.next("error")).toMatchObject({ code: "UNSUPPORTED_VERSION" });
      expect((await socket.waitClosed()).code).toBe(1008);
    });

    it("answers keep-alive pings with pong", async () => {
      const { customer } = await openPair();
      await customer.socket.sync();
      expect(customer.socket.pongs).toBe(1);
    });

    it("gives a dropped customer its seat back with its resume token", async () => {
      const { code, tech, customer } = await openPair();
      const custId = customer.welcome.participantId;
      const droppedAt = Date.now();
      customer.socket.terminate();
      const left = await tech.socket.next("peerLeft");
      expect(left.id).toBe(custId);
      // The grace period counts from the moment the server saw the drop.
      const graceMs = Number(VARS.REJOIN_GRACE_S) * 1000;
      expect(left.rejoinBy).toBeGreaterThanOrEqual(droppedAt + graceMs);
      expect(left.rejoinBy).toBeLessThanOrEqual(Date.now() + graceMs);
      const back = await join(code, "customer", undefined, customer.welcome.resume);
      expect(back.welcome.participantId).toBe(custId);
      expect(back.welcome.resume).not.toBe(customer.welcome.resume);
      expect(await tech.socket.next("peerJoined")).toMatchObject({ peer: { id: custId, connected: true } });
      tech.socket.send({ type: "offer", to: custId, sdp: "v=0 again" });
      expect(await back.socket.next("offer")).toMatchObject({ from: tech.welcome.participantId, sdp: "v=0 again" });
    });

    it("keeps a session through a server restart: both sides take their seats back with their tokens", async () => {
      const { code, tech, customer } = await openPair();
      await server.restart();
      await tech.socket.waitClosed();
      await customer.socket.waitClosed();
      const techBack = await join(code, "technician", owner.cookie, tech.welcome.resume);
      expect(techBack.welcome.participantId).toBe(tech.welcome.participantId);
      // The customer's seat is held for it, not handed to someone else.
      expect(techBack.welcome.peers).toEqual([
        { id: customer.welcome.participantId, role: "customer", connected: false },
      ]);
      const custBack = await join(code, "customer", undefined, customer.welcome.resume);
      expect(custBack.welcome.participantId).toBe(customer.welcome.participantId);
      expect(custBack.welcome.session.state).toBe("connected");
      expect(await techBack.socket.next("peerJoined")).toMatchObject({ peer: { id: customer.welcome.participantId } });
      custBack.socket.send({ type: "offer", to: techBack.welcome.participantId, sdp: "v=0 after restart" });
      expect(await techBack.socket.next("offer")).toMatchObject({ from: customer.welcome.participantId });
    });

    it("ends for both sides when the customer ends it, and refuses joins afterwards", async () => {
      const { code, tech, customer } = await openPair();
      customer.socket.send({ type: "end" });
      expect(await tech.socket.next("ended")).toEqual({ type: "ended", reason: "ended_by_customer" });
      expect(await customer.socket.next("ended")).toEqual({ type: "ended", reason: "ended_by_customer" });
      expect((await tech.socket.waitClosed()).code).toBe(1000);
      expect((await customer.socket.waitClosed()).code).toBe(1000);
      const late = await connect(code, "customer");
      expect(await late.next("error")).toMatchObject({ code: "SESSION_ENDED" });
      expect((await late.waitClosed()).code).toBe(1008);
      expect((await describeSession(code)).status).toBe(410);
    });

    it("keeps a session whose customer said leaving and came back with its token (a reload)", async () => {
      const { code, tech, customer } = await openPair();
      customer.socket.send({ type: "leaving" });
      customer.socket.terminate();
      expect(await tech.socket.next("peerLeft")).toMatchObject({ id: customer.welcome.participantId });
      const back = await join(code, "customer", undefined, customer.welcome.resume);
      expect(back.welcome.participantId).toBe(customer.welcome.participantId);
      expect(back.welcome.session.state).toBe("connected");
      expect((await describeSession(code)).status).toBe(200);
    });

    it("lets the owner extend the lifetime: both hear the new end, and the sessions table lists it", async () => {
      const { code, tech, customer } = await openPair();
      const before = tech.welcome.session.expiresAt;
      // wrangler.toml's limits: a lifetime of an hour, at most four.
      customer.socket.send({ type: "extend" });
      expect(await customer.socket.next("error")).toMatchObject({ code: "WRONG_ROLE" });
      tech.socket.send({ type: "extend" });
      const extended = { type: "extended", expiresAt: before + 3_600_000, canExtend: true };
      expect(await tech.socket.next("extended")).toEqual(extended);
      expect(await customer.socket.next("extended")).toEqual(extended);
      await expect
        .poll(async () => {
          const listed = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: owner.cookie } });
          const { sessions } = (await listed.json()) as { sessions: { code: string; expiresAt: number }[] };
          return sessions.find((s) => s.code === code)?.expiresAt;
        })
        .toBe(before + 3_600_000);
    });

    it("refuses an unknown code: SESSION_NOT_FOUND on the socket", async () => {
      const socket = await connect("000000001", "customer");
      expect(await socket.next("error")).toMatchObject({ code: "SESSION_NOT_FOUND" });
      expect((await socket.waitClosed()).code).toBe(1008);
    });

    it("answers a live code's details and ICE servers only to its customer's page and technicians", async () => {
      const { code } = await createSession();
      const ice = (target: string, headers: Record<string, string> = {}) =>
        fetch(`${server.origin}/api/sessions/${target}/ice`, { headers });
      expect((await ice(code, { [SEAT_PROOF_HEADER]: seatProofs.get(code) ?? "" })).status).toBe(200);
      expect((await ice(code, { Cookie: owner.cookie })).status).toBe(200);
      // Without a right to the session, a live code and an unknown one get the very same answer on both routes.
      const strangers: Record<string, string>[] = [{}, { [SEAT_PROOF_HEADER]: "A".repeat(43) }];
      const answers = new Set<string>();
      for (const target of [code, "000000001"]) {
        for (const headers of strangers) {
          for (const path of [`/api/sessions/${target}`, `/api/sessions/${target}/ice`]) {
            const res = await fetch(`${server.origin}${path}`, { headers });
            const body = (await res.json()) as { error: { code: string; message: string } };
            expect(body.error.code).toBe("SEAT_KEY_INVALID");
            answers.add(`${res.status} ${JSON.stringify(body)}`);
          }
        }
      }
      expect([...answers]).toHaveLength(1);
      expect([...answers][0]).toMatch(/^403 /);
    });

    it("refuses upgrades from another origin, and technicians without a sign-in", async () => {
      const { code } = await createSession();
      const foreign = await upgrade(wsUrl(code, "customer"), { Origin: "https://evil.example" });
      expect(foreign).toMatchObject({ ok: false, status: 403 });
      const anonymous = await upgrade(wsUrl(code, "technician"), { Origin: server.origin });
      expect(anonymous).toMatchObject({ ok: false, status: 401 });
      expect(JSON.parse(anonymous.ok ? "{}" : anonymous.body)).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    });
  });
});

describe("npm run start:deno", () => {
  it("runs the Deno host with the permissions this suite tests it with", () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["start:deno"]).toContain(`deno run ${DENO_RUN_FLAGS.join(" ")} worker/deno/main.ts`);
  });
});
