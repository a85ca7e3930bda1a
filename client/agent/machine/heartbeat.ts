import { ed25519 } from "@noble/curves/ed25519.js";
import { type HeartbeatBody, type HeartbeatResponse, heartbeatMessage, type MachineJoin } from "#protocol/machines.ts";
import { toBase64url } from "../../core/base64url.ts";
import type { ApiResult } from "../../web/src/lib/api.ts";
import type { MachineIdentity } from "./identity.ts";

// The heartbeat of an enrolled machine, as values: the body it sends, signed with its key, and what the agent does
// with the site's answer (beat again when the site says, wait longer after each failure, or stop). No clock, no
// network: serve.ts passes the time in and acts on the decision.

/** What the terminal last said of the machine's standing: online, the site out of reach, or its beats refused. */
export type Standing = "online" | "unreachable" | "refused";

/** What to do after a heartbeat's answer. */
export type AfterBeat =
  /**
   * Beat again in `waitMs`; `standing` is the machine's now, or null where the answer changes nothing (rate limited);
   * `sessions`: the live sessions technicians opened with the machine, as the site named them (none after a failure).
   */
  | { type: "beat"; standing: Standing | null; waitMs: number; failures: number; sessions: MachineJoin[] }
  /** Stop: the machine was removed in the console, or unattended access was turned off on the site. */
  | { type: "stop"; reason: "removed" | "off" };

/** The first wait after a failed heartbeat, doubled after each further one up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 1_000;
/** The longest wait between tries: a machine is back online within this of its network or the site coming back. */
export const RETRY_MAX_MS = 30_000;

/**
 * The heartbeat body for the time `at`, saying whether the machine is busy (Sessions.isBusy): signed, so that only the
 * machine's key can vouch it is alive, and for what it says.
 */
export function heartbeatBody(identity: MachineIdentity, at: number, isBusy: boolean): HeartbeatBody {
  const message = heartbeatMessage(identity.origin, identity.machineId, at, isBusy);
  return { at, isBusy, signature: toBase64url(ed25519.sign(message, identity.privateKey)) };
}

/**
 * The time to send in the next heartbeat: the clock's, but always after the last one sent, because the site takes
 * only a newer time than it took last (a clock set back would otherwise have every beat refused as a replay).
 */
export function nextBeatAt(now: number, lastAt: number | null): number {
  return lastAt === null ? now : Math.max(now, lastAt + 1);
}

/** The wait before trying again after `failures` heartbeats in a row failed (the first failure: 0). */
export function retryMs(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** failures);
}

/** What the answer to a heartbeat means, after `failures` failed ones in a row before it. */
export function afterBeat(answer: ApiResult<HeartbeatResponse>, failures: number): AfterBeat {
  if (answer.ok) {
    const { nextInS, sessions } = answer.data;
    return { type: "beat", standing: "online", waitMs: nextInS * 1000, failures: 0, sessions };
  }
  if (answer.code === "NOT_FOUND") return { type: "stop", reason: "removed" };
  if (answer.code === "UNATTENDED_OFF") return { type: "stop", reason: "off" };
  // The API client gives no Retry-After, so a rate-limited beat backs off as any failed one does.
  const standing = standingAfter(answer);
  return { type: "beat", standing, waitMs: retryMs(failures), failures: failures + 1, sessions: [] };
}

/**
 * A failed heartbeat's standing. No answer of the site's own (no connection, a proxy's error page, a body that is not
 * the site's) or a failure on its side is the site out of reach; a refusal of the beat (its time off the site's
 * clock or not newer than the last, a signature it does not take) is the machine's beats refused.
 */
function standingAfter(answer: ApiResult<HeartbeatResponse> & { ok: false }): Standing | null {
  if (answer.code === "RATE_LIMITED") return null;
  const isSiteAnswer = answer.code !== "NETWORK" && answer.code !== "HTTP" && answer.code !== "BAD_RESPONSE";
  return isSiteAnswer && answer.status < 500 ? "refused" : "unreachable";
}
