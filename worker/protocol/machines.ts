import * as z from "zod/mini";
import { TechnicianIdParam } from "./auth.ts";
import { nameSchema } from "./names.ts";
import { SeatKey, SessionCode } from "./room.ts";

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
  /**
   * Its Ed25519 public key (base64url), which the technician's viewer checks against `id` (its SHA-256) and then
   * against the machine's signature in the session's handshake (client/core/machine-handshake.ts).
   */
  publicKey: PublicKey,
  name: z.string().check(z.maxLength(80)),
  os: z.string().check(z.maxLength(80)),
  enrolledAt: z.int(),
  lastSeenAt: z.nullable(z.int()),
  /** Whether its agent's last heartbeat came within the last ONLINE_HEARTBEATS × MACHINE_HEARTBEAT_S. */
  isOnline: z.boolean(),
  /**
   * Online, and busy by its last heartbeat: in a session whose technician is connected to it, so that a session
   * another technician opens now waits until that one ends (or its technician leaves).
   */
  isBusy: z.boolean(),
  /**
   * The technicians an admin assigned to it (who may reach it besides the admins), in GET /api/machines's answer to
   * an admin only; as many as GET /api/technicians lists at most.
   */
  technicianIds: z.optional(z.array(TechnicianIdParam.shape.id).check(z.maxLength(500))),
});
export type MachineSummary = z.infer<typeof MachineSummary>;

/** The response of POST /api/machines (201), PATCH /api/machines/:id and GET /api/machines/:id (without `technicianIds`). */
export const MachineResponse = z.object({ machine: MachineSummary });
export type MachineResponse = z.infer<typeof MachineResponse>;

/**
 * The response of GET /api/machines: every machine for an admin, with `technicianIds`; for any other technician the
 * machines assigned to them, without.
 */
export const MachineList = z.object({ machines: z.array(MachineSummary).check(z.maxLength(1000)) });
export type MachineList = z.infer<typeof MachineList>;

/** The body of PATCH /api/machines/:id (admins). */
export const RenameMachineBody = z.object({ name: MachineName });

export const MachineIdParam = z.object({ id: MachineId });

/**
 * The path of PUT and DELETE /api/machines/:id/technicians/:technicianId (admins): assigns the machine to the
 * technician, who may then reach it, or takes it back.
 */
export const MachineTechnicianParam = z.object({ id: MachineId, technicianId: TechnicianIdParam.shape.id });

/**
 * The response of POST /api/machines/:id/sessions (201): a session with the machine, owned by the technician who
 * asked, which the machine's agent joins at its next heartbeat. The viewer opens it at /console#view=CODE&machine=ID.
 */
export const MachineSession = z.object({ code: SessionCode, expiresAt: z.int() });
export type MachineSession = z.infer<typeof MachineSession>;

/**
 * What a machine signs to enrol: the site and the token, so that a signature made for one site or one link is good
 * for no other.
 */
export function enrolmentMessage(origin: string, token: string): Uint8Array {
  return new TextEncoder().encode(`tether/machine-enrolment/v1\n${origin}\n${token}`);
}

/**
 * The body of POST /api/machines/:id/heartbeat, which the agent of an enrolled machine sends while it runs (`serve`):
 * its clock's time (milliseconds since the epoch), whether it is busy (in a session whose technician is connected to
 * it: another technician's session waits for that one), and an Ed25519 signature over heartbeatMessage with its key.
 * The site takes a time within MAX_HEARTBEAT_SKEW_MS of its own, and newer than the last it took.
 */
export const HeartbeatBody = z.object({
  at: z.int().check(z.gte(0)),
  isBusy: z._default(z.boolean(), false),
  signature: Signature,
});
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

/** Most sessions a machine is asked to join at once (one heartbeat's answer). */
export const MAX_MACHINE_SESSIONS = 8;

/**
 * A session a technician opened with the machine, which its agent joins: the session's code and the key of its
 * customer seat, whose hash the room was created with (a site-made key: the machine proves who it is in the session's
 * handshake, with its own key, not with this).
 */
