import { env } from "cloudflare:workers";
import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "#protocol/errors.ts";
import {
  enrolmentMessage,
  type HeartbeatBody,
  type HeartbeatResponse,
  heartbeatMessage,
  MAX_MACHINE_BODY_BYTES,
  type MachineEnrolment,
  type MachineList,
  type MachineResponse,
  type MachineSummary,
} from "#protocol/machines.ts";
import { base64url, hashToken } from "../../worker/auth/tokens.ts";
import { type Answer, call, machineAuditEntries, person } from "../helpers/workers/machines.ts";
import { storedBucket } from "../helpers/workers/rate-buckets.ts";
import { ORIGIN, randomIp } from "../helpers/workers/ws.ts";

// Machines for unattended access: an admin's one-time enrolment link, the agent's enrolment with it (a signature by
// the machine's new key over the site and the link's token), the agent's signed heartbeats that keep the machine
// online, and the admin's list, rename and remove. wrangler.toml leaves UNATTENDED_ACCESS off, so the Worker as
// deployed (SELF) shows the switch off; the same app is called with the switch on through bindings of the test's own
// (test/helpers/workers/machines.ts).

/** A new enrolment link's token, made by `admin`. */
async function enrolmentToken(admin: { cookie: string }): Promise<string> {
  const made = await call<MachineEnrolment>("/api/machines/enrolments", { method: "POST", cookie: admin.cookie });
  expect(made.status).toBe(201);
  return made.body.url.split("#")[1] ?? "";
}

/** A machine's Ed25519 key pair, as the agent makes it. */
function machineKeys(): { secretKey: Uint8Array; publicKey: string } {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKey, publicKey: base64url(publicKey) };
}

/** The body the agent sends to enrol with `token`, signed for `origin` (the site's, unless a test says otherwise). */
function enrolBody(token: string, keys = machineKeys(), signed: { origin?: string; token?: string } = {}) {
  const message = enrolmentMessage(signed.origin ?? ORIGIN, signed.token ?? token);
  const signature = base64url(ed25519.sign(message, keys.secretKey));
  return { token, publicKey: keys.publicKey, name: "front-desk", os: "Linux 6.1.0-28-amd64", signature };
}

