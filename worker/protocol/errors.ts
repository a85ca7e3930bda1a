import * as z from "zod/mini";

/** Every error code a client may see, over HTTP or in a WebSocket error frame. */
export const ErrorCode = z.enum([
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  /** A sign-in the server took back: signed out, or its passkey or technician removed. */
  "SIGN_IN_REVOKED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "ORIGIN_NOT_ALLOWED",
  "CHALLENGE_INVALID",
  "PASSKEY_INVALID",
  "INVITE_INVALID",
  "LAST_PASSKEY",
  /** The change would leave no admin. */
  "LAST_ADMIN",
  /** A display name or case number a customer could be misled by: hidden, direction-changing or mixed-script text. */
  "INVALID_NAME",
  /** An admin locked this technician's display name. */
  "NAME_LOCKED",
  "SESSION_LIMIT",
  "SESSION_NOT_FOUND",
  "SESSION_ENDED",
  "SEAT_TAKEN",
  /** The session's lifetime cannot be extended further: it is at SESSION_MAX_LIFETIME_S. */
  "EXTEND_LIMIT",
  "MESSAGE_INVALID",
  "MESSAGE_TOO_LARGE",
  "UNSUPPORTED_VERSION",
  "WRONG_ROLE",
  "PEER_NOT_FOUND",
  "NOT_OWNER",
  /** The customer took this technician out of the session; they cannot join it again. */
  "REMOVED_BY_CUSTOMER",
  "SEAT_KEY_INVALID",
  "HANDSHAKE_WAIT",
  "HANDSHAKE_BUSY",
  "HANDSHAKE_REQUIRED",
  "CONFIG_INVALID",
  "TURN_UNAVAILABLE",
  /** The server is at its connection limit (Deno host); try again shortly. */
  "SERVER_BUSY",
  /** A webhook URL that is not HTTPS to a public address (unless an admin allowed private targets). */
  "WEBHOOK_TARGET_NOT_ALLOWED",
  /** An API token that is unknown, revoked or lacks the scope the route needs. */
  "TOKEN_INVALID",
  /** Recording is off for this organisation, or the customer has not allowed it (or took it back). */
  "RECORDING_NOT_ALLOWED",
  /** A recording part out of order, of the wrong size, or for a recording already complete. */
  "RECORDING_PART_INVALID",
  /** The recordings store (R2, or the Deno host's data directory) failed: the recording stops; its earlier parts stay. */
  "RECORDING_STORE_FAILED",
  /** A playback link that expired or was not signed by this server. */
  "PLAYBACK_LINK_INVALID",
  /** Unattended access is off on this site (UNATTENDED_ACCESS in wrangler.toml [vars]). */
  "UNATTENDED_OFF",
  /** A machine enrolment link that is unknown, used or expired. */
  "ENROLMENT_INVALID",
  /** A machine's signature that does not verify with the public key it sent. */
  "MACHINE_KEY_INVALID",
  /** The machine's agent has not sent a heartbeat lately: it cannot be connected to now. */
  "MACHINE_OFFLINE",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The body of every HTTP error response. */
export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string().check(z.maxLength(500)) }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
