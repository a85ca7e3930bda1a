import { Hono } from "hono";
import { MachineIdParam, type MachineSession, ONLINE_HEARTBEATS } from "#protocol/machines.ts";
import { seatKeyHash } from "../../client/core/link-secret.ts";
import { base64url } from "../auth/tokens.ts";
import { mayReachMachine } from "../db/machine-access.ts";
import { insertMachineSession } from "../db/machine-sessions.ts";
import { findMachine } from "../db/machines.ts";
import { AppError } from "../errors.ts";
import type { Host } from "../host.ts";
import { log } from "../log.ts";
import { audit } from "../middleware/audit.ts";
import { requireTechnician } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";
import { openRoom, storedNameProblem } from "./sessions.ts";

/**
 * Has the agent of the machine `machineId` beat now, through its line if one is open: to find a session opened with
 * it, or that it was removed. A line that cannot be told only leaves the agent to learn it at its next heartbeat, so
 * what the route did stands.
 */
export async function wakeMachine(host: Host, machineId: string): Promise<void> {
  try {
    await host.machineLine(machineId).wake();
  } catch (err) {
    log({ event: "machine_line_wake_failed", machineId, message: String(err).slice(0, 200) });
  }
}

/**
 * Unattended connections (/api/machines/:id/sessions): a technician allowed to reach an enrolled machine opens a
 * session with it. The room is made as for a customer, its customer seat for a key the site makes here, which the
 * machine's agent gets in its next heartbeat's answer and no one else does; its line, if it keeps one open, has it
 * beat at once. That key only seats the agent: the machine proves who it is to the technician's viewer in the
 * session's handshake, signed with its own key (client/core/machine-handshake.ts), which the site never holds, so
 * neither the site nor a relay can stand in for it.
 * Mounted by the machines routes (machines.ts), behind their UNATTENDED_ACCESS check.
 */
export const machineSessions = new Hono<AppEnv>().post(
  "/:id/sessions",
  requireTechnician,
  rateLimit("create", (config) => config.RATE_CREATE_PER_MIN),
  validate("param", MachineIdParam),
  async (c) => {
    const { id } = c.req.valid("param");
    const technician = c.get("technician");
    const config = c.get("config");
    const now = Date.now();
    const machine = await findMachine(c.env.DB, id, { now, heartbeatS: config.MACHINE_HEARTBEAT_S });
    // One answer for a machine that does not exist and one this technician may not reach: nobody learns of machines
    // that are not theirs.
    if (!machine || !(await mayReachMachine(c.env.DB, id, technician))) {
      throw new AppError("NOT_FOUND", 404, "There is no machine with this id that you may connect to.");
    }
    if (!machine.isOnline) {
      throw new AppError(
        "MACHINE_OFFLINE",
        409,
        `This machine's agent has not been heard from for ${config.MACHINE_HEARTBEAT_S * ONLINE_HEARTBEATS} seconds; it is not running or cannot reach the site.`,
      );
    }
    // The machine's person, if one is there, reads this name on the strip that says who is connected.
    const problem = storedNameProblem(technician.name);
    if (problem) throw new AppError("INVALID_NAME", 409, problem);
    const seatKey = crypto.getRandomValues(new Uint8Array(32));
    const owner = { id: technician.id, name: technician.name };
    const created = await openRoom(c.env, c.get("host"), config, {
      owner,
      caseNumber: null,
      reference: null,
      customerKeyHash: seatKeyHash(seatKey),
    });
    await insertMachineSession(c.env.DB, { code: created.code, machineId: id, seatKey: base64url(seatKey) });
    await wakeMachine(c.get("host"), id);
    log({ event: "machine_session_opened", machineId: id, technicianId: technician.id, code: created.code });
    await audit(c, "machine_session_opened", { machine: id }, { session: created.code });
    return c.json<MachineSession>(created, 201);
  },
);