/** The machine id a public key must get: the SHA-256 of its bytes, base64url. */
async function idOf(publicKey: string): Promise<string> {
  const bytes = Uint8Array.from(atob(publicKey.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** A machine enrolled with a new admin's link, its keys, and the admin. */
async function enrolledMachine() {
  const admin = await person("Ada Admin", true);
  const keys = machineKeys();
  const enrolled = await call<MachineResponse>("/api/machines", { body: enrolBody(await enrolmentToken(admin), keys) });
  expect(enrolled.status).toBe(201);
  return { admin, keys, machine: enrolled.body.machine };
}

/**
 * The heartbeat body for `at`, busy or not, signed for the site, `id`, `at` and that busyness unless a test says
 * otherwise.
 */
function beatBody(
  id: string,
  keys: { secretKey: Uint8Array },
  at = Date.now(),
  signed: { origin?: string; at?: number; isBusy?: boolean } = {},
  isBusy = false,
): HeartbeatBody {
  const message = heartbeatMessage(signed.origin ?? ORIGIN, id, signed.at ?? at, signed.isBusy ?? isBusy);
  return { at, isBusy, signature: base64url(ed25519.sign(message, keys.secretKey)) };
}

/** Sends the machine `id`'s heartbeat, as its agent does. */
function beat<T = ErrorBody>(id: string, body: HeartbeatBody, ip?: string): Promise<Answer<T>> {
  return call<T>(`/api/machines/${id}/heartbeat`, { body, ip });
}

/** The machine `id` as the admin's list shows it. */
async function listed(admin: { cookie: string }, id: string): Promise<MachineSummary | undefined> {
  const list = await call<MachineList>("/api/machines", { cookie: admin.cookie });
  expect(list.status).toBe(200);
  return list.body.machines.find((m) => m.id === id);
}

describe("machines: enrolment", () => {
  it("enrols a machine once with an admin's link, by the SHA-256 of its key, and audits both steps", async () => {
    const admin = await person("Ada Admin", true);
    const before = Date.now();
    const made = await call<MachineEnrolment>("/api/machines/enrolments", { method: "POST", cookie: admin.cookie });
    expect(made.status).toBe(201);
    const [base, token = ""] = made.body.url.split("#");
    expect(base).toBe(`${ORIGIN}/enrol-machine`);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(made.body.expiresAt).toBeGreaterThanOrEqual(before + Number(env.INVITE_TTL_S) * 1000);
    // Only the token's hash is stored.
    const stored = await env.DB.prepare("SELECT token_hash, created_by FROM machine_enrolments WHERE token_hash = ?")
      .bind(await hashToken(token))
      .first();
    expect(stored).toEqual({ token_hash: await hashToken(token), created_by: admin.id });

    const keys = machineKeys();
    const enrolled = await call<MachineResponse>("/api/machines", { body: enrolBody(token, keys) });
    expect(enrolled.status).toBe(201);
    const id = await idOf(keys.publicKey);
    expect(enrolled.body.machine).toEqual({
      id,
      // The key itself, which the viewer checks against the id and then against the machine's signature.
      publicKey: keys.publicKey,
      name: "front-desk",
      os: "Linux 6.1.0-28-amd64",
      enrolledAt: expect.any(Number),
      lastSeenAt: null,
      isOnline: false,
      isBusy: false,
    });
    const list = await call<MachineList>("/api/machines", { cookie: admin.cookie });
    expect(list.status).toBe(200);
    // An admin's list also says who was assigned the machine (test/integration/machine-access.test.ts).
    expect(list.body.machines).toContainEqual({ ...enrolled.body.machine, technicianIds: [] });

    // The link is used up: a second machine cannot enrol with it.
    const again = await call("/api/machines", { body: enrolBody(token) });
    expect(again).toMatchObject({ status: 400, body: { error: { code: "ENROLMENT_INVALID" } } });

    const created = (await machineAuditEntries(admin, "machine_enrolment_created")).find(
      (entry) => entry.data.expiresAt === made.body.expiresAt && entry.actor === `technician:${admin.id}`,
    );
    expect(created).toBeDefined();
    // No one was signed in: the entry names the admin who made the link.
    const [entry] = await machineAuditEntries(admin, "machine_enrolled", id);
    expect(entry).toMatchObject({ actor: `technician:${admin.id}`, data: { machine: id } });
  });

  it("lists machines newest first", async () => {
    const admin = await person("Ada Admin", true);
    const first = await call<MachineResponse>("/api/machines", { body: enrolBody(await enrolmentToken(admin)) });
    const second = await call<MachineResponse>("/api/machines", { body: enrolBody(await enrolmentToken(admin)) });
    await env.DB.prepare("UPDATE machines SET enrolled_at = enrolled_at + 60000 WHERE id = ?")
      .bind(second.body.machine.id)
      .run();
    const ids = (await call<MachineList>("/api/machines", { cookie: admin.cookie })).body.machines.map((m) => m.id);
    expect(ids.indexOf(second.body.machine.id)).toBeLessThan(ids.indexOf(first.body.machine.id));
  });

  it("refuses an expired link", async () => {
    const admin = await person("Ada Admin", true);
    const token = await enrolmentToken(admin);
    await env.DB.prepare("UPDATE machine_enrolments SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1, await hashToken(token))
      .run();
    const res = await call("/api/machines", { body: enrolBody(token) });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "ENROLMENT_INVALID" } } });
  });

  it("refuses an unknown link", async () => {
    const res = await call("/api/machines", { body: enrolBody("never-made-by-any-admin-0123456789") });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "ENROLMENT_INVALID" } } });
  });

  it("refuses a signature made for another site, another link or by another key, and leaves the link usable", async () => {
    const admin = await person("Ada Admin", true);
    const token = await enrolmentToken(admin);
    const keys = machineKeys();
    const other = machineKeys();
    const bodies = [
      enrolBody(token, keys, { origin: "https://support.example.com" }),
      enrolBody(token, keys, { token: "another-token-0123456789abcdef" }),
      { ...enrolBody(token, other), publicKey: keys.publicKey },
    ];
    for (const body of bodies) {
      const res = await call("/api/machines", { body });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "MACHINE_KEY_INVALID" } } });
    }
    const enrolled = await call<MachineResponse>("/api/machines", { body: enrolBody(token, keys) });
    expect(enrolled.status).toBe(201);
  });

  it("refuses a small-order key, for which anyone can make a signature", async () => {
    const admin = await person("Ada Admin", true);
    const token = await enrolmentToken(admin);
    // The identity point, and a signature of R = identity, S = 0: lenient (ZIP-215) verification accepts it for any
    // message.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const signature = new Uint8Array(64);
    signature.set(identity);
    const body = { ...enrolBody(token), publicKey: base64url(identity), signature: base64url(signature) };
    const res = await call("/api/machines", { body });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "MACHINE_KEY_INVALID" } } });
  });

  it("refuses a key that is already enrolled, with another link", async () => {
    const admin = await person("Ada Admin", true);
    const keys = machineKeys();
    const first = await call("/api/machines", { body: enrolBody(await enrolmentToken(admin), keys) });
    expect(first.status).toBe(201);
    const second = await call("/api/machines", { body: enrolBody(await enrolmentToken(admin), keys) });
    expect(second).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });
    const id = await idOf(keys.publicKey);
    const list = await call<MachineList>("/api/machines", { cookie: admin.cookie });
    expect(list.body.machines.filter((m) => m.id === id)).toHaveLength(1);
  });

  it("refuses a malformed or oversized body with a code that says which", async () => {
    const admin = await person("Ada Admin", true);
    const token = await enrolmentToken(admin);
    const short = { ...enrolBody(token), publicKey: base64url(new Uint8Array(31)) };
    const res = await call<ErrorBody>("/api/machines", { body: short });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    expect(res.body.error.message).toContain("publicKey");
    const huge = await call("/api/machines", { body: { ...enrolBody(token), os: "x".repeat(MAX_MACHINE_BODY_BYTES) } });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    const broken = await call("/api/machines", { rawBody: "{" });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    const badName = await call("/api/machines", { body: { ...enrolBody(token), name: "desk\u202Epc" } });
    expect(badName).toMatchObject({ status: 400, body: { error: { code: "INVALID_NAME" } } });
    // None of these used the link up.
    expect((await call("/api/machines", { body: enrolBody(token) })).status).toBe(201);
  });

  it("counts enrolment attempts against the client address's sign-in budget", async () => {
    const ip = randomIp();
    const res = await call("/api/machines", { body: enrolBody("never-made-by-any-admin-0123456789"), ip });
    expect(res.status).toBe(400);
    expect(await storedBucket(ip, "signin")).toMatchObject({ tokens: Number(env.RATE_SIGNIN_PER_MIN) - 1 });
  });
});

