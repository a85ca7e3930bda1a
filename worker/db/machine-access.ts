import type { MachineSummary } from "#protocol/machines.ts";
import { listMachines, type Presence } from "./machines.ts";

// D1's machine_technicians (migration 0011): which technicians may reach which enrolled machine. The policy: admins
// reach every machine; any other technician only the machines an admin assigned to them. Every time is passed in.

/** Who asks to reach a machine, as stored now (the sign-in check reads the role afresh on every request). */
export type Reacher = { id: string; isAdmin: boolean };

/** Whether the machine `machineId` exists and `technician` may reach it: an admin, or assigned to it. */
export async function mayReachMachine(db: D1Database, machineId: string, technician: Reacher): Promise<boolean> {
  // An assignment goes with its machine (ON DELETE CASCADE), so finding one also says that the machine exists.
  const found = technician.isAdmin
    ? db.prepare("SELECT 1 AS found FROM machines WHERE id = ?").bind(machineId)
    : db
        .prepare("SELECT 1 AS found FROM machine_technicians WHERE machine_id = ? AND technician_id = ?")
        .bind(machineId, technician.id);
  return (await found.first<number>("found")) !== null;
}

export type Assignment = { machineId: string; technicianId: string; assignedBy: string; assignedAt: number };

/**
 * Lets the technician reach the machine. Assigning again changes nothing and is "assigned" too (the first
 * assignment's admin and time stay); otherwise says which of the two does not exist.
 */
export async function assignMachine(
  db: D1Database,
  assignment: Assignment,
): Promise<"assigned" | "no_machine" | "no_technician"> {
  const { machineId, technicianId, assignedBy, assignedAt } = assignment;
  // One batch, one transaction: the row goes in only when both exist, and the check says why when it did not.
  const [, checked] = await db.batch<{ hasMachine: number; hasTechnician: number }>([
    db
      .prepare(
        `INSERT INTO machine_technicians (machine_id, technician_id, assigned_by, assigned_at)
         SELECT m.id, t.id, ?, ? FROM machines m JOIN technicians t ON t.id = ? WHERE m.id = ?
         ON CONFLICT DO NOTHING`,
      )
      .bind(assignedBy, assignedAt, technicianId, machineId),
    existence(db, machineId, technicianId),
  ]);
  const row = checked?.results[0];
  if (!row?.hasMachine) return "no_machine";
  if (!row.hasTechnician) return "no_technician";
  return "assigned";
}

/** Takes the machine back from the technician; false when it was not assigned to them. */
export async function unassignMachine(db: D1Database, machineId: string, technicianId: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM machine_technicians WHERE machine_id = ? AND technician_id = ?")
    .bind(machineId, technicianId)
    .run();
  return result.meta.changes > 0;
}

/** Which of the machine and the technician does not exist (the machine first), or null when both do. */
export async function missingParty(
  db: D1Database,
  machineId: string,
  technicianId: string,
): Promise<"no_machine" | "no_technician" | null> {
  const row = await existence(db, machineId, technicianId).first<{ hasMachine: number; hasTechnician: number }>();
  if (!row?.hasMachine) return "no_machine";
  return row.hasTechnician ? null : "no_technician";
}

function existence(db: D1Database, machineId: string, technicianId: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM machines WHERE id = ?) AS hasMachine,
         EXISTS (SELECT 1 FROM technicians WHERE id = ?) AS hasTechnician`,
    )
    .bind(machineId, technicianId);
}

/**
 * The machines `technician` may reach, as listMachines gives them (newest first, of the newest 1000): for an admin
 * every one, each with the ids of the technicians assigned to it; for anyone else only theirs, without.
 */
export async function reachableMachines(
  db: D1Database,
  technician: Reacher,
  presence: Presence,
): Promise<MachineSummary[]> {
  if (technician.isAdmin) {
    const [machines, assigned] = await Promise.all([listMachines(db, presence), assignedTechnicians(db)]);
    return machines.map((machine) => ({ ...machine, technicianIds: assigned.get(machine.id) ?? [] }));
  }
  const { results } = await db
    .prepare("SELECT machine_id FROM machine_technicians WHERE technician_id = ?")
    .bind(technician.id)
    .all<{ machine_id: string }>();
  if (results.length === 0) return [];
  const theirs = new Set(results.map((row) => row.machine_id));
  return (await listMachines(db, presence)).filter((machine) => theirs.has(machine.id));
}

/** Every assignment, as the ids of the technicians assigned to each machine (in id order). */
async function assignedTechnicians(db: D1Database): Promise<Map<string, string[]>> {
  const { results } = await db
    .prepare("SELECT machine_id, technician_id FROM machine_technicians ORDER BY machine_id, technician_id")
    .all<{ machine_id: string; technician_id: string }>();
  const byMachine = new Map<string, string[]>();
  for (const { machine_id, technician_id } of results) {
    const ids = byMachine.get(machine_id);
    if (ids) ids.push(technician_id);
    else byMachine.set(machine_id, [technician_id]);
  }
  return byMachine;
}
