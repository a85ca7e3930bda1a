import * as z from "zod/mini";
import { nameProblem, normaliseName } from "#protocol/names.ts";
import type { NoteSigner } from "../durable-objects/audit-log/note.ts";
import { isKeyName } from "../durable-objects/audit-log/note.ts";
import { canonicalAddress } from "../durable-objects/rate-limit/client-key.ts";
import { FLOOR_ATTEMPTS, FLOOR_S, failedAttemptsTakeS } from "../durable-objects/session/backoff.ts";
import { parseRecordingPolicy, type RecordingPolicy } from "./recordings/policy.ts";
import { parseTurnConfig, type TurnConfig } from "./turn/config.ts";
import { type WebhookSettings, webhookSettings } from "./webhooks/settings.ts";

type IntSpec = { min: number; max: number; fallback: number; what: string };

/** The limits an admin sets in wrangler.toml [vars]: name → allowed range, default and meaning. */
export const INT_VARS = {
  SESSION_LIFETIME_S: { min: 60, max: 86_400, fallback: 3_600, what: "longest a support session may last, in seconds" },
  SESSION_MAX_LIFETIME_S: {
    min: 60,
    max: 86_400,
    fallback: 14_400,
    what: "longest a session may last once its technician extended it (each extension adds SESSION_LIFETIME_S; equal to SESSION_LIFETIME_S: no extensions), in seconds",
  },
  SESSION_IDLE_TIMEOUT_S: {
    min: 30,
    max: 86_400,
    fallback: 900,
    what: "a session with no traffic ends after this many seconds",
  },
  HELP_CLAIM_TIMEOUT_S: {
    min: 60,
    max: 86_400,
    fallback: 600,
    what: "a customer's help request ends this many seconds after it was made unless the customer confirmed a technician",
  },
  SESSION_RETENTION_S: {
    min: 3_600,
    max: 31_536_000,
    fallback: 2_592_000,
    what: "how long the sessions table keeps a session's row after it expired, in seconds",
  },
  REJOIN_GRACE_S: { min: 5, max: 600, fallback: 60, what: "how long a dropped participant keeps its seat, in seconds" },
  AUTH_TTL_S: { min: 300, max: 86_400, fallback: 28_800, what: "lifetime of a technician's sign-in, in seconds" },
  SIGN_IN_CHECK_S: {
    min: 1,
    max: 60,
    fallback: 60,
    what: "how often a session re-checks its technicians' sign-ins: a revoked one's sockets close within this, in seconds",
  },
  INVITE_TTL_S: {
    min: 300,
    max: 1_209_600,
    fallback: 86_400,
    what: "lifetime of an invite or enrolment link, in seconds",
  },
  MACHINE_HEARTBEAT_S: {
    min: 1,
    max: 30,
    fallback: 20,
    what: "how often an enrolled machine's agent tells the site it is online; a removed machine stops within this, in seconds",
  },
  MAX_SESSIONS_PER_TECHNICIAN: { min: 1, max: 100, fallback: 5, what: "live sessions one technician may own at once" },
  FILE_MAX_BYTES: {
    min: 1_048_576,
    max: 2_147_483_648,
    fallback: 104_857_600,
    what: "the largest file either side may send in a session, in bytes (files go peer to peer, never through a server)",
  },
  RATE_CREATE_PER_MIN: { min: 1, max: 10_000, fallback: 20, what: "session creations per minute from one IP address" },
  RATE_SIGNIN_PER_MIN: {
    min: 1,
    max: 10_000,
    fallback: 20,
    what: "sign-in and registration attempts per minute from one IP address",
  },
  RATE_JOIN_PER_MIN: {
    min: 1,
    max: 10_000,
    fallback: 60,
    what: "code lookups (a session's details, WebSocket and ICE servers: one budget) per minute from one IP address",
  },
  RATE_REJOIN_PER_MIN: {
    min: 1,
    max: 10_000,
    fallback: 6,
    what: "times per minute one participant may take their seat back (reconnect, reload); beyond it the room refuses",
  },
  WS_MAX_MESSAGE_BYTES: { min: 1_024, max: 1_048_576, fallback: 65_536, what: "largest signaling message, in bytes" },
  WS_MESSAGES_PER_S: {
    min: 1,
    max: 100_000,
    fallback: 200,
    what: "sustained signaling messages per second per socket",
  },
  WS_MESSAGE_BURST: { min: 1, max: 100_000, fallback: 400, what: "burst of signaling messages allowed per socket" },
  HANDSHAKE_BACKOFF_BASE_S: {
    min: 1,
    max: 3_600,
    fallback: 2,
    what: "a session's wait after its first failed handshake, in seconds; it doubles with each further failure",
  },
  HANDSHAKE_BACKOFF_CAP_S: {
    min: 60,
    max: 86_400,
    fallback: 7_200,
    what: "the longest wait between a session's handshake attempts, in seconds",
  },
  RATE_HANDSHAKE_PER_MIN: {
    min: 1,
    max: 10_000,
    fallback: 10,
    what: "handshake starts per minute from one technician, and from one IP address",
  },
  RECORDING_RETENTION_DAYS: {
    min: 1,
    max: 3_650,
    fallback: 30,
    what: "days a finished session recording is kept before it is deleted automatically",
  },
  RECORDING_PART_BYTES: {
    min: 5_242_880,
    max: 104_857_600,
    fallback: 5_242_880,
    what: "size of each uploaded part of a session recording but the last, in bytes (R2 needs at least 5 MiB)",
  },
  RECORDING_ABANDON_S: {
    min: 60,
    max: 86_400,
    fallback: 600,
    what: "a recording whose upload sent nothing for this many seconds is finished from the parts it sent, in seconds",
  },
  DENO_MAX_CONNECTIONS: {
    min: 10,
    max: 100_000,
    fallback: 1_000,
    what: "Deno host: client connections open at once; more are answered 503 SERVER_BUSY",
  },
  DENO_HEADER_TIMEOUT_S: {
    min: 1,
    max: 300,
    fallback: 10,
    what: "Deno host: a connection whose first request head has not arrived after this many seconds is closed",
  },
  DENO_IDLE_TIMEOUT_S: {
    min: 1,
    max: 3_600,
    fallback: 60,
    what: "Deno host: an HTTP connection the server has sent nothing on for this many seconds is closed",
  },
} as const satisfies Record<string, IntSpec>;

