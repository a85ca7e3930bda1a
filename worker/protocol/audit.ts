import * as z from "zod/mini";

// The audit log as clients read it (the admin console, `npm run audit:verify`): the entry every leaf of the log's
// Merkle tree holds, the events it records, and the /api/audit routes' queries and answers. An entry says who did
// what, in which session, when; never screen content, keystrokes, chat text, secrets or passwords.

/** Every kind of event the log records. */
export const AuditType = z.enum([
  "technician_enrolled",
  "technician_invited",
  "invite_revoked",
  "technician_removed",
  "technician_role_changed",
  "passkey_added",
  "passkey_removed",
  "sign_in_succeeded",
  "sign_in_failed",
  "signed_out",
  "session_created",
  "handshake_succeeded",
  "handshake_failed",
  "verification_mismatch",
  "technician_admitted",
  "technician_dropped",
  "colleague_invited",
  "colleague_admitted",
  "colleague_removed",
  "session_handed_over",
  "consent_given",
  "consent_withdrawn",
  "session_ended",
  "session_extended",
  "webhook_added",
  "webhook_removed",
  "api_token_created",
  "api_token_revoked",
  "recording_started",
  "recording_stopped",
  "recording_deleted",
  "recording_played",
  "file_transferred",
  "machine_enrolment_created",
  "machine_enrolled",
  "machine_renamed",
  "machine_removed",
  "machine_assigned",
  "machine_unassigned",
  "machine_session_opened",
]);
export type AuditType = z.infer<typeof AuditType>;

/** A value in an entry's data: flat, so that its canonical form is simple. */
const AuditValue = z.union([z.string().check(z.maxLength(200)), z.int(), z.boolean(), z.null()]);

/** What an event adds beside its actor and session: ids, reasons, outcomes. */
export const AuditData = z.record(z.string().check(z.regex(/^[a-zA-Z]{1,32}$/)), AuditValue);
export type AuditData = z.infer<typeof AuditData>;

/** Who acted: `technician:<id>`, `customer`, `system` (the server itself) or `anonymous` (not signed in). */
export const AuditActor = z.string().check(z.regex(/^(?:technician:[A-Za-z0-9_-]{1,64}|customer|system|anonymous)$/));

/** A session's code. */
const SessionCode = z.string().check(z.regex(/^[0-9]{9}$/));

/** An event as a writer hands it to the log, before it is numbered, timed and chained. */
export const AuditInput = z.object({
  actor: AuditActor,
  session: z.nullable(SessionCode),
  type: AuditType,
  data: AuditData,
});
export type AuditInput = z.infer<typeof AuditInput>;

/** SHA-256 as 64 lowercase hex digits. */
const HexHash = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/**
 * One entry: a leaf of the log. `seq` counts from 0 without gaps, `time` is milliseconds since the epoch, `prev` is
 * the leaf hash of entry seq - 1 (64 zeros for the first). Its leaf is the UTF-8 of its canonical JSON (audit-entry.ts).
 */
export const AuditEntry = z.strictObject({
  seq: z.int().check(z.nonnegative()),
  time: z.int().check(z.nonnegative()),
  actor: AuditActor,
  session: z.nullable(SessionCode),
  type: AuditType,
  data: AuditData,
  prev: HexHash,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The most entries one page returns. */
export const MAX_AUDIT_PAGE = 500;

/** Names the parameters a query does not know, which zod's default message leaves out. */
const knownParameters = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" ? `unknown parameter ${(issue.keys ?? []).join(", ").slice(0, 100)}` : undefined,
};

/** A whole number in a query string: decimal digits only. */
const Count = z.pipe(
  z.string().check(z.regex(/^(?:0|[1-9][0-9]{0,14})$/, "must be a whole number")),
  z.transform(Number),
);

/**
 * GET /api/audit/entries: entries with seq in [start, end), filtered by session, technician (the actor or the
 * technician acted on), type and time (ms, [since, until)), oldest first, or newest first with `order=desc`, at most
 * `limit`. `next` in the answer continues the page (as `start`, or as `end` for `desc`).
 */
export const AuditEntriesQuery = z.strictObject(
  {
    start: z.optional(Count),
    end: z.optional(Count),
    session: z.optional(SessionCode),
    technician: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
    type: z.optional(z.enum(AuditType.options, "must be an audit entry type, like session_created")),
    since: z.optional(Count),
    until: z.optional(Count),
    order: z.optional(z.enum(["asc", "desc"])),
    limit: z.optional(
      z.pipe(
        Count,
        z
          .number()
          .check(z.minimum(1, "must be at least 1"), z.maximum(MAX_AUDIT_PAGE, `must be at most ${MAX_AUDIT_PAGE}`)),
      ),
    ),
  },
  knownParameters,
);
export type AuditEntriesQuery = z.infer<typeof AuditEntriesQuery>;

/** The answer to GET /api/audit/entries: each entry as its stored canonical JSON line, which is its leaf. */
export type AuditEntriesPage = { entries: string[]; next: number | null };

/** The answer to GET /api/audit/checkpoint: the latest signed checkpoint (a C2SP signed note) and the key to pin. */
export type AuditCheckpointResponse = { checkpoint: string | null; verifierKey: string };

/** GET /api/audit/proof/inclusion: the proof that entry `seq` is in the tree of `size` entries. */
export const InclusionQuery = z.strictObject({ seq: Count, size: Count }, knownParameters);

/** GET /api/audit/proof/consistency: the proof that the tree of `to` entries extends that of `from`. */
export const ConsistencyQuery = z.strictObject({ from: Count, to: Count }, knownParameters);

/** A proof: its hashes in base64, as the checkpoint's root is. */
export type AuditProof = { proof: string[] };
export type InclusionResponse = AuditProof & { seq: number; size: number; leafHash: string };
export type ConsistencyResponse = AuditProof & { from: number; to: number };
