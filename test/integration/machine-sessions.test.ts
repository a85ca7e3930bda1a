import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "#protocol/errors.ts";
import { MachineSession } from "#protocol/machines.ts";
import type { SessionSummary } from "#protocol/room.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { fromBase64url } from "../../client/core/base64url.ts";
import { seatKeyHash } from "../../client/core/link-secret.ts";
import { createApp } from "../../worker/app.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { workersHost } from "../../worker/workers-host.ts";
import { beat, call, machineAuditEntries, type Person, person, storedMachine } from "../helpers/workers/machines.ts";
import { ORIGIN, randomIp } from "../helpers/workers/ws.ts";

// Unattended connections (POST /api/machines/:id/sessions): a technician allowed to reach an online machine opens a
// session with it; the machine's next heartbeat names the session and the key of its customer seat, which seats the
// machine's agent in the room (and proves it to GET /api/sessions/:code, as a customer's page does); admins and the
// machine's assigned technicians only, online machines only, each one an audit event. That the machine then proves
// itself with its own key is client/core/machine-handshake.ts's (test/unit/machine-handshake.test.ts) and
// test/e2e/unattended.test.ts's.

type Machine = { id: string; secretKey: Uint8Array };

function connect<T = ErrorBody>(machine: Machine, who: Person | null, isOn = true) {
  return call<T>(`/api/machines/${machine.id}/sessions`, { method: "POST", cookie: who?.cookie }, isOn);
}

/** GET /api/sessions/:code as the holder of `seatKey` (base64url), as the customer's page (or the agent) reads it. */
async function asSeatHolder(code: string, seatKey: string): Promise<{ status: number; body: SessionSummary }> {
  const app = createApp(workersHost);
  const headers = new Headers({ "cf-connecting-ip": randomIp(), origin: ORIGIN });
  headers.set(SEAT_PROOF_HEADER, seatKeyHash(fromBase64url(seatKey) ?? new Uint8Array()));
  const res = await app.fetch(new Request(`${ORIGIN}/api/sessions/${code}`, { headers }), env);
  return { status: res.status, body: (await res.json()) as SessionSummary };
}

describe("unattended connections", () => {
  it("open a session with an online machine, which its next heartbeat names with the key of its customer seat", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    expect((await beat(machine)).sessions).toEqual([]);
    const opened = await connect<MachineSession>(machine, admin);
    expect(opened.status).toBe(201);
    const { code } = MachineSession.parse(opened.body);

    const [named, ...more] = (await beat(machine)).sessions;
    expect(more).toEqual([]);
    expect(named?.code).toBe(code);
    // The key seats the machine: the room was made for its hash, as a customer's page registers its own.
    const seat = await asSeatHolder(code, named?.seatKey ?? "");
    expect(seat.status).toBe(200);
    expect(seat.body.technician?.name).toBe("Ada Admin");
    const wrongKey = await asSeatHolder(code, base64url(crypto.getRandomValues(new Uint8Array(32))));
    expect(wrongKey.status).toBe(403);
    // Named again at every heartbeat while it lives (the agent joins it once, and again after a restart).
    expect((await beat(machine)).sessions.map((session) => session.code)).toEqual([code]);

    const [entry] = await machineAuditEntries(admin, "machine_session_opened", machine.id);
    expect(entry).toMatchObject({ actor: `technician:${admin.id}`, session: code, data: { machine: machine.id } });
    // It is the technician's session like any other, counted in their live sessions.
    const own = await call<{ sessions: { code: string }[] }>("/api/sessions", { cookie: admin.cookie });
    expect(own.body.sessions.map((session) => session.code)).toContain(code);
  });

  it("are for admins and the machine's assigned technicians, for online machines, while the switch is on", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const machine = await storedMachine(admin);
    const notFound = { code: "NOT_FOUND", message: "There is no machine with this id that you may connect to." };
    // Not assigned: the machine is as good as not there.
    expect(await connect(machine, tech)).toEqual({ status: 404, body: { error: notFound } });
    const assigned = await call(`/api/machines/${machine.id}/technicians/${tech.id}`, {
      method: "PUT",
      cookie: admin.cookie,
    });
    expect(assigned.status).toBe(204);
    // Assigned, but its agent was never heard from.
    const offline = await connect(machine, tech);
    expect(offline.status).toBe(409);
    expect(offline.body.error.code).toBe("MACHINE_OFFLINE");
    await beat(machine);
    expect((await connect(machine, tech)).status).toBe(201);

    const unknown = { id: base64url(new Uint8Array(32)), secretKey: new Uint8Array(32) };
    expect(await connect(unknown, admin)).toEqual({ status: 404, body: { error: notFound } });
    expect((await connect(machine, null)).status).toBe(401);
    const off = await connect(machine, admin, false);
    expect(off.status).toBe(403);
    expect(off.body.error.code).toBe("UNATTENDED_OFF");
    expect(
      await env.DB.prepare("SELECT COUNT(*) AS n FROM machine_sessions WHERE machine_id = ?")
        .bind(machine.id)
        .first("n"),
    ).toBe(1);
  });

  it("are named only to their own machine, only while they live, and go with a removed machine", async () => {
    const admin = await person("Ada Admin", true);
    const [machine, other] = [await storedMachine(admin, "one"), await storedMachine(admin, "two")];
    await Promise.all([beat(machine), beat(other)]);
    const first = MachineSession.parse((await connect<MachineSession>(machine, admin)).body);
    const second = MachineSession.parse((await connect<MachineSession>(machine, admin)).body);
    // Newest first.
    expect((await beat(machine)).sessions.map((session) => session.code)).toEqual([second.code, first.code]);
    expect((await beat(other)).sessions).toEqual([]);
    // An ended session is not joined again.
    await env.DB.prepare("UPDATE sessions SET ended_at = ? WHERE code = ?").bind(Date.now(), second.code).run();
    expect((await beat(machine)).sessions.map((session) => session.code)).toEqual([first.code]);

    expect((await call(`/api/machines/${machine.id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(204);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM machine_sessions WHERE machine_id = ?")
      .bind(machine.id)
      .first("n");
    expect(rows).toBe(0);
  });
});
