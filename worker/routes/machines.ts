import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  EnrolMachineBody,
  enrolmentMessage,
  HeartbeatBody,
  type HeartbeatResponse,
  heartbeatMessage,
  MAX_HEARTBEAT_SKEW_MS,
  MAX_MACHINE_BODY_BYTES,
  type MachineEnrolment,
  MachineIdParam,
  type MachineList,
  type MachineResponse,
  MachineTechnicianParam,
  RenameMachineBody,
} from "#protocol/machines.ts";
import { machineIdOf } from "../../client/core/machine-handshake.ts";
import { isSignedByMachine } from "../auth/machine-signature.ts";
import { fromBase64url, hashToken, newToken } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import {
  assignMachine,
  mayReachMachine,
  missingParty,
  reachableMachines,
  unassignMachine,
} from "../db/machine-access.ts";
import { machineJoins } from "../db/machine-sessions.ts";
import {
  consumeEnrolment,
  findMachine,
  insertEnrolment,
  insertMachine,
  machinePublicKey,
  type Presence,
  recordHeartbeat,
  removeMachine,
  renameMachine,
} from "../db/machines.ts";
import { AppError } from "../errors.ts";
import { type LogEvent, log } from "../log.ts";
import { audit, technicianActor } from "../middleware/audit.ts";
import { requireAdmin, requireTechnician } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";
import { machineSessions, wakeMachine } from "./machine-sessions.ts";

/** Refuses every machine route while UNATTENDED_ACCESS is off, before any sign-in is asked for. */
export const requireUnattended = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("config").UNATTENDED_ACCESS) {
    throw new AppError(
      "UNATTENDED_OFF",
      403,
      "Unattended access is off on this site (UNATTENDED_ACCESS in wrangler.toml [vars]).",
    );
  }
  await next();
});

function noMachine(): AppError {
  return new AppError("NOT_FOUND", 404, "There is no machine with this id.");
}

function noTechnician(): AppError {
  return new AppError("NOT_FOUND", 404, "There is no technician with this id.");
}

/**
 * Heartbeats one client address may send a minute: enough for this many machines behind one NAT, each beating every
 * MACHINE_HEARTBEAT_S. Generous, because a machine refused goes offline in the console; a heartbeat costs one read,
 * one signature check and one write.
 */
const MACHINES_PER_ADDRESS = 200;

/** What the machines' `isOnline` is judged by at `now`. */
function presence(config: Config, now: number): Presence {
  return { now, heartbeatS: config.MACHINE_HEARTBEAT_S };
}

type HeartbeatRefusal = Extract<LogEvent, { event: "machine_heartbeat_refused" }>["reason"];

/** The error a refused heartbeat of the enrolled machine `machineId` answers, logged: an operator may need to act. */
function heartbeatRefused(
  machineId: string,
  reason: HeartbeatRefusal,
  code: "MACHINE_KEY_INVALID" | "BAD_REQUEST",
  message: string,
): AppError {
  log({ event: "machine_heartbeat_refused", machineId, reason });
  return new AppError(code, 400, message);
}

/**
 * Machines for unattended access (/api/machines): an admin makes a one-time enrolment link, the agent on the machine
 * enrols with it (no sign-in: the link and the machine's signature are its credentials) and then beats while it serves
 * (signed again), with a line open on which the site wakes it (proved by a signature too); admins list, rename and
 * remove machines, and assign them to the technicians who may reach them. Every technician lists the machines they may
 * reach.
 */