describe("machines: the admin's console", () => {
  it("renames a machine, refusing a name customers could be misled by, and audits it", async () => {
    const admin = await person("Ada Admin", true);
    const enrolled = await call<MachineResponse>("/api/machines", { body: enrolBody(await enrolmentToken(admin)) });
    const { id } = enrolled.body.machine;
    const path = `/api/machines/${id}`;
    const renamed = await call<MachineResponse>(path, {
      method: "PATCH",
      body: { name: "Front desk PC" },
      cookie: admin.cookie,
    });
    expect(renamed).toEqual({ status: 200, body: { machine: { ...enrolled.body.machine, name: "Front desk PC" } } });
    const invalid = await call(path, { method: "PATCH", body: { name: "Front\u202Edesk" }, cookie: admin.cookie });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: "INVALID_NAME" } } });
    // As for technicians' names: an empty one breaks the schema's length, not the rule for text people read.
    const empty = await call(path, { method: "PATCH", body: { name: " " }, cookie: admin.cookie });
    expect(empty).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    const list = await call<MachineList>("/api/machines", { cookie: admin.cookie });
    expect(list.body.machines.find((m) => m.id === id)?.name).toBe("Front desk PC");
    const entries = await machineAuditEntries(admin, "machine_renamed", id);
    expect(entries).toEqual([expect.objectContaining({ actor: `technician:${admin.id}`, data: { machine: id } })]);
  });

  it("removes a machine: gone from the list, 404 afterwards, audited", async () => {
    const admin = await person("Ada Admin", true);
    const enrolled = await call<MachineResponse>("/api/machines", { body: enrolBody(await enrolmentToken(admin)) });
    const { id } = enrolled.body.machine;
    const removed = await call(`/api/machines/${id}`, { method: "DELETE", cookie: admin.cookie });
    expect(removed).toEqual({ status: 204, body: null });
    const list = await call<MachineList>("/api/machines", { cookie: admin.cookie });
    expect(list.body.machines.map((m) => m.id)).not.toContain(id);
    for (const options of [{ method: "DELETE" }, { method: "PATCH", body: { name: "Gone" } }]) {
      const res = await call(`/api/machines/${id}`, { ...options, cookie: admin.cookie });
      expect(res, options.method).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
    }
    const entries = await machineAuditEntries(admin, "machine_removed", id);
    expect(entries).toEqual([expect.objectContaining({ actor: `technician:${admin.id}`, data: { machine: id } })]);
  });

  it("is for signed-in admins only", async () => {
    const admin = await person("Ada Admin", true);
    const { publicKey } = machineKeys();
    const id = await idOf(publicKey);
    const tech = await person("Nosy Tech");
    const routes = [
      // GET /api/machines is every technician's, each seeing the machines they may reach (machine-access.test.ts).
      ["/api/machines/enrolments", "POST"],
      [`/api/machines/${id}`, "PATCH"],
      [`/api/machines/${id}`, "DELETE"],
    ] as const;
    for (const [path, method] of routes) {
      const body = method === "PATCH" ? { name: "Mine now" } : undefined;
      const asTech = await call(path, { method, body, cookie: tech.cookie });
      expect(asTech, `${method} ${path}`).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
      const signedOut = await call(path, { method, body });
      expect(signedOut, `${method} ${path}`).toMatchObject({
        status: 401,
        body: { error: { code: "UNAUTHENTICATED" } },
      });
    }
    expect(await machineAuditEntries(admin, "machine_enrolment_created")).not.toContainEqual(
      expect.objectContaining({ actor: `technician:${tech.id}` }),
    );
  });
});

