import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AuditEntriesPage, AuditEntry } from "#protocol/audit.ts";
import { MachineList, MachineResponse } from "#protocol/machines.ts";
import { assignMachine, mayReachMachine, unassignMachine } from "../../worker/db/machine-access.ts";
import { call, machineAuditEntries, type Person, person, storedMachine } from "../helpers/workers/machines.ts";

// Which technicians may reach which enrolled machine: admins every one, anyone else the machines an admin assigned to
// them (PUT and DELETE /api/machines/:id/technicians/:technicianId), which is what GET /api/machines lists for them.
// wrangler.toml leaves UNATTENDED_ACCESS off, so the Worker as deployed (SELF) shows the switch off; the same app is
// called with the switch on through bindings of the test's own. Machines are put straight into D1 here: how they
// enrol is test/integration/machines.test.ts's.

function assignment(machineId: string, technicianId: string): string {
  return `/api/machines/${machineId}/technicians/${encodeURIComponent(technicianId)}`;
}

/** GET /api/machines as `who`, checked against the protocol's schema. */
async function listFor(who: Person): Promise<MachineList> {
  const list = await call<MachineList>("/api/machines", { cookie: who.cookie });
  expect(list.status).toBe(200);
  return MachineList.parse(list.body);
}

/** The assignments stored for `machineId`: technician, admin who assigned, time. */
async function storedAssignments(machineId: string) {
  const { results } = await env.DB.prepare(
    "SELECT technician_id, assigned_by, assigned_at FROM machine_technicians WHERE machine_id = ? ORDER BY technician_id",
  )
    .bind(machineId)
    .all<{ technician_id: string; assigned_by: string | null; assigned_at: number }>();
  return results;
}

const notFound = (message: string) => ({ status: 404, body: { error: { code: "NOT_FOUND", message } } });