export const machines = new Hono<AppEnv>()
  .use(requireUnattended)
  .post("/enrolments", requireAdmin, async (c) => {
    const adminId = c.get("technician").id;
    const token = newToken();
    const now = Date.now();
    // An enrolment link lives as long as a technician's invite: both let someone in once.
    const expiresAt = now + c.get("config").INVITE_TTL_S * 1000;
    await insertEnrolment(c.env.DB, {
      tokenHash: await hashToken(token),
      createdBy: adminId,
      createdAt: now,
      expiresAt,
    });
    log({ event: "machine_enrolment_created", technicianId: adminId, expiresAt });
    await audit(c, "machine_enrolment_created", { expiresAt });
    // In the fragment, as invites have it: a browser that opens the link never sends the token to a server.
    const url = `${new URL(c.req.url).origin}/enrol-machine#${token}`;
    return c.json<MachineEnrolment>({ url, expiresAt }, 201);
  })
  .post(
    "/",
    rateLimit("signin", (config) => config.RATE_SIGNIN_PER_MIN),
    jsonBody(MAX_MACHINE_BODY_BYTES),
    validate("json", EnrolMachineBody),
    async (c) => {
      const { token, publicKey, name, os, signature } = c.req.valid("json");
      // Checked before the link is used up, so that a request that proves nothing cannot spend someone's link.
      if (!isSignedByMachine(publicKey, signature, enrolmentMessage(new URL(c.req.url).origin, token))) {
        throw new AppError(
          "MACHINE_KEY_INVALID",
          400,
          "The machine's signature does not verify with the public key it sent; enrol it again with the agent.",
        );
      }
      const now = Date.now();
      const enrolledBy = await consumeEnrolment(c.env.DB, await hashToken(token), now);
      if (enrolledBy === null) {
        throw new AppError(
          "ENROLMENT_INVALID",
          400,
          "This enrolment link is unknown, used or expired; make a new one in the console.",
        );
      }
      // The schema took exactly 32 bytes of base64url, and the signature check decoded them already.
      const id = machineIdOf(fromBase64url(publicKey) ?? new Uint8Array());
      const machine = await insertMachine(
        c.env.DB,
        { id, publicKey, name, os, enrolledBy, enrolledAt: now },
        presence(c.get("config"), now),
      );
      if (!machine) {
        throw new AppError(
          "CONFLICT",
          409,
          "This machine's key is already enrolled; remove the machine in the console first to enrol it again.",
        );
      }
      // No one is signed in here: the admin who made the link let the machine in.
      log({ event: "machine_enrolled", machineId: id, enrolledBy });
      await audit(c, "machine_enrolled", { machine: id }, { actor: technicianActor(enrolledBy) });
      return c.json<MachineResponse>({ machine }, 201);
    },
  )
  // The agent of an enrolled machine, while it serves: no sign-in, the machine's signature is its credential. Nothing
  // is audited or logged per accepted heartbeat, which would flood both.
  .post(
    "/:id/heartbeat",
    rateLimit("heartbeat", (config) => MACHINES_PER_ADDRESS * Math.ceil(60 / config.MACHINE_HEARTBEAT_S)),
    validate("param", MachineIdParam),
    jsonBody(MAX_MACHINE_BODY_BYTES),
    validate("json", HeartbeatBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const { at, isBusy, signature } = c.req.valid("json");
      const publicKey = await machinePublicKey(c.env.DB, id);
      // The agent stops on this answer: the machine was removed, so nothing it says counts any more.
      if (publicKey === null) {
        throw new AppError("NOT_FOUND", 404, "This machine is not enrolled (it may have been removed in the console).");
      }
      const message = heartbeatMessage(new URL(c.req.url).origin, id, at, isBusy);
      if (!isSignedByMachine(publicKey, signature, message)) {
        throw heartbeatRefused(
          id,
          "signature",
          "MACHINE_KEY_INVALID",
          "The heartbeat's signature does not verify with this machine's enrolled key; if its identity file was replaced, remove the machine in the console and enrol it again.",
        );
      }
      const now = Date.now();
      if (Math.abs(at - now) > MAX_HEARTBEAT_SKEW_MS) {
        throw heartbeatRefused(
          id,
          "clock",
          "BAD_REQUEST",
          `This heartbeat's time is more than ${MAX_HEARTBEAT_SKEW_MS / 60_000} minutes off the site's clock; set the machine's clock right.`,
        );
      }
      // The time must also be newer than the last one taken, in the statement that takes it: of two copies of one
      // heartbeat, only one counts.
      if (!(await recordHeartbeat(c.env.DB, id, { at, isBusy }, now))) {
        throw heartbeatRefused(
          id,
          "replayed",
          "BAD_REQUEST",
          "This heartbeat is not newer than the last one taken from this machine: it was replayed, or the machine's clock went back.",
        );
      }
      const sessions = await machineJoins(c.env.DB, id, now);
      return c.json<HeartbeatResponse>({ nextInS: c.get("config").MACHINE_HEARTBEAT_S, sessions });
    },
  )
  // The agent's line (protocol/machines.ts), on which the site wakes it when a session is opened with it. No sign-in:
  // the socket proves the machine by the answer its key signs, which its line checks against the key D1 holds.
  .get(
    "/:id/line",
    // Each agent keeps one line open and reconnects with backoff: twice a minute per machine behind one address.
    rateLimit("line", () => MACHINES_PER_ADDRESS * 2),
    validate("param", MachineIdParam),
    async (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new AppError("BAD_REQUEST", 426, "This endpoint only accepts WebSocket connections.");
      }
      const { id } = c.req.valid("param");
      const host = c.get("host");
      // D1 answers for machines that do not exist, so that made-up ids never instantiate a line.
      const publicKey = await machinePublicKey(c.env.DB, id);
      if (publicKey === null) {
        return host.refuseSocket(
          c.req.raw,
          "NOT_FOUND",
          "This machine is not enrolled (it may have been removed in the console).",
        );
      }
      return host.machineLine(id).connect(c.req.raw, { publicKey, origin: new URL(c.req.url).origin });
    },
  )
  .get("/", requireTechnician, async (c) => {
    const at = presence(c.get("config"), Date.now());
    return c.json<MachineList>({ machines: await reachableMachines(c.env.DB, c.get("technician"), at) });
  })
  // One machine, as the list gives it but without `technicianIds`: what a viewer of a session with it reads.
  .get("/:id", requireTechnician, validate("param", MachineIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const machine = await findMachine(c.env.DB, id, presence(c.get("config"), Date.now()));
    // One answer for a machine that does not exist and one this technician may not reach, as for its sessions.
    if (!machine || !(await mayReachMachine(c.env.DB, id, c.get("technician")))) throw noMachine();
    return c.json<MachineResponse>({ machine });
  })
  .patch(
    "/:id",
    requireAdmin,
    validate("param", MachineIdParam),
    jsonBody(MAX_MACHINE_BODY_BYTES),
    validate("json", RenameMachineBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const machine = await renameMachine(
        c.env.DB,
        id,
        c.req.valid("json").name,
        presence(c.get("config"), Date.now()),
      );
      if (!machine) throw noMachine();
      log({ event: "machine_renamed", machineId: id, by: c.get("technician").id });
      await audit(c, "machine_renamed", { machine: id });
      return c.json<MachineResponse>({ machine });
    },
  )
  .delete("/:id", requireAdmin, validate("param", MachineIdParam), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await removeMachine(c.env.DB, id))) throw noMachine();
    log({ event: "machine_removed", machineId: id, by: c.get("technician").id });
    await audit(c, "machine_removed", { machine: id });
    // Its agent, woken, beats, hears that the machine is gone and stops now rather than at its next heartbeat.
    await wakeMachine(c.get("host"), id);
    return c.body(null, 204);
  })
  // Assigning an admin is allowed, and changes nothing while they are one: it counts once they are not.
  .put("/:id/technicians/:technicianId", requireAdmin, validate("param", MachineTechnicianParam), async (c) => {
    const { id, technicianId } = c.req.valid("param");
    const by = c.get("technician").id;
    const outcome = await assignMachine(c.env.DB, {
      machineId: id,
      technicianId,
      assignedBy: by,
      assignedAt: Date.now(),
    });
    if (outcome === "no_machine") throw noMachine();
    if (outcome === "no_technician") throw noTechnician();
    log({ event: "machine_assigned", machineId: id, technicianId, by });
    await audit(c, "machine_assigned", { machine: id, technician: technicianId });
    return c.body(null, 204);
  })
  .delete("/:id/technicians/:technicianId", requireAdmin, validate("param", MachineTechnicianParam), async (c) => {
    const { id, technicianId } = c.req.valid("param");
    if (!(await unassignMachine(c.env.DB, id, technicianId))) {
      const missing = await missingParty(c.env.DB, id, technicianId);
      if (missing === "no_machine") throw noMachine();
      if (missing === "no_technician") throw noTechnician();
      throw new AppError("NOT_FOUND", 404, "This machine is not assigned to this technician.");
    }
    const by = c.get("technician").id;
    log({ event: "machine_unassigned", machineId: id, technicianId, by });
    await audit(c, "machine_unassigned", { machine: id, technician: technicianId });
    return c.body(null, 204);
  })
  .route("/", machineSessions);