describe("machines: heartbeats", () => {
  const heartbeatS = Number(env.MACHINE_HEARTBEAT_S);

  it("takes a beat signed by the machine's key: last seen now, online, and when to beat next", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    expect(await listed(admin, machine.id)).toMatchObject({ lastSeenAt: null, isOnline: false });
    const ip = randomIp();
    const before = Date.now();
    const at = before;
    const res = await beat<HeartbeatResponse>(machine.id, beatBody(machine.id, keys, at), ip);
    // No technician opened a session with it: there is none to join.
    expect(res).toEqual({ status: 200, body: { nextInS: heartbeatS, sessions: [] } });
    // Counted in a budget of its own, with room for 200 machines behind one address beating every 20 s.
    expect(await storedBucket(ip, "heartbeat")).toMatchObject({ tokens: 200 * 3 - 1 });
    expect(await storedBucket(ip, "lookup")).toBeNull();
    const seen = await listed(admin, machine.id);
    expect(seen?.isOnline).toBe(true);
    expect(seen?.lastSeenAt).toBeGreaterThanOrEqual(before);
    expect(seen?.lastSeenAt).toBeLessThanOrEqual(Date.now());
    const stored = await env.DB.prepare("SELECT last_heartbeat_at FROM machines WHERE id = ?").bind(machine.id).first();
    expect(stored).toEqual({ last_heartbeat_at: at });
    // The next beat, a moment later by the machine's clock, is taken too; the rename's answer says online as well.
    expect((await beat(machine.id, beatBody(machine.id, keys, at + 1))).status).toBe(200);
    const renamed = await call<MachineResponse>(`/api/machines/${machine.id}`, {
      method: "PATCH",
      body: { name: "Front desk PC" },
      cookie: admin.cookie,
    });
    expect(renamed.body.machine).toMatchObject({ name: "Front desk PC", isOnline: true });
  });

  it("is offline once its last beat is older than three heartbeats", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    expect((await beat(machine.id, beatBody(machine.id, keys))).status).toBe(200);
    const lastSeenAt = Date.now() - 3 * heartbeatS * 1000 - 1;
    await env.DB.prepare("UPDATE machines SET last_seen_at = ? WHERE id = ?").bind(lastSeenAt, machine.id).run();
    expect(await listed(admin, machine.id)).toMatchObject({ lastSeenAt, isOnline: false });
  });

  it("says a machine is busy while its last beat says so, and never while it is offline", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    const at = Date.now();
    expect((await beat(machine.id, beatBody(machine.id, keys, at, {}, true))).status).toBe(200);
    expect(await listed(admin, machine.id)).toMatchObject({ isOnline: true, isBusy: true });
    expect((await beat(machine.id, beatBody(machine.id, keys, at + 1))).status).toBe(200);
    expect(await listed(admin, machine.id)).toMatchObject({ isOnline: true, isBusy: false });
    // A body without the field (an agent that says nothing of it) is a free machine's.
    const { isBusy: _, ...older } = beatBody(machine.id, keys, at + 2);
    expect((await beat(machine.id, older as HeartbeatBody)).status).toBe(200);
    expect(await listed(admin, machine.id)).toMatchObject({ isBusy: false });
    // Busy at its last beat, and silent since: offline, so not busy.
    expect((await beat(machine.id, beatBody(machine.id, keys, at + 3, {}, true))).status).toBe(200);
    const lastSeenAt = Date.now() - 3 * heartbeatS * 1000 - 1;
    await env.DB.prepare("UPDATE machines SET last_seen_at = ? WHERE id = ?").bind(lastSeenAt, machine.id).run();
    expect(await listed(admin, machine.id)).toMatchObject({ isOnline: false, isBusy: false });
  });

  it("refuses a beat signed by another key, for another site or for another time, and counts none", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    const at = Date.now();
    const bodies = [
      beatBody(machine.id, machineKeys(), at),
      beatBody(machine.id, keys, at, { origin: "https://support.example.com" }),
      beatBody(machine.id, keys, at, { at: at - 1 }),
      // Signed as busy, sent as free: what the machine said is what its key vouches for.
      beatBody(machine.id, keys, at, { isBusy: true }),
    ];
    for (const body of bodies) {
      const res = await beat(machine.id, body);
      expect(res).toMatchObject({ status: 400, body: { error: { code: "MACHINE_KEY_INVALID" } } });
    }
    expect(await listed(admin, machine.id)).toMatchObject({ lastSeenAt: null, isOnline: false });
    // None of them used the time up.
    expect((await beat(machine.id, beatBody(machine.id, keys, at))).status).toBe(200);
  });

  it("refuses a beat it already took, or one older than it", async () => {
    const { keys, machine } = await enrolledMachine();
    const body = beatBody(machine.id, keys);
    expect((await beat(machine.id, body)).status).toBe(200);
    for (const again of [body, beatBody(machine.id, keys, body.at - 1)]) {
      const res = await beat(machine.id, again);
      expect(res).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
      expect(res.body.error.message).toMatch(/replayed/);
    }
  });

  it("refuses a beat from a clock ten minutes off, either way", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    for (const offMs of [10 * 60_000, -10 * 60_000]) {
      const res = await beat(machine.id, beatBody(machine.id, keys, Date.now() + offMs));
      expect(res, String(offMs)).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
      expect(res.body.error.message).toMatch(/more than 5 minutes off the site's clock/);
    }
    expect(await listed(admin, machine.id)).toMatchObject({ lastSeenAt: null, isOnline: false });
  });

  it("answers NOT_FOUND to a removed machine, on which its agent stops", async () => {
    const { admin, keys, machine } = await enrolledMachine();
    const removed = await call(`/api/machines/${machine.id}`, { method: "DELETE", cookie: admin.cookie });
    expect(removed.status).toBe(204);
    const res = await beat(machine.id, beatBody(machine.id, keys));
    expect(res).toEqual({
      status: 404,
      body: {
        error: {
          code: "NOT_FOUND",
          message: "This machine is not enrolled (it may have been removed in the console).",
        },
      },
    });
  });
});