describe("machine access: assigning", () => {
  it("assigns a machine to a technician and takes it back, each once in the audit log", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    const before = Date.now();
    const put = await call(assignment(id, tech.id), { method: "PUT", cookie: admin.cookie });
    expect(put).toEqual({ status: 204, body: null });
    const [stored] = await storedAssignments(id);
    expect(stored).toMatchObject({ technician_id: tech.id, assigned_by: admin.id });
    expect(stored?.assigned_at).toBeGreaterThanOrEqual(before);
    expect(await machineAuditEntries(admin, "machine_assigned", id)).toEqual([
      expect.objectContaining({ actor: `technician:${admin.id}`, data: { machine: id, technician: tech.id } }),
    ]);

    const removed = await call(assignment(id, tech.id), { method: "DELETE", cookie: admin.cookie });
    expect(removed).toEqual({ status: 204, body: null });
    expect(await storedAssignments(id)).toEqual([]);
    expect(await machineAuditEntries(admin, "machine_unassigned", id)).toEqual([
      expect.objectContaining({ actor: `technician:${admin.id}`, data: { machine: id, technician: tech.id } }),
    ]);
    // The audit log finds both by the technician they were about.
    const page = await call<AuditEntriesPage>(`/api/audit/entries?technician=${tech.id}`, { cookie: admin.cookie });
    const types = page.body.entries.map((line) => (JSON.parse(line) as AuditEntry).type);
    expect(types).toEqual(["machine_assigned", "machine_unassigned"]);
  });

  it("is idempotent: a second assignment answers 204 and keeps the first one's admin and time", async () => {
    const admin = await person("Ada Admin", true);
    const other = await person("Otto Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    expect((await call(assignment(id, tech.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    const [first] = await storedAssignments(id);
    const again = await call(assignment(id, tech.id), { method: "PUT", cookie: other.cookie });
    expect(again).toEqual({ status: 204, body: null });
    expect(await storedAssignments(id)).toEqual([first]);
    expect(
      await assignMachine(env.DB, { machineId: id, technicianId: tech.id, assignedBy: other.id, assignedAt: 1 }),
    ).toBe("assigned");
    expect(await storedAssignments(id)).toEqual([first]);
  });

  it("answers NOT_FOUND naming what is missing: the machine, the technician, or the assignment", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    const gone = (await storedMachine(admin, "gone")).id;
    await env.DB.prepare("DELETE FROM machines WHERE id = ?").bind(gone).run();
    const nobody = crypto.randomUUID();
    const noMachine = notFound("There is no machine with this id.");
    const noTechnician = notFound("There is no technician with this id.");
    for (const method of ["PUT", "DELETE"]) {
      expect(await call(assignment(gone, tech.id), { method, cookie: admin.cookie }), method).toEqual(noMachine);
      // Neither exists: the machine is named first.
      expect(await call(assignment(gone, nobody), { method, cookie: admin.cookie }), method).toEqual(noMachine);
      expect(await call(assignment(id, nobody), { method, cookie: admin.cookie }), method).toEqual(noTechnician);
    }
    const notAssigned = await call(assignment(id, tech.id), { method: "DELETE", cookie: admin.cookie });
    expect(notAssigned).toEqual(notFound("This machine is not assigned to this technician."));
    expect(await storedAssignments(id)).toEqual([]);
    expect(await storedAssignments(gone)).toEqual([]);
    expect(await machineAuditEntries(admin, "machine_assigned", id)).toEqual([]);
    expect(await machineAuditEntries(admin, "machine_unassigned", id)).toEqual([]);
    // The database functions say the same.
    const direct = { assignedBy: admin.id, assignedAt: Date.now() };
    expect(await assignMachine(env.DB, { machineId: gone, technicianId: tech.id, ...direct })).toBe("no_machine");
    expect(await assignMachine(env.DB, { machineId: id, technicianId: nobody, ...direct })).toBe("no_technician");
    expect(await unassignMachine(env.DB, id, tech.id)).toBe(false);
  });

  it("refuses a malformed machine or technician id with BAD_REQUEST", async () => {
    const admin = await person("Ada Admin", true);
    const id = (await storedMachine(admin)).id;
    const tech = await person("Tom Tech");
    for (const path of [assignment("not-a-machine-id", tech.id), assignment(id, "x".repeat(65))]) {
      for (const method of ["PUT", "DELETE"]) {
        const res = await call(path, { method, cookie: admin.cookie });
        expect(res, `${method} ${path}`).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
      }
    }
    expect(await storedAssignments(id)).toEqual([]);
  });

  it("is for admins only: a technician, even one assigned to the machine, is FORBIDDEN; nobody signed in, 401", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const colleague = await person("Cleo Colleague");
    const id = (await storedMachine(admin)).id;
    expect((await call(assignment(id, tech.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    for (const [method, target] of [
      ["PUT", colleague.id],
      ["PUT", tech.id],
      ["DELETE", tech.id],
    ] as const) {
      const asTech = await call(assignment(id, target), { method, cookie: tech.cookie });
      expect(asTech, `${method} ${target}`).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
      const signedOut = await call(assignment(id, target), { method });
      expect(signedOut, `${method} ${target}`).toMatchObject({
        status: 401,
        body: { error: { code: "UNAUTHENTICATED" } },
      });
    }
    expect((await storedAssignments(id)).map((row) => row.technician_id)).toEqual([tech.id]);
    expect(await machineAuditEntries(admin, "machine_assigned", id)).toHaveLength(1);
  });
});

describe("machine access: GET /api/machines", () => {
  it("lists every machine to an admin, with whom each is assigned to, and to a technician only theirs, without", async () => {
    const admin = await person("Ada Admin", true);
    const tom = await person("Tom Tech");
    const una = await person("Una Tech");
    const shared = (await storedMachine(admin, "shared")).id;
    const tomsOwn = (await storedMachine(admin, "toms-own")).id;
    const nobodys = (await storedMachine(admin, "nobodys")).id;
    for (const [id, who] of [
      [shared, tom],
      [shared, una],
      [tomsOwn, tom],
    ] as const) {
      expect((await call(assignment(id, who.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    }

    const all = (await listFor(admin)).machines;
    const byId = new Map(all.map((m) => [m.id, m]));
    expect(byId.get(shared)?.technicianIds).toEqual([tom.id, una.id].sort());
    expect(byId.get(tomsOwn)?.technicianIds).toEqual([tom.id]);
    expect(byId.get(nobodys)?.technicianIds).toEqual([]);
    // Every machine an admin sees carries the list, even one nobody is assigned to.
    expect(all.every((m) => Array.isArray(m.technicianIds))).toBe(true);

    const toms = (await listFor(tom)).machines;
    expect(toms.map((m) => m.id).sort()).toEqual([shared, tomsOwn].sort());
    for (const m of toms) expect(m).not.toHaveProperty("technicianIds");
    expect(toms.find((m) => m.id === tomsOwn)).toEqual({ ...byId.get(tomsOwn), technicianIds: undefined });
    expect((await listFor(una)).machines.map((m) => m.id)).toEqual([shared]);

    // Taken back, it is gone from the technician's list at once.
    expect((await call(assignment(shared, una.id), { method: "DELETE", cookie: admin.cookie })).status).toBe(204);
    expect((await listFor(una)).machines).toEqual([]);
    expect((await listFor(admin)).machines.find((m) => m.id === shared)?.technicianIds).toEqual([tom.id]);
  });

  it("follows the role as stored now: a technician made admin sees every machine", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    expect((await listFor(tech)).machines.map((m) => m.id)).not.toContain(id);
    await env.DB.prepare("UPDATE technicians SET is_admin = 1 WHERE id = ?").bind(tech.id).run();
    expect((await listFor(tech)).machines.map((m) => m.id)).toContain(id);
  });

  it("asks for a sign-in", async () => {
    const res = await call("/api/machines");
    expect(res).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
  });
});

describe("machine access: GET /api/machines/:id", () => {
  it("answers one machine as the list has it, without technicianIds, to whoever may reach it", async () => {
    const admin = await person("Ada Admin", true);
    const tom = await person("Tom Tech");
    const una = await person("Una Tech");
    const id = (await storedMachine(admin, "toms")).id;
    expect((await call(assignment(id, tom.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    const listed = (await listFor(admin)).machines.find((m) => m.id === id);
    for (const who of [admin, tom]) {
      const one = await call<MachineResponse>(`/api/machines/${id}`, { cookie: who.cookie });
      expect(one.status).toBe(200);
      expect(MachineResponse.parse(one.body).machine).toEqual({ ...listed, technicianIds: undefined });
      expect(one.body.machine).not.toHaveProperty("technicianIds");
    }
    // Not theirs, and not there at all: the same answer, so nobody learns of machines that are not theirs.
    const notTheirs = await call(`/api/machines/${id}`, { cookie: una.cookie });
    const missing = await call(`/api/machines/${"A".repeat(43)}`, { cookie: una.cookie });
    expect(notTheirs).toEqual(notFound("There is no machine with this id."));
    expect(missing).toEqual(notTheirs);
  });

  it("refuses a malformed id with BAD_REQUEST, and asks for a sign-in", async () => {
    const admin = await person("Ada Admin", true);
    const id = (await storedMachine(admin)).id;
    const malformed = await call("/api/machines/not-an-id", { cookie: admin.cookie });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    expect(await call(`/api/machines/${id}`)).toMatchObject({
      status: 401,
      body: { error: { code: "UNAUTHENTICATED" } },
    });
  });
});

describe("machine access: removals", () => {
  it("drops a machine's assignments with the machine", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    expect((await call(assignment(id, tech.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    expect((await call(`/api/machines/${id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(204);
    expect(await storedAssignments(id)).toEqual([]);
    expect((await listFor(tech)).machines).toEqual([]);
    expect(await mayReachMachine(env.DB, id, { id: tech.id, isAdmin: false })).toBe(false);
  });

  it("drops a technician's assignments with the technician, and keeps those made by a removed admin", async () => {
    const admin = await person("Ada Admin", true);
    const other = await person("Otto Admin", true);
    const tech = await person("Tom Tech");
    const una = await person("Una Tech");
    const id = (await storedMachine(admin)).id;
    expect((await call(assignment(id, tech.id), { method: "PUT", cookie: other.cookie })).status).toBe(204);
    expect((await call(assignment(id, una.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);

    const removeTech = await call(`/api/technicians/${tech.id}`, { method: "DELETE", cookie: admin.cookie });
    expect(removeTech.status).toBe(204);
    expect((await storedAssignments(id)).map((row) => row.technician_id)).toEqual([una.id]);

    // The admin who assigned Una goes; Una keeps the machine, the assignment no longer names who made it.
    const removeAdmin = await call(`/api/technicians/${admin.id}`, { method: "DELETE", cookie: other.cookie });
    expect(removeAdmin.status).toBe(204);
    expect(await storedAssignments(id)).toEqual([
      expect.objectContaining({ technician_id: una.id, assigned_by: null }),
    ]);
    expect((await listFor(una)).machines.map((m) => m.id)).toEqual([id]);
  });
});

describe("machine access: mayReachMachine", () => {
  it("is true for an admin on any machine and for a technician on a machine assigned to them, else false", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    const other = (await storedMachine(admin, "other")).id;
    const gone = (await storedMachine(admin, "gone")).id;
    expect((await call(assignment(id, tech.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    expect((await call(assignment(gone, tech.id), { method: "PUT", cookie: admin.cookie })).status).toBe(204);
    await env.DB.prepare("DELETE FROM machines WHERE id = ?").bind(gone).run();

    const asAdmin = { id: admin.id, isAdmin: true };
    const asTech = { id: tech.id, isAdmin: false };
    // The role is what the caller passes (the sign-in check reads it afresh): Tom as an admin reaches every machine.
    const table = [
      [asAdmin, id, true],
      [asAdmin, other, true],
      [asAdmin, gone, false],
      [asTech, id, true],
      [asTech, other, false],
      [asTech, gone, false],
      [{ id: tech.id, isAdmin: true }, other, true],
      [{ id: crypto.randomUUID(), isAdmin: false }, id, false],
    ] as const;
    for (const [who, machineId, expected] of table) {
      expect(await mayReachMachine(env.DB, machineId, who), `${who.id} ${who.isAdmin} ${machineId}`).toBe(expected);
    }
    expect(await unassignMachine(env.DB, id, tech.id)).toBe(true);
    expect(await mayReachMachine(env.DB, id, asTech)).toBe(false);
  });
});

describe("machine access: UNATTENDED_ACCESS off (wrangler.toml's default)", () => {
  it("answers the list and the assignment routes UNATTENDED_OFF, for an admin and for a technician", async () => {
    const admin = await person("Ada Admin", true);
    const tech = await person("Tom Tech");
    const id = (await storedMachine(admin)).id;
    const routes = [
      ["/api/machines", "GET"],
      [`/api/machines/${id}`, "GET"],
      [assignment(id, tech.id), "PUT"],
      [assignment(id, tech.id), "DELETE"],
    ] as const;
    for (const [path, method] of routes) {
      for (const cookie of [admin.cookie, tech.cookie, undefined]) {
        const res = await call(path, { method, cookie }, false);
        expect(res, `${method} ${path}`).toMatchObject({ status: 403, body: { error: { code: "UNATTENDED_OFF" } } });
      }
    }
    expect(await storedAssignments(id)).toEqual([]);
  });
});
