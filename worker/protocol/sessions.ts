import * as z from "zod/mini";
import { CaseNumber } from "./names.ts";
import { SessionCode } from "./room.ts";
import { ExternalReference } from "./webhooks.ts";

/**
 * What registers the customer seat to the holder of the session's secret: base64url (43 characters) of the SHA-256
 * of the 32 bytes that the customer's `seatKey` (room.ts) encodes. The page that holds the secret derives the key;
 * the server keeps only this hash and compares hashes, so it never learns the key, let alone the secret.
 */
export const CustomerKeyHash = /* @__PURE__ */ (() => z.string().check(z.length(43), z.regex(/^[A-Za-z0-9_-]+$/)))();

/** POST /api/sessions */
/**
 * Largest body of POST /api/sessions and POST /api/help: theirs are a few dozen bytes (a 43-character hash, a case
 * number of at most 64), so anything near this is not a client of ours. Refused before it is read.
 */
export const MAX_SESSION_BODY_BYTES = 1024;

// Marked pure, so that the customer's pages, which import this module for its answers, leave this body and the rule
// for names (names.ts) out of their bundles.
export const CreateSessionBody = /* @__PURE__ */ z.strictObject({
  caseNumber: /* @__PURE__ */ z.optional(CaseNumber),
  customerKeyHash: CustomerKeyHash,
  /** The helpdesk's own reference (e.g. `zendesk:12345`), echoed in the session's webhook events. */
  reference: /* @__PURE__ */ z.optional(ExternalReference),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

/** POST /api/help: the page asking for help registers its own seat key. */
export const HelpRequestBody = /* @__PURE__ */ (() => z.strictObject({ customerKeyHash: CustomerKeyHash }))();
export type HelpRequestBody = z.infer<typeof HelpRequestBody>;

/** 201 from POST /api/sessions: the code, the link to send (a secret fragment is added by the console) and when it ends. */
export const CreatedSession = /* @__PURE__ */ (() =>
  z.object({ code: SessionCode, url: z.url(), expiresAt: z.int() }))();
export type CreatedSession = z.infer<typeof CreatedSession>;

/** 201 from POST /api/help: the session ID the customer reads aloud, and when it ends. */
export const HelpSession = z.object({ code: SessionCode, expiresAt: z.int() });
export type HelpSession = z.infer<typeof HelpSession>;

/** One live session in GET /api/sessions. */
export const OwnSession = /* @__PURE__ */ (() =>
  z.object({
    code: SessionCode,
    url: z.url(),
    caseNumber: z.nullable(z.string().check(z.maxLength(64))),
    reference: z.nullable(z.string().check(z.maxLength(100))),
    createdAt: z.int(),
    expiresAt: z.int(),
  }))();
export const OwnSessions = /* @__PURE__ */ (() =>
  z.object({ sessions: z.array(OwnSession).check(z.maxLength(100)) }))();
export type OwnSessions = z.infer<typeof OwnSessions>;

/**
 * The header in which the customer's page proves to GET /api/sessions/:code that it holds the session's seat key: the
 * key's hash (CustomerKeyHash), which only that page and the room know; never in a URL. The answer is the room's
 * SessionSummary (room.ts), the same as in `welcome`.
 */
export const SEAT_PROOF_HEADER = "Tether-Seat-Proof";

/** ?role= on GET /api/sessions/:code/ws */
export const JoinQuery = /* @__PURE__ */ (() => z.object({ role: z.enum(["customer", "technician"]) }))();
