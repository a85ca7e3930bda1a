import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InviteList, MeResponse, TechnicianList } from "#protocol/auth.ts";
import { ErrorBody } from "#protocol/errors.ts";
import { SessionSummary } from "#protocol/room.ts";
import { OwnSessions, SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { enrolFuzzTechnician, type FuzzTechnician, fateOf } from "../helpers/node/api-fuzz-cast.ts";
import { fuzzApi, ROUTES } from "../helpers/node/api-fuzzer.ts";
import { fuzzRoom, type SocketLimits } from "../helpers/node/room-fuzzer.ts";
import { upgrade } from "../helpers/node/room-socket.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// Thousands of random and mutated inputs against both hosts, bounded by count and (only as a cap that shortens the
// run) by time: room frames from both seats of a real session (room-fuzzer.ts), then requests to every route
// (api-fuzzer.ts), signing out, removing passkeys and technicians for real but only spare ones (api-fuzz-cast.ts).
// No crash, no 5xx, only well-formed answers, and the state sound afterwards. Every input comes from one seed: a
// failure prints it, and FUZZ_SEED=<seed> makes the same inputs again. `npm test` uses one fixed seed, so that its
// verdict is the same on every run; FUZZ_SEED=random draws a new one, to explore.

/** The seed `npm test` uses; FUZZ_SEED overrides it. */
const DEFAULT_SEED = 20_261_202;
const SEED =
  process.env.FUZZ_SEED === "random"
    ? Math.floor(Math.random() * 2 ** 32)
    : process.env.FUZZ_SEED
      ? Number(process.env.FUZZ_SEED)
      : DEFAULT_SEED;

/** Room frames per host, both seats together (floods and barriers come on top), and API requests per host. */
const ROOM_FRAMES = 3_000;
const API_REQUESTS = 3_000;

/** Caps that only shorten a run on a slow machine; the counts above are what a run aims for. */
const ROOM_WALL_CLOCK_MS = 60_000;
const API_WALL_CLOCK_MS = 45_000;

/** The per-socket limits the room enforces: wrangler.toml's defaults, passed explicitly so the pacing follows them. */
const LIMITS: SocketLimits = { maxMessageBytes: 65_536, messagesPerS: 200, messageBurst: 400 };

// Generous limits per address and per technician (the fuzz comes from one address and creates many sessions), and
// the shortest handshake backoff allowed, so the waits the fuzz's failed handshakes leave stay short.
const VARS = {
  MAX_SESSIONS_PER_TECHNICIAN: "100",
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  RATE_REJOIN_PER_MIN: "10000",
  RATE_HANDSHAKE_PER_MIN: "10000",
  HANDSHAKE_BACKOFF_BASE_S: "1",
  HANDSHAKE_BACKOFF_CAP_S: "7200",
  WS_MAX_MESSAGE_BYTES: String(LIMITS.maxMessageBytes),
  WS_MESSAGES_PER_S: String(LIMITS.messagesPerS),
  WS_MESSAGE_BURST: String(LIMITS.messageBurst),
  // The machine routes answer only UNATTENDED_OFF without it.
  UNATTENDED_ACCESS: "on",
};

/** What the test reads of the Hono app: every handler it registered, middleware (method ALL) included. */
type AppRoutes = { routes: { method: string; path: string }[] };

const replay = `seed ${SEED}; FUZZ_SEED=${SEED} makes the same inputs again`;

afterAll(() => {
  console.log(`fuzz ${replay}`);
});

describe("the API fuzz", () => {
  it("has a case for every route the app registers, and none it does not", async () => {
    // Imported by a name the type checker does not follow: the app's types are the Workers runtime's, not Node's.
    const appModule: string = "../../worker/app.ts";
    const { createApp } = (await import(appModule)) as { createApp: (hostFor: () => unknown) => AppRoutes };
    const app = createApp(() => ({}));
    const registered = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`))).toEqual(registered);
  });
});

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  let owner: SignedIn;
  let admin: FuzzTechnician;
  let plain: SignedIn;

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
    owner = await enrolTechnician(server, "Olivia Owner");
    admin = await enrolFuzzTechnician(server, "Fuzz Admin");
    plain = await enrolTechnician(server, "Pat Plain", false);
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function expectAlive(): Promise<void> {
    const res = await fetch(`${server.origin}/health`);
    expect(res.status, `${name} /health; ${replay}`).toBe(200);
    expect(server.output(), "the server's log").not.toMatch(/unhandled_error|Uncaught/);
  }

  it("room: answers random and mutated frames from both seats as the protocol says, then still relays", async () => {
    const report = await fuzzRoom({
      server,
      owner,
      seed: SEED,
      frames: ROOM_FRAMES,
      wallClockMs: ROOM_WALL_CLOCK_MS,
      limits: LIMITS,
    });
    const { problems, ...figures } = report;
    console.log(`${name} room fuzz: ${JSON.stringify(figures)}`);
    expect(problems, `${name} room fuzz; ${replay}`).toEqual([]);
    expect(report.relayed).toBeGreaterThan(0);
    await expectAlive();
  });

  it("JSON APIs: no 5xx, only well-formed errors, and sound state after random and mutated requests", async () => {
    // Live sessions for the paths to name: a link session with both seats in it, and a help request.
    const { customerKeyHash } = await newSeatKey();
    const created = await postJson(server, "/api/sessions", { customerKeyHash }, owner.cookie);
    const live = ((await created.json()) as { code: string }).code;
    const help = await postJson(server, "/api/help", { customerKeyHash });
    const helpCode = ((await help.json()) as { code: string }).code;

    const report = await fuzzApi({
      server,
      seed: SEED,
      requests: API_REQUESTS,
      wallClockMs: API_WALL_CLOCK_MS,
      concurrency: 4,
      admin,
      plain,
      codes: [live, helpCode],
    });
    const { problems, created: made, helped, seatProofs, cast, ledger, passkeysToAdd, ...figures } = report;
    const spareSignIns = [...cast.adminSignIns, ...cast.spares.flatMap((spare) => spare.signIns)];
    const fates = spareSignIns.map((signIn) => fateOf(ledger, signIn));
    const changes = {
      sessionsCreated: made.length,
      helpRequests: helped.length,
      enrolled: ledger.enrolled.size,
      techniciansRemoved: ledger.removedTechnicians.size,
      rolesSet: ledger.roles.size,
      invitesRevoked: ledger.invitesRevoked.size,
      passkeysAdded: ledger.passkeysAdded.size,
      passkeysRemoved: ledger.passkeysRemoved.size,
      signInsEnded: fates.filter((fate) => fate === "ended").length,
      signInsLive: fates.filter((fate) => fate === "live").length,
    };
    console.log(`${name} API fuzz: ${JSON.stringify({ ...figures, ...changes })}`);
    expect(problems, `${name} API fuzz; ${replay}`).toEqual([]);
    await expectAlive();

    // Every session the fuzz created is listed by the technician it belongs to, and nothing else is.
    const listed: string[] = [];
    for (const technician of [admin, plain]) {
      const res = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: technician.cookie } });
      expect(res.status).toBe(200);
      listed.push(...OwnSessions.parse(await res.json()).sessions.map((s) => s.code));
    }
    expect(listed.sort(), replay).toEqual([...made].sort());
    for (const code of [...made.slice(0, 5), ...helped.slice(0, 5)]) {
      const proof = seatProofs[code] ?? "";
      const res = await fetch(`${server.origin}/api/sessions/${code}`, { headers: { [SEAT_PROOF_HEADER]: proof } });
      expect(res.status, `GET /api/sessions/${code}; ${replay}`).toBe(200);
      const session = SessionSummary.parse(await res.json());
      expect(session.state).toBe("created");
      expect(session.technician === null, replay).toBe(helped.includes(code));
    }

    // The fuzzing admin still holds the passkeys the fuzz left it, by the names it gave them, and is still who the
    // cookie says.
    const me = await fetch(`${server.origin}/api/me`, { headers: { cookie: admin.cookie } });
    expect(me.status).toBe(200);
    const account = MeResponse.parse(await me.json());
    expect(account.technician).toMatchObject({ id: admin.id, isAdmin: true, nameLocked: false });
    const adminNames = new Set(["Fuzz Admin", ...(ledger.names.get(admin.id) ?? [])]);
    expect(adminNames.has(account.technician.name), `${account.technician.name}; ${replay}`).toBe(true);
    const adminPasskeys = [admin.passkeyId, ...ledger.passkeysAdded].filter((id) => !ledger.passkeysRemoved.has(id));
    expect(account.passkeys.map((p) => p.id).sort(), replay).toEqual(adminPasskeys.sort());
    for (const passkey of account.passkeys) {
      const names = ledger.passkeyNames.get(passkey.id);
      if (names) expect(names.has(passkey.name), `${passkey.id} is named ${passkey.name}; ${replay}`).toBe(true);
      else expect(passkey.name, replay).toBeNull();
    }
    expect(passkeysToAdd).toEqual(expect.arrayContaining([...ledger.passkeysAdded]));

    // Every spare sign-in the fuzz ended (signed out, signed out everywhere, its passkey or technician removed) is
    // answered SIGN_IN_REVOKED; every other still works, unless an altered copy of its cookie was signed out.
    for (const [i, signIn] of spareSignIns.entries()) {
      const res = await fetch(`${server.origin}/api/me`, { headers: { cookie: signIn.cookie } });
      const body: unknown = await res.json();
      const fate = fates[i];
      const what = `spare sign-in ${i} (${fate}); ${replay}`;
      if (fate === "live" || (fate === "either" && res.status === 200)) {
        expect(res.status, what).toBe(200);
        expect(MeResponse.parse(body).technician.id, what).toBe(signIn.technicianId);
      } else {
        expect(res.status, what).toBe(401);
        expect(ErrorBody.parse(body).error.code, what).toBe("SIGN_IN_REVOKED");
      }
    }

    // The technicians listed are exactly those expected to remain, in the roles the fuzz's answers last gave them,
    // with the passkeys it left them.
    const technicians = await fetch(`${server.origin}/api/technicians`, { headers: { cookie: admin.cookie } });
    expect(technicians.status).toBe(200);
    const listedTechnicians = TechnicianList.parse(await technicians.json()).technicians;
    const expected = new Map<string, { name: string; roles: Set<boolean>; passkeys?: number }>([
      [owner.id, { name: "Olivia Owner", roles: new Set([true]) }],
      [admin.id, { name: "Fuzz Admin", roles: new Set([true]), passkeys: adminPasskeys.length }],
      [plain.id, { name: "Pat Plain", roles: new Set([false]) }],
    ]);
    for (const [id, enrolee] of ledger.enrolled) expected.set(id, { name: enrolee, roles: new Set([false]) });
    for (const spare of cast.spares) {
      if (ledger.removedTechnicians.has(spare.id)) continue;
      const passkeys = spare.passkeyIds.filter((id) => !ledger.passkeysRemoved.has(id)).length;
      expected.set(spare.id, {
        name: spare.name,
        roles: ledger.roles.get(spare.id) ?? new Set([spare.isAdmin]),
        passkeys,
      });
    }
    expect(listedTechnicians.map((t) => t.id).sort(), replay).toEqual([...expected.keys()].sort());
    for (const technician of listedTechnicians) {
      const { name: expectedName, roles, passkeys } = expected.get(technician.id) ?? { roles: new Set() };
      // Its name as made, or one a rename was answered with (renames race, so any may be last).
      const names = new Set([expectedName, ...(ledger.names.get(technician.id) ?? [])]);
      expect(names.has(technician.name), `${technician.name}; ${replay}`).toBe(true);
      expect(roles.has(technician.isAdmin), `${technician.name} isAdmin ${technician.isAdmin}; ${replay}`).toBe(true);
      if (passkeys !== undefined)
        expect(technician.passkeys, `${technician.name}'s passkeys; ${replay}`).toBe(passkeys);
    }

    // The open invites are exactly those the fuzz made and neither used nor revoked.
    const invites = await fetch(`${server.origin}/api/invites`, { headers: { cookie: admin.cookie } });
    expect(invites.status).toBe(200);
    const open = [...ledger.invitesMade].filter((id) => !ledger.invitesUsed.has(id) && !ledger.invitesRevoked.has(id));
    expect(
      InviteList.parse(await invites.json())
        .invites.map((i) => i.id)
        .sort(),
      replay,
    ).toEqual(open.sort());

    // Creating, listing, describing and joining sessions still works.
    const seat = await newSeatKey();
    const fresh = await postJson(server, "/api/sessions", { customerKeyHash: seat.customerKeyHash }, owner.cookie);
    expect(fresh.status, replay).toBe(201);
    const { code } = (await fresh.json()) as { code: string };
    const mine = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: owner.cookie } });
    expect(OwnSessions.parse(await mine.json()).sessions.map((s) => s.code)).toContain(code);
    const described = await fetch(`${server.origin}/api/sessions/${code}`, {
      headers: { [SEAT_PROOF_HEADER]: seat.customerKeyHash },
    });
    expect(SessionSummary.parse(await described.json())).toMatchObject({
      state: "created",
      technician: { name: owner.name },
    });
    const ws = `${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=`;
    const tech = await upgrade(`${ws}technician`, { Origin: server.origin, Cookie: owner.cookie });
    const customer = await upgrade(`${ws}customer`, { Origin: server.origin });
    if (!tech.ok || !customer.ok) throw new Error("the upgrades to a fresh session were refused");
    tech.socket.send({ type: "hello", version: 1 });
    expect(await tech.socket.next("welcome")).toMatchObject({ role: "technician", session: { code } });
    customer.socket.send({ type: "hello", version: 1, seatKey: seat.seatKey });
    expect(await customer.socket.next("welcome")).toMatchObject({ role: "customer", session: { state: "connected" } });
    tech.socket.close();
    customer.socket.close();
  });
});