describe("machines: UNATTENDED_ACCESS off (wrangler.toml's default)", () => {
  it("answers every route UNATTENDED_OFF, before asking who calls", async () => {
    const admin = await person("Ada Admin", true);
    const token = await enrolmentToken(admin);
    const keys = machineKeys();
    const id = await idOf(keys.publicKey);
    const routes = [
      ["/api/machines/enrolments", "POST", undefined],
      ["/api/machines", "POST", enrolBody(token)],
      [`/api/machines/${id}/heartbeat`, "POST", beatBody(id, keys)],
      ["/api/machines", "GET", undefined],
      [`/api/machines/${id}`, "PATCH", { name: "Renamed" }],
      [`/api/machines/${id}`, "DELETE", undefined],
    ] as const;
    for (const [path, method, body] of routes) {
      for (const cookie of [admin.cookie, undefined]) {
        const res = await call(path, { method, body, cookie }, false);
        expect(res, `${method} ${path}`).toEqual({
          status: 403,
          body: {
            error: {
              code: "UNATTENDED_OFF",
              message: "Unattended access is off on this site (UNATTENDED_ACCESS in wrangler.toml [vars]).",
            },
          },
        });
      }
    }
    // The refused enrolment left the link as it was.
    expect((await call("/api/machines", { body: enrolBody(token) })).status).toBe(201);
  });
});
