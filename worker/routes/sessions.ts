import { Hono } from "hono";
import * as z from "zod/mini";
import { nameProblem, normaliseName } from "#protocol/names.ts";
import { SessionCode, type SessionSummary } from "#protocol/room.ts";
import {
  type CreatedSession,
  CreateSessionBody,
  HelpRequestBody,
  type HelpSession,
  JoinQuery,
  MAX_SESSION_BODY_BYTES,
  type OwnSessions,
} from "#protocol/sessions.ts";
import { newSessionCode } from "../../durable-objects/session/code.ts";
import type { CreateRoomResult } from "../../durable-objects/session/room-runtime.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import type { Config } from "../config.ts";
import {
  deleteSession,
  findSession,
  insertHelpSession,
  insertSession,
  isLive,
  listLiveSessions,
  purgeSessions,
} from "../db/sessions.ts";
import { AppError } from "../errors.ts";
import type { Host } from "../host.ts";
import { log } from "../log.ts";
import { sessionCreatedEntry } from "../middleware/audit.ts";
import { authenticate, requireTechnician, requireTechnicianOrToken } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { rateLimit, requireClientKey } from "../middleware/rate-limit.ts";
import { customerAccess } from "../middleware/session-access.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv, Bindings } from "../types.ts";

/** Codes tried before giving up; with 10^9 codes a collision is already rare. */
const CODE_ATTEMPTS = 5;

/**
 * Rows past SESSION_RETENTION_S that each creation deletes: more than the one it adds, so the table shrinks back to
 * its retention window whatever the traffic, and few enough for one quick statement.
 */
const PURGE_PER_CREATION = 20;

const CodeParam = z.object({ code: SessionCode });

function joinUrl(requestUrl: string, code: string): string {
  return `${new URL(requestUrl).origin}/j/${code}`;
}

/**
 * What is wrong with a technician's name as stored, for a customer to read, if anything: a name stored before the
 * rule for names (protocol/names.ts), or by hand, must not reach a consent screen or a session's roster either.
 */
export function storedNameProblem(name: string): string | null {
  const problem = nameProblem(normaliseName(name), "Your display name");
  return problem && `${problem} Customers would read it; change it in your console, or ask an admin.`;
}

/** What a new session starts with: its owner (null for a customer's help request), case number and seat key hash. */
export type NewRoom = {
  owner: { id: string; name: string } | null;
  caseNumber: string | null;
  /** The helpdesk's reference, for webhooks; null for a help request. */
  reference: string | null;
  /** The API token the session was created with, if any (for the audit log). */
  apiTokenId?: string;
  customerKeyHash: string;
};

/**
 * Finds a free code, records it in D1 (under the owner's session limit) and creates its room. A null owner is a
 * customer's help request: it gets the technician whose handshake the customer's page confirms.
 */
export async function openRoom(
  env: Bindings,
  host: Host,
  config: Config,
  { owner, caseNumber, reference, apiTokenId, customerKeyHash }: NewRoom,
): Promise<{ code: string; expiresAt: number }> {
  const now = Date.now();
  const expiresAt = now + config.SESSION_LIFETIME_S * 1000;
  await purgeSessions(env.DB, now - config.SESSION_RETENTION_S * 1000, PURGE_PER_CREATION);
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = newSessionCode();
    const inserted = owner
      ? await insertSession(
          env.DB,
          { code, technicianId: owner.id, caseNumber, reference, createdAt: now, expiresAt },
          config.MAX_SESSIONS_PER_TECHNICIAN,
        )
      : await insertHelpSession(env.DB, { code, createdAt: now, expiresAt });
    if (inserted === "no_technician") {
      throw new AppError("SIGN_IN_REVOKED", 401, "Your account was removed; ask an admin for an invite.");
    }
    if (inserted === "limit") {
      throw new AppError(
        "SESSION_LIMIT",
        409,
        `You already have ${config.MAX_SESSIONS_PER_TECHNICIAN} live sessions; end one before starting another.`,
      );
    }
    if (inserted === "code_taken") continue;
    let created: CreateRoomResult;
    try {
      created = await host.room(code).create({
        code,
        now,
        owner,
        customerKeyHash,
        organisation: config.ORGANISATION,
        caseNumber,
        lifetimeS: config.SESSION_LIFETIME_S,
        maxLifetimeS: config.SESSION_MAX_LIFETIME_S,
        idleS: config.SESSION_IDLE_TIMEOUT_S,
        graceS: config.REJOIN_GRACE_S,
        signInCheckS: config.SIGN_IN_CHECK_S,
        claimTimeoutS: config.HELP_CLAIM_TIMEOUT_S,
        rejoinPerMin: config.RATE_REJOIN_PER_MIN,
        limits: {
          maxMessageBytes: config.WS_MAX_MESSAGE_BYTES,
          messagesPerS: config.WS_MESSAGES_PER_S,
          messageBurst: config.WS_MESSAGE_BURST,
        },
        handshake: {
          backoffBaseS: config.HANDSHAKE_BACKOFF_BASE_S,
          backoffCapS: config.HANDSHAKE_BACKOFF_CAP_S,
          perMinute: config.RATE_HANDSHAKE_PER_MIN,
        },
      });
    } catch (err) {
      await deleteSession(env.DB, code);
      throw err;
    }
    if (!created.ok) {
      await deleteSession(env.DB, code);
      continue;
    }
    log({ event: "session_created", technicianId: owner?.id ?? null, code, expiresAt: created.expiresAt });
    const entry = sessionCreatedEntry(
      code,
      owner?.id ?? null,
      { caseNumber, reference, apiTokenId },
      created.expiresAt,
    );
    await host.audit(entry);
    return { code, expiresAt: created.expiresAt };
  }
  throw new AppError("CONFLICT", 503, "Could not find a free session code; please try again.");
}

