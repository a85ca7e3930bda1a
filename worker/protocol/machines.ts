import * as z from "zod/mini";
import { nameSchema } from "./names.ts";

// Machines enrolled for unattended access (UNATTENDED_ACCESS = "on"): an admin makes a one-time enrolment link in the
// console; the native agent on the machine (`node tether-agent.mjs enrol LINK`) makes the machine's Ed25519 key
// there, and registers its public key with a signature that proves it holds the private one. The machine's id is the
// SHA-256 of its public key (base64url), so that nobody, the server included, can give another key the same id.

/** Largest JSON body the machine endpoints accept, in bytes. */
export const MAX_MACHINE_BODY_BYTES = 4 * 1024;

/** An Ed25519 public key: 32 bytes, 43 base64url characters. */
const PublicKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, "must be 32 bytes of base64url"));
/** An Ed25519 signature: 64 bytes, 86 base64url characters. */
const Signature = z.string().check(z.regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, "must be 64 bytes of base64url"));

/** A machine's id: the SHA-256 of its public key, base64url (43 characters). */
export const MachineId = z.string().check(z.regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, "must be a machine id"));

/** A machine's name in the console, its host name unless an admin renamed it. */
export const MachineName = /* @__PURE__ */ nameSchema("The machine's name", 80);

/** The machine's operating system, as its agent reports it ("Linux 6.1.0-28-amd64"). */
export const MachineOs = z.string().check(z.minLength(1), z.maxLength(80), z.regex(/^[\x20-\x7e]+$/, "must be ASCII"));

/** A one-time enrolment token (the fragment of the enrolment link). */
export const EnrolmentToken = z.string().check(z.minLength(16), z.maxLength(200), z.regex(/^[A-Za-z0-9_-]+$/));

/** The response of POST /api/machines/enrolments (admins): the link the agent enrols with, once, until `expiresAt`. */
export const MachineEnrolment = z.object({ url: z.string().check(z.maxLength(2048)), expiresAt: z.int() });
export type MachineEnrolment = z.infer<typeof MachineEnrolment>;

/** The body of POST /api/machines: the agent enrols its machine with the link's token. */
export const EnrolMachineBody = z.object({
  token: EnrolmentToken,
  publicKey: PublicKey,
  name: MachineName,
  os: MachineOs,
  /** Ed25519 over enrolmentMessage(site origin, token), with the machine's private key. */
  signature: Signature,
});
export type EnrolMachineBody = z.infer<typeof EnrolMachineBody>;

/** One machine in the console; times are milliseconds since the epoch, `lastSeenAt` null while it never connected. */
export const MachineSummary = z.object({
  id: MachineId,
  name: z.string().check(z.maxLength(80)),
  os: z.string().check(z.maxLength(80)),
  enrolledAt: z.int(),
  lastSeenAt: z.nullable(z.int()),
  /** Whether its agent's last heartbeat came within the last ONLINE_HEARTBEATS × MACHINE_HEARTBEAT_S. */
  isOnline: z.boolean(),
});
export type MachineSummary = z.infer<typeof MachineSummary>;

/** The response of POST /api/machines (201) and PATCH /api/machines/:id. */
export const MachineResponse = z.object({ machine: MachineSummary });
export type MachineResponse = z.infer<typeof MachineResponse>;

/** The response of GET /api/machines (admins). */
export const MachineList = z.object({ machines: z.array(MachineSummary).check(z.maxLength(1000)) });
export type MachineList = z.infer<typeof MachineList>;

/** The body of PATCH /api/machines/:id (admins). */
export const RenameMachineBody = z.object({ name: MachineName });

export const MachineIdParam = z.object({ id: MachineId });

/**
 * What a machine signs to enrol: the site and the token, so that a signature made for one site or one link is good
 * for no other.
 */
export function enrolmentMessage(origin: string, token: string): Uint8Array {
  return new TextEncoder().encode(`tether/machine-enrolment/v1\n${origin}\n${token}`);
}

/**
 * The body of POST /api/machines/:id/heartbeat, which the agent of an enrolled machine sends while it runs (`serve`):
 * its clock's time (milliseconds since the epoch) and an Ed25519 signature over heartbeatMessage with its key. The
 * site takes a time within MAX_HEARTBEAT_SKEW_MS of its own, and newer than the last it took.
 */
export const HeartbeatBody = z.object({ at: z.int().check(z.gte(0)), signature: Signature });
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

/** The answer to a heartbeat: send the next one in `nextInS` seconds (the site's MACHINE_HEARTBEAT_S). */
export const HeartbeatResponse = z.object({ nextInS: z.int().check(z.gte(1), z.lte(60)) });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** How far a heartbeat's time may be from the site's, either way. */
export const MAX_HEARTBEAT_SKEW_MS = 5 * 60_000;

/**
 * What a machine signs for a heartbeat: the site, the machine and the time, so that a signature is good for one
 * heartbeat of one machine at one site.
 */
export function heartbeatMessage(origin: string, machineId: string, at: number): Uint8Array {
  return new TextEncoder().encode(`tether/machine-heartbeat/v1\n${origin}\n${machineId}\n${at}`);
}

/** A machine is online while its last heartbeat is at most this many heartbeats old. */
export const ONLINE_HEARTBEATS = 3;

/** A machine's id as people compare it (the agent's terminal, the console): its first 16 characters in fours. */
export function machineFingerprint(id: string): string {
  return (id.slice(0, 16).match(/.{1,4}/g) ?? []).join("-");
}
