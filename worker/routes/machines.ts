import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  EnrolMachineBody,
  enrolmentMessage,
  MAX_MACHINE_BODY_BYTES,
  type MachineEnrolment,
  MachineIdParam,
  type MachineList,
  type MachineResponse,
  RenameMachineBody,
} from "#protocol/machines.ts";
import { base64url, hashToken, newToken } from "../auth/tokens.ts";
import {
  consumeEnrolment,
  insertEnrolment,
  insertMachine,
  listMachines,
  removeMachine,
  renameMachine,
} from "../db/machines.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { audit, technicianActor } from "../middleware/audit.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

/** Refuses every machine route while UNATTENDED_ACCESS is off, before any sign-in is asked for. */
const requireUnattended = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("config").UNATTENDED_ACCESS) {
    throw new AppError(
      "UNATTENDED_OFF",
      403,
      "Unattended access is off on this site (UNATTENDED_ACCESS in wrangler.toml [vars]).",
    );
  }
  await next();
});

/** The bytes of base64url text whose length and last character the body's schema has already checked. */
function decodeBase64url(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
}

/**
 * Whether `signature` signs the enrolment of `token` on `origin` with `publicKey`. Strict RFC 8032 verification:
 * the lenient kind accepts small-order keys, for which anyone can make a signature, and this key is to vouch for the
 * machine from now on.
 */
function isSignedByMachine(publicKey: Uint8Array, signature: string, origin: string, token: string): boolean {
  return ed25519.verify(decodeBase64url(signature), enrolmentMessage(origin, token), publicKey, { zip215: false });
}

function noMachine(): AppError {
  return new AppError("NOT_FOUND", 404, "There is no machine with this id.");
}

/**
 * Machines for unattended access (/api/machines): an admin makes a one-time enrolment link, the agent on the machine
 * enrols with it (no sign-in: the link and the machine's signature are its credentials), and admins list, rename and
 * remove machines.
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
      const key = decodeBase64url(publicKey);
      // Checked before the link is used up, so that a request that proves nothing cannot spend someone's link.
      if (!isSignedByMachine(key, signature, new URL(c.req.url).origin, token)) {
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
      const id = base64url(sha256(key));
      const machine = await insertMachine(c.env.DB, { id, publicKey, name, os, enrolledBy, enrolledAt: now });
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
  .get("/", requireAdmin, async (c) => {
    return c.json<MachineList>({ machines: await listMachines(c.env.DB) });
  })
  .patch(
    "/:id",
    requireAdmin,
    validate("param", MachineIdParam),
    jsonBody(MAX_MACHINE_BODY_BYTES),
    validate("json", RenameMachineBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const machine = await renameMachine(c.env.DB, id, c.req.valid("json").name);
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
    return c.body(null, 204);
  });