type IntName = keyof typeof INT_VARS;

/** The validated configuration every part of the worker reads. */
export type Config = { [K in IntName]: number } & {
  ALLOWED_ORIGINS: string[];
  /** The Deno host's reverse proxies, whose X-Forwarded-For it believes (canonical addresses); unused on Workers. */
  TRUSTED_PROXIES: string[];
  ORGANISATION: string;
  JWT_SECRET: string;
  TURN: TurnConfig;
  /** The audit log's signing key, named by its origin (AUDIT_SIGNING_KEY, AUDIT_LOG_NAME). */
  AUDIT_SIGNER: NoteSigner;
  /** Whether audit entries of sign-ins record the client's IP address (AUDIT_IP_ADDRESSES = "on"). */
  AUDIT_IP_ADDRESSES: boolean;
  /** Whether machines may be enrolled for unattended access, and reached that way (UNATTENDED_ACCESS = "on"). */
  UNATTENDED_ACCESS: boolean;
  /** How webhooks are delivered (WEBHOOK_RETRY_S, WEBHOOK_TIMEOUT_S, WEBHOOK_ALLOW_PRIVATE). */
  WEBHOOKS: WebhookSettings;
  /** Whether sessions are recorded: never, when the customer allows it, or always (said before Allow). */
  RECORDING_POLICY: RecordingPolicy;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: string[] };

/** The audit log's name when AUDIT_LOG_NAME is empty: `tether/audit/` and the organisation in lowercase ASCII. */
export function defaultAuditLogName(organisation: string): string {
  const slug = organisation
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `tether/audit/${slug || "organisation"}`;
}

/**
 * The audit log's signer from AUDIT_SIGNING_KEY (a base64url 32-byte Ed25519 seed) and AUDIT_LOG_NAME (the
 * checkpoints' origin and the key's name; derived from ORGANISATION when empty).
 */