/**
 * A customer's "Get help": an anonymous session whose ID (and a password that never leaves the browsers) they read
 * aloud. The page registers its seat key's hash, so the customer seat is that page's. Unless the customer's page
 * confirms a technician within HELP_CLAIM_TIMEOUT_S, the room ends it and deletes its storage and its row.
 */
export const help = new Hono<AppEnv>().post(
  "/",
  rateLimit("create", (c) => c.RATE_CREATE_PER_MIN),
  jsonBody(MAX_SESSION_BODY_BYTES),
  validate("json", HelpRequestBody),
  async (c) => {
    const { customerKeyHash } = c.req.valid("json");
    const room = { owner: null, caseNumber: null, reference: null, customerKeyHash };
    const created = await openRoom(c.env, c.get("host"), c.get("config"), room);
    return c.json<HelpSession>(created, 201);
  },
);

/** Creating, listing, describing and joining support sessions. */
export const sessions = new Hono<AppEnv>()
  .post(
    "/",
    requireTechnicianOrToken("sessions:create"),
    rateLimit("create", (c) => c.RATE_CREATE_PER_MIN),
    jsonBody(MAX_SESSION_BODY_BYTES),
    validate("json", CreateSessionBody),
    async (c) => {
      const technician = c.get("technician");
      const { caseNumber = null, reference = null, customerKeyHash } = c.req.valid("json");
      const problem = storedNameProblem(technician.name);
      if (problem) throw new AppError("INVALID_NAME", 409, problem);
      const owner = { id: technician.id, name: technician.name };
      const created = await openRoom(c.env, c.get("host"), c.get("config"), {
        owner,
        caseNumber,
        reference,
        apiTokenId: c.get("apiTokenId"),
        customerKeyHash,
      });
      return c.json<CreatedSession>({ ...created, url: joinUrl(c.req.url, created.code) }, 201);
    },
  )
  .get("/", requireTechnician, async (c) => {
    const rows = await listLiveSessions(c.env.DB, c.get("technician").id, Date.now());
    return c.json<OwnSessions>({
      sessions: rows.map((row) => ({
        code: row.code,
        url: joinUrl(c.req.url, row.code),
        caseNumber: row.case_number,
        reference: row.reference,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      })),
    });
  })
  .get(
    "/:code",
    validate("param", CodeParam),
    rateLimit("lookup", (c) => c.RATE_JOIN_PER_MIN),
    async (c) => {
      const { code } = c.req.valid("param");
      // Only the customer's page may read a session: the code alone tells nothing of who, for whom, whether a help
      // request is still unclaimed, or even whether the session exists.
      const { session } = await customerAccess(c, code);
      return c.json<SessionSummary>({ ...session, recording: c.get("config").RECORDING_POLICY });
    },
  )
  .get(
    "/:code/ws",
    validate("param", CodeParam),
    rateLimit("lookup", (c) => c.RATE_JOIN_PER_MIN),
    validate("query", JoinQuery),
    async (c) => {
      const { code } = c.req.valid("param");
      let who: JoinRequest = { role: "customer" };
      if (c.req.valid("query").role === "technician") {
        const signedIn = await authenticate(c, "Sign in with your passkey to join as a technician.");
        if (!signedIn.ok) throw signedIn.error;
        const technician = signedIn.value;
        // The room checks this sign-in again every SIGN_IN_CHECK_S, and closes the socket once it is taken back.
        who = { role: "technician", technicianId: technician.id, name: technician.name, signInId: technician.signInId };
      }
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new AppError("BAD_REQUEST", 426, "This endpoint only accepts WebSocket connections.");
      }
      const host = c.get("host");
      const nameProblem = who.role === "technician" ? storedNameProblem(who.name) : null;
      if (nameProblem) return host.refuseSocket(c.req.raw, "INVALID_NAME", nameProblem);
      // D1 answers for unknown and ended codes, so guessing codes never instantiates a room.
      const row = await findSession(c.env.DB, code);
      if (!row) return host.refuseSocket(c.req.raw, "SESSION_NOT_FOUND", "There is no session with this code.");
      if (!isLive(row, Date.now())) return host.refuseSocket(c.req.raw, "SESSION_ENDED", "This session has ended.");
      // A help request's owner is written by its room once the customer's page confirms a technician's handshake.
      return host.room(code).connect(c.req.raw, who, requireClientKey(c));
    },
  );
