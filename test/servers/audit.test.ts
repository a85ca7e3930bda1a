import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import type { CreatedSession } from "#protocol/sessions.ts";
import { parseVerifierKey, type VerifierKey, verifierKeyOf } from "../../durable-objects/audit-log/note.ts";
import { verifyLog } from "../../durable-objects/audit-log/verify.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { upgrade } from "../helpers/node/room-socket.ts";
import { SERVER_NAMES, startServer, TEST_AUDIT_KEY, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// The audit log on both hosts: what the routes and the rooms record, signed by the key the server was given, sound
// across a restart (the writer reads the log back and goes on), and checked end to end by `npm run audit:verify
// -- --remote` with an admin's cookie. The admin setting AUDIT_IP_ADDRESSES is on here.

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const VARS = {
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  AUDIT_IP_ADDRESSES: "on",
};
const seed = Uint8Array.from(Buffer.from(TEST_AUDIT_KEY, "base64url"));
const VKEY = verifierKeyOf({ name: "tether/audit/tether", seed });
const KEY = parseVerifierKey(VKEY) as VerifierKey;

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  let admin: SignedIn;

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
    admin = await enrolTechnician(server, "Audra Admin");
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function exported(): Promise<{ lines: string[]; checkpoints: string[] }> {
    const res = await fetch(`${server.origin}/api/audit/export`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const [header, ...lines] = (await res.text()).trimEnd().split("\n");
    return { lines, checkpoints: (JSON.parse(header as string) as { checkpoints: string[] }).checkpoints };
  }

  /** A session the admin creates, the customer joins and ends. */
  async function endedSession(): Promise<string> {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/sessions", { customerKeyHash, caseNumber: "T-7" }, admin.cookie);
    const { code } = (await res.json()) as CreatedSession;
    const up = await upgrade(`${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=customer`, {
      Origin: server.origin,
    });
    if (!up.ok) throw new Error("upgrade refused");
    up.socket.send({ type: "hello", version: 1, seatKey });
    await up.socket.next("welcome");
    up.socket.send({ type: "end" });
    await up.socket.next("ended");
    return code;
  }

  /** The log's entries of `code`, once the room has written its end. */
  async function entriesOf(code: string): Promise<AuditEntry[]> {
    let found: AuditEntry[] = [];
    await expect
      .poll(async () => {
        const { lines } = await exported();
        found = lines.map((line) => JSON.parse(line) as AuditEntry).filter((e) => e.session === code);
        return found.map((e) => e.type);
      })
      .toEqual(["session_created", "session_ended"]);
    return found;
  }

  it("records enrolment, sessions and their end, signed by the configured key", async () => {
    const code = await endedSession();
    const [created, ended] = await entriesOf(code);
    expect(created).toMatchObject({ actor: `technician:${admin.id}`, data: { caseNumber: "T-7" } });
    expect(ended).toMatchObject({ actor: "customer", data: { reason: "ended_by_customer" } });
    const log = await exported();
    expect(JSON.parse(log.lines[0] as string)).toMatchObject({ seq: 0, type: "technician_enrolled" });
    expect(verifyLog({ ...log, key: KEY })).toMatchObject({ ok: true, size: log.lines.length });
  });

  it("records a failed sign-in with its error code and, as the admin turned on, the client's address", async () => {
    const res = await postJson(server, "/api/auth/login/verify", { response: { id: "nope" } });
    expect(res.status).toBe(400);
    const { lines } = await exported();
    const failed = lines.map((line) => JSON.parse(line) as AuditEntry).filter((e) => e.type === "sign_in_failed");
    expect(failed.at(-1)).toMatchObject({ actor: "anonymous", data: { reason: "BAD_REQUEST", ip: "127.0.0.1" } });
  });

  it("goes on after a restart, extending the checkpoint signed before it, and passes audit:verify --remote", async () => {
    const before = verifyLog({ ...(await exported()), key: KEY });
    if (!before.ok || !before.note) throw new Error("the log did not verify before the restart");
    await server.restart();
    await entriesOf(await endedSession());
    const after = verifyLog({ ...(await exported()), key: KEY, saved: before.note });
    expect(after).toMatchObject({ ok: true });
    expect(after.ok && after.size).toBeGreaterThan(before.size);

    const { stdout } = await run(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "worker/cli/audit-verify.ts", "--remote", server.origin, "--key", VKEY],
      { cwd: root, env: { ...process.env, TETHER_SESSION: admin.cookie.split("=")[1] } },
    );
    expect(stdout).toContain("Audit log sound");
  });
});