export const MachineJoin = z.object({ code: SessionCode, seatKey: SeatKey });
export type MachineJoin = z.infer<typeof MachineJoin>;

/**
 * The answer to a heartbeat: send the next one in `nextInS` seconds (the site's MACHINE_HEARTBEAT_S), and join
 * `sessions`, the live sessions technicians opened with this machine (the same ones again until they end: the agent
 * joins each once, and again after a restart).
 */
export const HeartbeatResponse = z.object({
  nextInS: z.int().check(z.gte(1), z.lte(60)),
  sessions: z._default(z.array(MachineJoin).check(z.maxLength(MAX_MACHINE_SESSIONS)), []),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** How far a heartbeat's time may be from the site's, either way. */
export const MAX_HEARTBEAT_SKEW_MS = 5 * 60_000;

/**
 * What a machine signs for a heartbeat: the site, the machine, the time and whether it is busy, so that a signature
 * is good for one heartbeat of one machine at one site, saying what the machine said.
 */
export function heartbeatMessage(origin: string, machineId: string, at: number, isBusy: boolean): Uint8Array {
  return new TextEncoder().encode(
    `tether/machine-heartbeat/v2\n${origin}\n${machineId}\n${at}\n${isBusy ? "busy" : "free"}`,
  );
}

/** A machine is online while its last heartbeat is at most this many heartbeats old. */
export const ONLINE_HEARTBEATS = 3;

/** A machine's id as people compare it (the agent's terminal, the console): its first 16 characters in fours. */
export function machineFingerprint(id: string): string {
  return (id.slice(0, 16).match(/.{1,4}/g) ?? []).join("-");
}

// The machine's line (GET /api/machines/:id/line, a WebSocket the agent keeps open while it serves): the site tells
// the agent at once that a technician opened a session with it, so that the agent beats now instead of at its next
// heartbeat. The line carries no session and no key: its one word is "wake", and the heartbeat's signed answer stays
// the only way a seat key reaches the agent. A line that fails changes nothing but the wait (the next heartbeat).
//
// 1. The site sends a `challenge` with a fresh nonce as soon as the socket opens.
// 2. The agent answers with an Ed25519 signature over lineMessage(origin, machineId, nonce) with the machine's key,
//    within LINE_ANSWER_TIMEOUT_MS; a wrong or late answer gets an `error` frame and a close (1008).
// 3. The site says `ready`; it keeps one line per machine (a newer proved line replaces the older, closed with 1000).
// 4. The site sends `wake` each time a session is opened with the machine. Either side may send the text
//    KEEPALIVE_REQUEST ("ping") at any time and gets KEEPALIVE_RESPONSE ("pong"); the agent does every LINE_KEEPALIVE_S.

/** Largest frame either side of a machine's line sends or takes, in bytes. */
export const MAX_LINE_FRAME_BYTES = 512;

/** How long the site waits for the agent's answer to its challenge before it closes the line. */
export const LINE_ANSWER_TIMEOUT_MS = 10_000;

/** How often the agent sends a keep-alive on its line, in seconds (under every idle timeout on the way). */
export const LINE_KEEPALIVE_S = 30;

/** A line's challenge nonce: 32 random bytes, base64url. */
const LineNonce = z.string().check(z.regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, "must be 32 bytes of base64url"));

/** What the site sends on a machine's line (besides "pong"). */
export const LineServerFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("challenge"), nonce: LineNonce }),
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("wake") }),
  z.object({
    type: z.literal("error"),
    code: z.string().check(z.maxLength(40)),
    message: z.string().check(z.maxLength(500)),
  }),
]);
export type LineServerFrame = z.infer<typeof LineServerFrame>;

/** What the agent sends on its line (besides "ping"): its answer to the challenge. */
export const LineAnswer = z.object({ type: z.literal("answer"), signature: Signature });
export type LineAnswer = z.infer<typeof LineAnswer>;

/**
 * What a machine signs to prove its line: the site, the machine and the site's nonce, so that an answer is good for
 * one line of one machine at one site, and never a heartbeat's.
 */
export function lineMessage(origin: string, machineId: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`tether/machine-line/v1\n${origin}\n${machineId}\n${nonce}`);
}