export function auditSigner(
  vars: Record<string, unknown>,
): { ok: true; signer: NoteSigner } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const key = String(vars.AUDIT_SIGNING_KEY ?? "");
  const seed = /^[A-Za-z0-9_-]{43}$/.test(key)
    ? Uint8Array.from(atob(key.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0))
    : null;
  if (seed?.length !== 32) {
    issues.push(
      "AUDIT_SIGNING_KEY must be a base64url Ed25519 seed of 32 bytes (set it with `wrangler secret put AUDIT_SIGNING_KEY`; `npm start` generates one for development)",
    );
  }
  const configured = String(vars.AUDIT_LOG_NAME ?? "").trim();
  const name = configured || defaultAuditLogName(normaliseName(String(vars.ORGANISATION ?? "Tether")));
  if (!isKeyName(name)) {
    issues.push(
      `AUDIT_LOG_NAME must be 1 to 200 characters without spaces or "+", like example.com/audit; got ${JSON.stringify(name).slice(0, 60)}`,
    );
  }
  if (issues.length > 0 || !seed) return { ok: false, issues };
  return { ok: true, signer: { name, seed } };
}

const Origin = z.url({ protocol: /^https?$/ });

/** The entries of a comma-separated [vars] list, trimmed, empty ones dropped. */
function splitList(raw: unknown): string[] {
  return String(raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether an "on" or "off" [vars] switch (empty: off) is on; anything else is reported with `what` it decides. */
function isSwitchedOn(vars: Record<string, unknown>, name: string, what: string, issues: string[]): boolean {
  const setting = String(vars[name] ?? "off").trim() || "off";
  if (setting !== "on" && setting !== "off") {
    issues.push(`${name} must be "on" or "off" (${what}); got ${JSON.stringify(setting).slice(0, 40)}`);
  }
  return setting === "on";
}

/** Parses [vars] and secrets; every problem is reported with the variable's name and what it must be. */
export function parseConfig(vars: Record<string, unknown>): ConfigResult {
  const issues: string[] = [];
  const ints = {} as Record<IntName, number>;
  for (const [name, spec] of Object.entries(INT_VARS) as [IntName, IntSpec][]) {
    const raw = vars[name];
    if (raw === undefined || raw === "") {
      ints[name] = spec.fallback;
      continue;
    }
    const text = String(raw).trim();
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < spec.min || value > spec.max) {
      issues.push(
        `${name} must be a whole number from ${spec.min} to ${spec.max} (${spec.what}); got ${JSON.stringify(String(raw)).slice(0, 40)}`,
      );
      continue;
    }
    ints[name] = value;
  }

  const origins = splitList(vars.ALLOWED_ORIGINS);
  for (const origin of origins) {
    if (!Origin.safeParse(origin).success || new URL(origin).origin !== origin) {
      issues.push(
        `ALLOWED_ORIGINS must be a comma-separated list of origins like https://support.example.com (no path); got ${JSON.stringify(origin).slice(0, 60)}`,
      );
    }
  }

  const proxies: string[] = [];
  for (const proxy of splitList(vars.TRUSTED_PROXIES)) {
    const address = canonicalAddress(proxy);
    if (address === null) {
      issues.push(
        `TRUSTED_PROXIES must be a comma-separated list of IP addresses like 127.0.0.1, ::1; got ${JSON.stringify(proxy).slice(0, 60)}`,
      );
    } else {
      proxies.push(address);
    }
  }

  // The one organisation customers read before Allow: the same rule as a technician's name, at start-up.
  const organisation = normaliseName(String(vars.ORGANISATION ?? "Tether"));
  if (organisation.length < 1 || organisation.length > 80) {
    issues.push("ORGANISATION must be 1 to 80 characters: the organisation name customers see");
  } else {
    const problem = nameProblem(organisation, "ORGANISATION");
    if (problem) issues.push(`${problem} It is the organisation name customers see.`);
  }

  const secret = vars.JWT_SECRET;
  if (typeof secret !== "string" || secret.length < 32) {
    issues.push(
      "JWT_SECRET must be a secret of at least 32 characters (set it with `wrangler secret put JWT_SECRET`; `npm start` generates one for development)",
    );
  }

  if (
    ints.WS_MESSAGE_BURST !== undefined &&
    ints.WS_MESSAGES_PER_S !== undefined &&
    ints.WS_MESSAGE_BURST < ints.WS_MESSAGES_PER_S
  ) {
    issues.push(
      `WS_MESSAGE_BURST must be at least WS_MESSAGES_PER_S (${ints.WS_MESSAGES_PER_S}); got ${ints.WS_MESSAGE_BURST}`,
    );
  }
  if (
    ints.SESSION_IDLE_TIMEOUT_S !== undefined &&
    ints.SESSION_LIFETIME_S !== undefined &&
    ints.SESSION_IDLE_TIMEOUT_S > ints.SESSION_LIFETIME_S
  ) {
    issues.push(
      `SESSION_IDLE_TIMEOUT_S must not exceed SESSION_LIFETIME_S (${ints.SESSION_LIFETIME_S}); got ${ints.SESSION_IDLE_TIMEOUT_S}`,
    );
  }

  if (
    ints.SESSION_MAX_LIFETIME_S !== undefined &&
    ints.SESSION_LIFETIME_S !== undefined &&
    ints.SESSION_MAX_LIFETIME_S < ints.SESSION_LIFETIME_S
  ) {
    issues.push(
      `SESSION_MAX_LIFETIME_S must be at least SESSION_LIFETIME_S (${ints.SESSION_LIFETIME_S}); got ${ints.SESSION_MAX_LIFETIME_S}`,
    );
  }

  const base = ints.HANDSHAKE_BACKOFF_BASE_S;
  const cap = ints.HANDSHAKE_BACKOFF_CAP_S;
  if (base !== undefined && cap !== undefined) {
    const totalS = failedAttemptsTakeS(FLOOR_ATTEMPTS, base, cap);
    if (cap < base) {
      issues.push(`HANDSHAKE_BACKOFF_CAP_S must be at least HANDSHAKE_BACKOFF_BASE_S (${base}); got ${cap}`);
    } else if (totalS < FLOOR_S) {
      // Rounded down, so that a pair just short of the floor never reads as meeting it.
      const hours = Math.floor(totalS / 360) / 10;
      issues.push(
        `HANDSHAKE_BACKOFF_BASE_S and HANDSHAKE_BACKOFF_CAP_S must make ${FLOOR_ATTEMPTS} failed handshakes take at least ${FLOOR_S / 3_600} hours (TeamViewer's published floor); base ${base} s and cap ${cap} s make them take ${hours} hours`,
      );
    }
  }

  const turn = parseTurnConfig(vars);
  if (!turn.ok) issues.push(...turn.issues);

  const audit = auditSigner(vars);
  if (!audit.ok) issues.push(...audit.issues);
  const isIpAudited = isSwitchedOn(
    vars,
    "AUDIT_IP_ADDRESSES",
    "whether the audit log records sign-ins' IP addresses",
    issues,
  );
  const isUnattended = isSwitchedOn(
    vars,
    "UNATTENDED_ACCESS",
    "whether machines may be enrolled for unattended access",
    issues,
  );

  const webhooks = webhookSettings(vars);
  if (!webhooks.ok) issues.push(...webhooks.issues);

  const recording = parseRecordingPolicy(vars.RECORDING_POLICY);
  if (!recording.ok) issues.push(recording.issue);

  if (issues.length > 0 || !turn.ok || !audit.ok || !webhooks.ok || !recording.ok) return { ok: false, issues };
  return {
    ok: true,
    config: {
      ...ints,
      ALLOWED_ORIGINS: origins,
      TRUSTED_PROXIES: proxies,
      ORGANISATION: organisation,
      JWT_SECRET: secret as string,
      TURN: turn.turn,
      AUDIT_SIGNER: audit.signer,
      AUDIT_IP_ADDRESSES: isIpAudited,
      UNATTENDED_ACCESS: isUnattended,
      WEBHOOKS: webhooks.settings,
      RECORDING_POLICY: recording.policy,
    },
  };
}
